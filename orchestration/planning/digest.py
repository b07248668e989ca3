"""The change digest of a publication ('veraenderungen'): what a planner must know about the new file.

It compares the new publication (the verified candidate file) with the previous one (the file that is
still published) and lists, in German:
- Wohnplätze whose need-for-action flag (Handlungsbedarf) or status class changed at the newest Stichtag,
- indicator values that moved further than their plausibility bound (dim_indikator.max_aenderung) against
  the previous observation, for cells that are new or revised in this publication,
- cells newly suppressed (a value that was public is now 'gesperrt') and newly released ones,
- sources that were late (failed deadline check, or indicators 'fehlt' at the newest Stichtag) and
  sources whose newest delivery repeats the previous one (same delivery, or identical numbers everywhere).
Both files are opened read-only; nothing here writes to either of them except `add_digest_table`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.planning.formatting import (STATUS_GRUND_TEXT, anzahl, datum, is_missing, ja_nein, quartal,
                                               wert_mit_einheit, zahl, zeitpunkt)
from orchestration.planning.published import latest_publication, sql_path, table_names

TABLE_NAME = "veraenderungen"
FILE_NAME = "veraenderungen.md"
COLUMNS = ["art", "ebene", "gebiet_id", "gebiet_name", "indikator_id", "indikator_name", "quelle", "stichtag",
           "vorher", "nachher", "beschreibung", "schlagzeile"]
# Kinds of change, in the order the digest lists them, with their German section titles.
ARTEN = {
    "erste_veroeffentlichung": "Erste Veröffentlichung",
    "keine_veraenderung": "Keine Veränderungen",
    "handlungsraum": "Aktuelle Handlungsräume",
    "handlungsbedarf_neu": "Neu im Handlungsbedarf",
    "handlungsbedarf_entfallen": "Nicht mehr im Handlungsbedarf",
    "handlungsbedarf_unbestimmt": "Handlungsbedarf nicht mehr bestimmbar",
    "statusklasse": "Wechsel der Statusklasse",
    "auffaellige_veraenderung": "Auffällige Veränderungen (über der Plausibilitätsgrenze)",
    "neu_gesperrt": "Neu gesperrte Werte",
    "freigegeben": "Wieder veröffentlichte Werte",
    "quelle_verspaetet": "Verspätete Lieferungen",
    "quelle_unveraendert": "Unveränderte Lieferungen (Vorperiode erneut verwendet?)",
}
EBENE_TEXT = {"wohnplatz": "Wohnplatz", "kommune": "Kommune", "kreis": "Kreis"}
MARKDOWN_ROWS_PER_SECTION = 100  # the table holds every row; the readable file stays readable
VALUE_TOLERANCE = 1e-9  # a recomputed cell is "revised" only if its value really moved


@dataclass(frozen=True)
class Digest:
    table: pd.DataFrame  # the published table `veraenderungen` (COLUMNS; headline in the first row)
    markdown: str
    headline: str
    first_publication: bool
    stichtag: dt.date | None
    previous_stichtag: dt.date | None = None
    publikation_id: str | None = None
    previous_publikation_id: str | None = None
    notes: list[str] = field(default_factory=list)  # comparisons that could not be made, and why

    def count(self, art: str) -> int:
        return int((self.table["art"] == art).sum())


@dataclass
class _Files:
    """The attached files and what is known about them."""
    con: duckdb.DuckDBPyConnection
    stichtag: dt.date | None
    publication: dict | None
    tables: set[str]
    previous: bool = False
    previous_stichtag: dt.date | None = None
    previous_publication: dict | None = None
    previous_tables: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def both_have(self, table: str) -> bool:
        if table in self.tables and table in self.previous_tables:
            return True
        note = (f"{table} fehlt in der {'neuen' if table not in self.tables else 'vorigen'} Veröffentlichung; "
                "Vergleiche mit dieser Tabelle entfallen.")
        if note not in self.notes:
            self.notes.append(note)
        return False


def build_digest(previous_published: Path | None, candidate: Path) -> Digest:
    """The digest of `candidate` against `previous_published` (None or missing: the first publication)."""
    con = duckdb.connect()
    try:
        files = _attach(con, previous_published, Path(candidate))
        if files.previous:
            rows = (_index_changes(files) + _jumps(files) + _suppression_changes(files))
        else:
            rows = _current_handlungsraeume(files)
        rows += _late_sources(files) + _reused_sources(files)
    finally:
        con.close()
    headline = _headline(rows, files)
    if files.previous and not rows:
        rows = [_row("keine_veraenderung", stichtag=files.stichtag,
                     beschreibung="Keine Veränderung gegenüber der vorigen Veröffentlichung, die hier gemeldet wird.")]
    if not files.previous:
        rows.insert(0, _row("erste_veroeffentlichung", stichtag=files.stichtag,
                            beschreibung="Erste Veröffentlichung: es gibt keine vorige, mit der verglichen werden "
                            "kann. Aufgeführt sind die aktuellen Handlungsräume und der Stand der Lieferungen."))
    table = _table(rows, headline)
    return Digest(table=table, markdown=_markdown(table, headline, files), headline=headline,
                  first_publication=not files.previous, stichtag=files.stichtag,
                  previous_stichtag=files.previous_stichtag,
                  publikation_id=(files.publication or {}).get("publikation_id"),
                  previous_publikation_id=(files.previous_publication or {}).get("publikation_id"),
                  notes=list(files.notes))


def write_digest_file(digest: Digest, out_dir: Path) -> Path:
    """veraenderungen.md in `out_dir`, written to a temporary file and renamed (readers never see half a file)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / FILE_NAME
    fd, tmp = tempfile.mkstemp(prefix=".veraenderungen.", suffix=".md.tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(digest.markdown)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def add_digest_table(candidate: Path, digest: Digest) -> int:
    """Write `veraenderungen` into the (not yet published) candidate file; returns its row count.

    For the publication step: write the candidate, build the digest from it, add the table, then verify.
    """
    con = duckdb.connect(str(candidate))
    try:
        con.register("_digest", digest.table)
        con.execute(f'CREATE OR REPLACE TABLE "{TABLE_NAME}" AS SELECT * FROM _digest')
        con.unregister("_digest")
        con.execute("CHECKPOINT")
        return con.execute(f'SELECT count(*) FROM "{TABLE_NAME}"').fetchone()[0]
    finally:
        con.close()


# ---------------------------------------------------------------- reading the two files


def _attach(con: duckdb.DuckDBPyConnection, previous: Path | None, candidate: Path) -> _Files:
    if not candidate.exists():
        raise FileNotFoundError(f"publication candidate {candidate} does not exist")
    con.execute(f"ATTACH {sql_path(candidate)} AS neu (READ_ONLY)")
    files = _Files(con=con, stichtag=None, publication=latest_publication(con, "neu"),
                   tables=table_names(con, "neu"))
    if "mart_indikatoren" not in files.tables:
        raise ValueError(f"{candidate} is not a publication: it has no mart_indikatoren")
    files.stichtag = con.execute("SELECT max(stichtag) FROM neu.mart_indikatoren").fetchone()[0]
    if previous is None or not Path(previous).exists():
        return files
    try:
        con.execute(f"ATTACH {sql_path(previous)} AS alt (READ_ONLY)")
        files.previous_tables = table_names(con, "alt")
        files.previous_publication = latest_publication(con, "alt")
        if "mart_indikatoren" in files.previous_tables:
            files.previous_stichtag = con.execute("SELECT max(stichtag) FROM alt.mart_indikatoren").fetchone()[0]
        files.previous = True
    except duckdb.Error as exc:  # an unreadable old file: say so, and report like a first publication
        files.notes.append(f"Die vorige Veröffentlichung ({previous}) war nicht lesbar ({type(exc).__name__}); "
                           "es wird nicht verglichen.")
    return files


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _row(art: str, **values) -> dict:
    row = {c: None for c in COLUMNS}
    row["art"] = art
    row.update(values)
    return row


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.date() if isinstance(value, dt.datetime) else value


# ---------------------------------------------------------------- Sozialindex: classes and flags


def _drivers(files: _Files, flagged: list[dict]) -> dict[str, str]:
    """Per flagged Wohnplatz the (up to 3) status indicators that drive its flag: by z-value of the level, or
    of the change when the flag comes from the dynamics alone (class 'mittel' with negative dynamics)."""
    if "mart_sozialindex_komponenten" not in files.tables or not flagged:
        return {}
    by_dynamics = [r["gebiet_id"] for r in flagged if r.get("status_klasse") in ("mittel", "hoch")]
    rows = _records(files.con, """
        WITH k AS (
          SELECT gebiet_id, indikator_id, indikator_name,
                 CASE WHEN gebiet_id IN (SELECT unnest(?)) THEN z_dynamik ELSE z_status END AS z
          FROM neu.mart_sozialindex_komponenten
          WHERE stichtag = ? AND rolle = 'status' AND gebiet_id IN (SELECT unnest(?)))
        SELECT * FROM k WHERE z >= 0.05
        QUALIFY row_number() OVER (PARTITION BY gebiet_id ORDER BY z DESC, indikator_id) <= 3
        ORDER BY gebiet_id, z DESC""", [by_dynamics, files.stichtag, [r["gebiet_id"] for r in flagged]])
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["gebiet_id"], []).append(f"{r['indikator_name']} (z = {zahl(r['z'], 1)})")
    return {k: ("Stärkste Verschlechterung: " if k in by_dynamics else "Stärkste Statusindikatoren: ") + ", ".join(v)
            for k, v in out.items()}


def _klasse(value) -> str:
    return value if value else "nicht indexiert"


def _wechsel(now, before) -> str:
    return _klasse(now) if now == before else f"{_klasse(now)} (vorher {_klasse(before)})"


def _index_changes(files: _Files) -> list[dict]:
    if not files.both_have("mart_sozialindex"):
        return []
    rows = _records(files.con, """
        WITH n AS (SELECT * FROM neu.mart_sozialindex WHERE stichtag = ?),
             a AS (SELECT * FROM alt.mart_sozialindex WHERE stichtag = ?)
        SELECT n.gebiet_id, n.gebiet_name, n.kommune_name, n.status_klasse, n.dynamik_klasse, n.handlungsbedarf,
               coalesce(n.grund_nicht_indexiert, n.grund_ohne_dynamik) AS grund,
               a.status_klasse AS a_klasse, a.dynamik_klasse AS a_dynamik, a.handlungsbedarf AS a_flag,
               a.gebiet_id IS NOT NULL AS war_da
        FROM n LEFT JOIN a USING (gebiet_id) ORDER BY n.gebiet_name""", [files.stichtag, files.previous_stichtag])
    drivers = _drivers(files, [r for r in rows if r["handlungsbedarf"] is True])
    since = (f"gegenüber der Veröffentlichung zum {datum(files.previous_stichtag)}"
             if files.previous_stichtag != files.stichtag else "gegenüber der vorigen Veröffentlichung (Korrektur)")
    out = []
    for r in rows:
        if not r["war_da"]:
            continue
        now, was = r["handlungsbedarf"], r["a_flag"]
        base = dict(ebene="wohnplatz", gebiet_id=r["gebiet_id"], gebiet_name=r["gebiet_name"], stichtag=files.stichtag,
                    vorher=ja_nein(was), nachher=ja_nein(now))
        klassen = (f"Statusklasse {_wechsel(r['status_klasse'], r['a_klasse'])}, "
                   f"Dynamik {_wechsel(r['dynamik_klasse'], r['a_dynamik'])}")
        if now is True and was is not True:
            text = f"{r['gebiet_name']} ({r['kommune_name']}) ist neu im Handlungsbedarf {since}: {klassen}."
            if drivers.get(r["gebiet_id"]):
                text += f" {drivers[r['gebiet_id']]}."
            out.append(_row("handlungsbedarf_neu", **base, beschreibung=text))
        elif was is True and now is False:
            out.append(_row("handlungsbedarf_entfallen", **base, beschreibung=(
                f"{r['gebiet_name']} ({r['kommune_name']}) ist nicht mehr im Handlungsbedarf {since}: {klassen}.")))
        elif was is True and now is None:
            out.append(_row("handlungsbedarf_unbestimmt", **base, beschreibung=(
                f"Für {r['gebiet_name']} ({r['kommune_name']}) ist der Handlungsbedarf nicht mehr bestimmbar"
                f" ({r['grund'] or 'Index unvollständig'}); bisher war das Gebiet im Handlungsbedarf.")))
        if r["status_klasse"] != r["a_klasse"]:
            text = (f"Statusklasse von {r['gebiet_name']} ({r['kommune_name']}): {_klasse(r['a_klasse'])} → "
                    f"{_klasse(r['status_klasse'])} {since}.")
            if not r["status_klasse"] and r["grund"]:
                text += f" Grund: {r['grund']}."
            out.append(_row("statusklasse", **{**base, "vorher": _klasse(r["a_klasse"]),
                                               "nachher": _klasse(r["status_klasse"])}, beschreibung=text))
    return out


def _current_handlungsraeume(files: _Files) -> list[dict]:
    if "mart_sozialindex" not in files.tables:
        files.notes.append("mart_sozialindex fehlt in der Veröffentlichung; keine Handlungsräume aufgeführt.")
        return []
    rows = _records(files.con, """
        SELECT gebiet_id, gebiet_name, kommune_name, status_klasse, dynamik_klasse FROM neu.mart_sozialindex
        WHERE stichtag = ? AND handlungsbedarf ORDER BY kommune_name, gebiet_name""", [files.stichtag])
    drivers = _drivers(files, rows)
    out = []
    for r in rows:
        text = (f"{r['gebiet_name']} ({r['kommune_name']}): Statusklasse {_klasse(r['status_klasse'])}, "
                f"Dynamik {_klasse(r['dynamik_klasse'])}.")
        if drivers.get(r["gebiet_id"]):
            text += f" {drivers[r['gebiet_id']]}."
        out.append(_row("handlungsraum", ebene="wohnplatz", gebiet_id=r["gebiet_id"], gebiet_name=r["gebiet_name"],
                        stichtag=files.stichtag, nachher="ja", beschreibung=text))
    return out


# ---------------------------------------------------------------- indicator values


def _where_new_or_revised(alias: str) -> str:
    """Cells this publication adds or changes (so a jump is reported once, not in every later digest)."""
    return (f"NOT EXISTS (SELECT 1 FROM alt.mart_indikatoren a WHERE a.ebene = {alias}.ebene "
            f"AND a.gebiet_id = {alias}.gebiet_id AND a.stichtag = {alias}.stichtag "
            f"AND a.indikator_id = {alias}.indikator_id AND a.wert IS NOT NULL "
            f"AND abs(a.wert - {alias}.wert) <= {VALUE_TOLERANCE})")


def _jumps(files: _Files) -> list[dict]:
    if "dim_indikator" not in files.tables or not files.both_have("mart_indikatoren"):
        return []
    rows = _records(files.con, f"""
        WITH obs AS (
          SELECT m.ebene, m.gebiet_id, m.gebiet_name, m.kommune_name, m.stichtag, m.indikator_id, m.indikator_name,
                 m.einheit, m.wert, i.quelle, i.max_aenderung,
                 lag(m.wert) OVER w AS vorwert, lag(m.stichtag) OVER w AS vorstichtag
          FROM neu.mart_indikatoren m JOIN neu.dim_indikator i USING (indikator_id)
          WHERE m.status IN ('ok', 'geschaetzt') AND m.wert IS NOT NULL
          WINDOW w AS (PARTITION BY m.ebene, m.gebiet_id, m.indikator_id ORDER BY m.stichtag))
        SELECT * FROM obs o
        WHERE vorwert IS NOT NULL AND max_aenderung IS NOT NULL AND abs(wert - vorwert) > max_aenderung
          AND {_where_new_or_revised('o')}
        ORDER BY stichtag DESC, CASE ebene WHEN 'wohnplatz' THEN 1 WHEN 'kommune' THEN 2 ELSE 3 END,
                 abs(wert - vorwert) / max_aenderung DESC, gebiet_id, indikator_id""")
    out = []
    for r in rows:
        delta = r["wert"] - r["vorwert"]
        where = r["gebiet_name"] if r["ebene"] == "wohnplatz" else f"{r['gebiet_name']} ({EBENE_TEXT[r['ebene']]})"
        text = (f"{r['indikator_name']} in {where} {'stieg' if delta > 0 else 'sank'} von "
                f"{wert_mit_einheit(r['vorwert'], r['einheit'])} ({datum(r['vorstichtag'])}) auf "
                f"{wert_mit_einheit(r['wert'], r['einheit'])} ({datum(r['stichtag'])}), um "
                f"{_differenz(abs(delta), r['einheit'])}; erwartet sind höchstens "
                f"{_differenz(r['max_aenderung'], r['einheit'])}. Bitte die Lieferung prüfen, bevor der Wert "
                "verwendet wird.")
        out.append(_row("auffaellige_veraenderung", ebene=r["ebene"], gebiet_id=r["gebiet_id"],
                        gebiet_name=r["gebiet_name"], indikator_id=r["indikator_id"],
                        indikator_name=r["indikator_name"], quelle=r["quelle"], stichtag=_date(r["stichtag"]),
                        vorher=wert_mit_einheit(r["vorwert"], r["einheit"]),
                        nachher=wert_mit_einheit(r["wert"], r["einheit"]), beschreibung=text))
    return out


def _differenz(value: float, einheit: str | None) -> str:
    """A change of a share is in percentage points, not per cent."""
    if einheit == "%":
        return f"{zahl(value, 1)} Prozentpunkte"
    return wert_mit_einheit(value, einheit)


def _grund(code: str | None) -> str:
    return STATUS_GRUND_TEXT.get(code or "", code or "ohne Angabe")


def _before_suppression(r: dict, is_revision: bool) -> str:
    """A revised cell that is now suppressed: only that it was published. A new Stichtag's suppressed cell: the
    previous Stichtag's value, which stays published in the same file."""
    if is_revision:
        return "veröffentlicht"
    return f"{wert_mit_einheit(r['a_wert'], r['einheit'])} ({datum(r['vorstichtag'])})"


def _suppression_changes(files: _Files) -> list[dict]:
    if not files.both_have("mart_indikatoren"):
        return []
    con = files.con
    revised = _records(con, """
        SELECT n.ebene, n.gebiet_id, n.gebiet_name, n.stichtag, n.indikator_id, n.indikator_name, n.einheit, n.wert,
               n.status, n.status_grund, a.wert AS a_wert, a.status AS a_status
        FROM neu.mart_indikatoren n JOIN alt.mart_indikatoren a USING (ebene, gebiet_id, stichtag, indikator_id)
        WHERE (n.status = 'gesperrt' AND a.status IN ('ok', 'geschaetzt'))
           OR (n.status IN ('ok', 'geschaetzt') AND a.status = 'gesperrt')""")
    added = _records(con, """
        WITH obs AS (
          SELECT m.*, lag(m.status) OVER w AS a_status, lag(m.wert) OVER w AS a_wert, lag(m.stichtag) OVER w AS vorstichtag
          FROM neu.mart_indikatoren m WINDOW w AS (PARTITION BY ebene, gebiet_id, indikator_id ORDER BY stichtag))
        SELECT o.* FROM obs o ANTI JOIN alt.mart_indikatoren a USING (ebene, gebiet_id, stichtag, indikator_id)
        WHERE (o.status = 'gesperrt' AND o.a_status IN ('ok', 'geschaetzt'))
           OR (o.status IN ('ok', 'geschaetzt') AND o.a_status = 'gesperrt')""")
    quellen = dict(con.execute("SELECT indikator_id, quelle FROM neu.dim_indikator").fetchall()) \
        if "dim_indikator" in files.tables else {}
    out = []
    for r in revised + added:
        is_revision = "vorstichtag" not in r
        newly_hidden = r["status"] == "gesperrt"
        where = r["gebiet_name"] if r["ebene"] == "wohnplatz" else f"{r['gebiet_name']} ({EBENE_TEXT[r['ebene']]})"
        if newly_hidden and is_revision:
            # the old number is not repeated: the new suppression may protect exactly that cell
            text = (f"{r['indikator_name']} in {where} zum {datum(r['stichtag'])}: der bisher veröffentlichte Wert "
                    f"ist jetzt gesperrt ({_grund(r['status_grund'])}). Bitte den alten Wert nicht weiterverwenden.")
        elif newly_hidden:
            text = (f"{r['indikator_name']} in {where} ist zum {datum(r['stichtag'])} gesperrt "
                    f"({_grund(r['status_grund'])}); zum {datum(r['vorstichtag'])} war der Wert veröffentlicht.")
        elif is_revision:
            text = (f"{r['indikator_name']} in {where} zum {datum(r['stichtag'])}: der bisher gesperrte Wert ist "
                    f"jetzt veröffentlicht ({wert_mit_einheit(r['wert'], r['einheit'])}).")
        else:
            text = (f"{r['indikator_name']} in {where} ist zum {datum(r['stichtag'])} wieder veröffentlicht "
                    f"({wert_mit_einheit(r['wert'], r['einheit'])}); zum {datum(r['vorstichtag'])} war der Wert gesperrt.")
        out.append(_row("neu_gesperrt" if newly_hidden else "freigegeben", ebene=r["ebene"], gebiet_id=r["gebiet_id"],
                        gebiet_name=r["gebiet_name"], indikator_id=r["indikator_id"],
                        indikator_name=r["indikator_name"], quelle=quellen.get(r["indikator_id"]),
                        stichtag=_date(r["stichtag"]),
                        vorher=_before_suppression(r, is_revision) if newly_hidden else "gesperrt",
                        nachher="gesperrt" if newly_hidden else wert_mit_einheit(r["wert"], r["einheit"]),
                        beschreibung=text))
    return sorted(out, key=lambda r: (r["art"], r["stichtag"] or dt.date.min, r["gebiet_name"] or "",
                                      r["indikator_name"] or ""), reverse=False)


# ---------------------------------------------------------------- sources


def _source_titles(files: _Files) -> dict[str, tuple[str, str]]:
    if "dim_quelle" not in files.tables:
        return {}
    return {q: (t, a) for q, t, a in files.con.execute("SELECT quelle, titel, amt FROM neu.dim_quelle").fetchall()}


def _last_delivered(files: _Files) -> dict[str, str]:
    if "dim_lieferung" not in files.tables:
        return {}
    return dict(files.con.execute("SELECT quelle, max(periode) FROM neu.dim_lieferung GROUP BY quelle").fetchall())


def _late_sources(files: _Files) -> list[dict]:
    con, late = files.con, {}
    if "mart_datenqualitaet" in files.tables:
        for r in _records(con, """SELECT quelle, objekt, beschreibung, details FROM neu.mart_datenqualitaet
                                  WHERE ebene = 'frist' AND status <> 'bestanden' ORDER BY quelle"""):
            quelle = r["quelle"] or (r["objekt"] or "").split("/")[-1]
            details = _json(r["details"])
            late.setdefault(quelle, {"frist": None, "indikatoren": []})["frist"] = (r["beschreibung"], details)
    if "dim_indikator" in files.tables:
        for r in _records(con, """
                SELECT i.quelle, m.indikator_id, any_value(m.indikator_name) AS indikator_name
                FROM neu.mart_indikatoren m JOIN neu.dim_indikator i USING (indikator_id)
                WHERE m.stichtag = ? AND m.status = 'fehlt' AND coalesce(m.status_grund, 'nicht_geliefert') = 'nicht_geliefert'
                GROUP BY ALL ORDER BY i.quelle, any_value(i.reihenfolge)""", [files.stichtag]):
            late.setdefault(r["quelle"], {"frist": None, "indikatoren": []})["indikatoren"].append(
                (r["indikator_id"], r["indikator_name"]))
    titles, delivered = _source_titles(files), _last_delivered(files)
    out = []
    for quelle, info in sorted(late.items()):
        titel, amt = titles.get(quelle, (quelle, ""))
        parts = [f"{titel}{f', {amt}' if amt else ''}:"]
        if info["frist"]:
            text, details = info["frist"]
            parts.append((text or "Lieferfrist überschritten") + ".")
        if info["indikatoren"]:
            names = ", ".join(n for _, n in info["indikatoren"])
            parts.append(f"Zum {datum(files.stichtag)} ohne Wert (nicht geliefert): {names}.")
        last = delivered.get(quelle)
        if last:
            parts.append(f"Zuletzt geliefert: {last}.")
        out.append(_row("quelle_verspaetet", quelle=quelle, stichtag=files.stichtag,
                        indikator_id=",".join(i for i, _ in info["indikatoren"]) or None,
                        indikator_name=", ".join(n for _, n in info["indikatoren"]) or None,
                        vorher=f"zuletzt geliefert: {last}" if last else None,
                        nachher=f"fehlt für {quartal(files.stichtag)}", beschreibung=" ".join(parts)))
    return out


def _json(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _reused_sources(files: _Files) -> list[dict]:
    """A source whose newest delivery is the previous one again: the same delivery hash, or the same numbers
    in every Wohnplatz (an office re-sending last quarter's table under a new name)."""
    if "dim_indikator" not in files.tables:
        return []
    rows = _records(files.con, """
        WITH src AS (
          SELECT m.gebiet_id, m.indikator_id, m.stichtag, m.zaehler, m.nenner, m.lieferung_ids, i.quelle
          FROM neu.mart_indikatoren m JOIN neu.dim_indikator i USING (indikator_id)
          WHERE m.ebene = 'wohnplatz'),
        vor AS (SELECT quelle, max(stichtag) AS vorstichtag FROM src
                WHERE stichtag < ? AND quelle IN (SELECT quelle FROM src WHERE stichtag = ?) GROUP BY quelle),
        ids AS (SELECT s.quelle, s.stichtag = ? AS ist_neu, list_sort(list(DISTINCT trim(l))) AS lieferungen
                FROM src s JOIN vor USING (quelle), unnest(string_split(coalesce(s.lieferung_ids, ''), ',')) AS u(l)
                WHERE (s.stichtag = ? OR s.stichtag = vor.vorstichtag) AND trim(l) <> '' GROUP BY ALL),
        paare AS (
          SELECT n.quelle, count(*) AS verglichen,
                 count(*) FILTER (WHERE n.zaehler = v.zaehler AND n.nenner IS NOT DISTINCT FROM v.nenner) AS gleich
          FROM src n JOIN vor USING (quelle)
          JOIN src v ON v.quelle = n.quelle AND v.stichtag = vor.vorstichtag AND v.gebiet_id = n.gebiet_id
                    AND v.indikator_id = n.indikator_id
          WHERE n.stichtag = ? AND n.zaehler IS NOT NULL AND v.zaehler IS NOT NULL GROUP BY n.quelle)
        SELECT vor.quelle, vor.vorstichtag, coalesce(p.verglichen, 0) AS verglichen, coalesce(p.gleich, 0) AS gleich,
               (SELECT lieferungen FROM ids WHERE ids.quelle = vor.quelle AND ids.ist_neu) AS l_neu,
               (SELECT lieferungen FROM ids WHERE ids.quelle = vor.quelle AND NOT ids.ist_neu) AS l_vor
        FROM vor LEFT JOIN paare p USING (quelle) ORDER BY vor.quelle""",
        [files.stichtag, files.stichtag, files.stichtag, files.stichtag, files.stichtag])
    titles = _source_titles(files)
    files_by_id = dict(files.con.execute("SELECT lieferung_id, datei FROM neu.dim_lieferung").fetchall()) \
        if "dim_lieferung" in files.tables else {}
    out = []
    for r in rows:
        same_delivery = r["l_neu"] is not None and len(r["l_neu"]) > 0 and list(r["l_neu"]) == list(r["l_vor"] or [])
        same_numbers = r["verglichen"] >= 3 and r["gleich"] == r["verglichen"]
        if not (same_delivery or same_numbers):
            continue
        titel, amt = titles.get(r["quelle"], (r["quelle"], ""))
        if same_delivery:
            names = ", ".join(sorted(files_by_id.get(i, i[:12]) for i in r["l_neu"]))
            text = (f"{titel}: für {quartal(files.stichtag)} wurde dieselbe Lieferung verwendet wie für "
                    f"{quartal(r['vorstichtag'])} ({names}).")
        else:
            text = (f"{titel}: die Zahlen für {quartal(files.stichtag)} stimmen in allen {r['verglichen']} "
                    f"verglichenen Werten mit {quartal(r['vorstichtag'])} überein – vermutlich wurde die Lieferung "
                    "der Vorperiode erneut geschickt.")
        text += f" Bitte bei {amt or 'der liefernden Stelle'} nachfragen; die Werte sind veröffentlicht, aber fraglich."
        out.append(_row("quelle_unveraendert", quelle=r["quelle"], stichtag=files.stichtag,
                        vorher=quartal(r["vorstichtag"]), nachher=quartal(files.stichtag), beschreibung=text))
    return out


# ---------------------------------------------------------------- headline, table, readable file


def _headline(rows: list[dict], files: _Files) -> str:
    def n(art: str) -> int:
        return sum(1 for r in rows if r["art"] == art)

    parts = []
    if not files.previous:
        parts.append(f"Erste Veröffentlichung: {anzahl(n('handlungsraum'), 'Wohnplatz', 'Wohnplätze')} im "
                     "Handlungsbedarf")
    else:
        new, gone, unknown = n("handlungsbedarf_neu"), n("handlungsbedarf_entfallen"), n("handlungsbedarf_unbestimmt")
        if new:
            flag = f"{anzahl(new, 'Wohnplatz', 'Wohnplätze')} neu im Handlungsbedarf"
            parts.append(flag + (f", {gone} nicht mehr" if gone else ""))
        elif gone:
            parts.append(f"{anzahl(gone, 'Wohnplatz', 'Wohnplätze')} nicht mehr im Handlungsbedarf")
        if unknown:
            parts.append(f"{anzahl(unknown, 'Wohnplatz', 'Wohnplätze')} ohne bestimmbaren Handlungsbedarf")
        if n("statusklasse"):
            parts.append(anzahl(n("statusklasse"), "Wechsel der Statusklasse", "Wechsel der Statusklasse"))
        if n("auffaellige_veraenderung"):
            parts.append(anzahl(n("auffaellige_veraenderung"), "auffällige Veränderung", "auffällige Veränderungen"))
        hidden, shown = n("neu_gesperrt"), n("freigegeben")
        if hidden or shown:
            parts.append(", ".join(p for p in (f"{anzahl(hidden, 'Wert', 'Werte')} neu gesperrt" if hidden else "",
                                                f"{anzahl(shown, 'Wert', 'Werte')} wieder veröffentlicht" if shown else "")
                                   if p))
    if n("quelle_verspaetet"):
        parts.append(f"{anzahl(n('quelle_verspaetet'), 'Quelle', 'Quellen')} verspätet")
    if n("quelle_unveraendert"):
        parts.append(f"{anzahl(n('quelle_unveraendert'), 'Quelle', 'Quellen')} unverändert wiederverwendet")
    if not parts:
        return "Keine Veränderungen gegenüber der vorigen Veröffentlichung"
    return "; ".join(parts)


def _table(rows: list[dict], headline: str) -> pd.DataFrame:
    order = {art: i for i, art in enumerate(ARTEN)}
    ranked = sorted(enumerate(rows), key=lambda t: (order.get(t[1]["art"], 99), t[0]))
    frame = pd.DataFrame([r for _, r in ranked], columns=COLUMNS).astype(object)
    frame["stichtag"] = pd.to_datetime(frame["stichtag"]).dt.date
    frame["schlagzeile"] = [headline] + [None] * (len(frame) - 1)
    for col in COLUMNS:
        if col != "stichtag":
            frame[col] = frame[col].astype("string")
    return frame


def _md(text) -> str:
    return "" if is_missing(text) else str(text).replace("|", "\\|").replace("\n", " ")


def _markdown(table: pd.DataFrame, headline: str, files: _Files) -> str:
    pub = files.publication or {}
    lines = [f"# Veränderungen im Sozialmonitoring – Stichtag {datum(files.stichtag)}", "", f"**{headline}**", ""]
    lines.append(f"Veröffentlichung `{_md(pub.get('publikation_id')) or 'unbekannt'}` vom "
                 f"{zeitpunkt(pub.get('veroeffentlicht_am')) or 'unbekannt'}.")
    if files.previous:
        prev = files.previous_publication or {}
        lines.append(f"Verglichen mit der Veröffentlichung `{_md(prev.get('publikation_id')) or 'unbekannt'}` vom "
                     f"{zeitpunkt(prev.get('veroeffentlicht_am')) or 'unbekannt'} (Stichtag "
                     f"{datum(files.previous_stichtag)}).")
    lines.append("")
    for note in files.notes:
        lines += [f"> Hinweis: {note}", ""]
    for art, title in ARTEN.items():
        part = table[table["art"] == art]
        if part.empty:
            continue
        lines += [f"## {title} ({len(part)})", ""]
        if art in ("erste_veroeffentlichung", "keine_veraenderung"):
            lines += [_md(part.iloc[0]["beschreibung"]), ""]
            continue
        if art.startswith("quelle_"):
            lines += [f"- {_md(t)}" for t in part["beschreibung"]] + [""]
            continue
        with_indicator = art in ("auffaellige_veraenderung", "neu_gesperrt", "freigegeben")
        head = ["Gebiet"] + (["Indikator", "Stichtag"] if with_indicator else []) + ["vorher", "nachher", "Erläuterung"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in part.head(MARKDOWN_ROWS_PER_SECTION).itertuples():
            gebiet = _md(r.gebiet_name) + ("" if r.ebene in (None, "wohnplatz") or is_missing(r.ebene)
                                           else f" ({EBENE_TEXT.get(r.ebene, r.ebene)})")
            cells = [gebiet] + ([_md(r.indikator_name), datum(r.stichtag)] if with_indicator else []) + \
                [_md(r.vorher), _md(r.nachher), _md(r.beschreibung)]
            lines.append("| " + " | ".join(cells) + " |")
        if len(part) > MARKDOWN_ROWS_PER_SECTION:
            lines.append(f"\n… und {len(part) - MARKDOWN_ROWS_PER_SECTION} weitere (vollständig in der Tabelle "
                         f"`{TABLE_NAME}` der Veröffentlichung).")
        lines.append("")
    lines += ["---", "Gesperrte Werte werden nie als Zahl gezeigt (Datenschutz: Fallzahlen 1–2, zu kleine "
              "Bezugsgrößen und Sekundärsperrungen). Auffällige Veränderungen sind Hinweise zur Prüfung, keine "
              "Fehler: die Plausibilitätsgrenze jedes Indikators steht im Indikatorenkatalog.", ""]
    return "\n".join(lines)
