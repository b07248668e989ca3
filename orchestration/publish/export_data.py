"""Reading the published file for the exports: catalogue, mart rows, German columns, data status.

Everything here reads through one read-only connection to data/published/monitoring.duckdb, so all
exports of one publication come from the same snapshot. Mart columns are mapped to German headers from
the indicator catalogue (dim_indikator) and a small dictionary; a column nobody has named yet gets a
readable fallback header and is logged, so the dictionary can be completed.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

import duckdb

from orchestration.publish.export_excel import Block, BlockSheet, Column, TableSheet

log = logging.getLogger(__name__)

EBENEN = {"kreis": "Kreis", "kommune": "Kommune", "wohnplatz": "Wohnplatz"}
EBENE_ORDER = "CASE ebene WHEN 'kreis' THEN 1 WHEN 'kommune' THEN 2 WHEN 'wohnplatz' THEN 3 ELSE 4 END"

# identifying columns, in the order every data sheet shows them
ID_COLUMNS = {
    "stichtag": Column("stichtag", "Stichtag", "date"),
    "ebene": Column("ebene_text", "Ebene"),
    "gebiet_id": Column("gebiet_id", "Gebiets-Nr."),
    "wohnplatz_id": Column("wohnplatz_id", "Wohnplatz-Nr."),
    "gebiet_name": Column("gebiet_name", "Gebiet", max_width=34),
    "wohnplatz_name": Column("wohnplatz_name", "Wohnplatz", max_width=34),
    "kommune_name": Column("kommune_name", "Kommune", max_width=26),
}
FROZEN_ID_KEYS = ("stichtag", "ebene", "gebiet_id", "wohnplatz_id", "gebiet_name", "wohnplatz_name")

# columns that are lineage or technical and are not shown to planners
HIDDEN = re.compile(r"^(_.*|lieferung_ids|status_grund|eltern_id|.*_sortierung|wohnplatz_sk|kommune_ags|"
                    r"kreis_schluessel|publikation_id|quartal_label)$")

# German headers for mart columns that are not indicators of the catalogue: (header, kind)
NAMED_COLUMNS: dict[str, tuple[str, str]] = {
    "jahr": ("Jahr", "integer"),
    "quartal": ("Quartal", "text"),
    "gebietsstand": ("Gebietsstand", "date"),
    # Sozialindex (DESIGN.md section 4; macros/sozialindex)
    "status_summe": ("Summe der z-Werte (Status)", "decimal"),
    "status_index": ("Statusindex", "decimal"),
    "status_klasse": ("Statusklasse", "text"),
    "dynamik_summe": ("Summe der z-Werte (Dynamik)", "decimal"),
    "dynamik_index": ("Dynamikindex", "decimal"),
    "dynamik_klasse": ("Dynamikklasse", "text"),
    "handlungsbedarf": ("Handlungsbedarf", "bool"),
    "handlungsraum": ("Handlungsraum", "bool"),
    "status_indexiert": ("Im Statusindex", "bool"),
    "dynamik_indexiert": ("Im Dynamikindex", "bool"),
    "grund_nicht_indexiert": ("Grund, warum nicht im Statusindex", "text"),
    "grund_ohne_dynamik": ("Grund, warum nicht im Dynamikindex", "text"),
    "gebiete_im_statusindex": ("Wohnplätze im Statusindex", "count"),
    "gebiete_im_dynamikindex": ("Wohnplätze im Dynamikindex", "count"),
}

# counts in the planning marts that share the cell status of an indicator (mart_pflege: the numerator of
# the indicator; mart_jugendhilfe: age bands with their own status): column -> (header, indicator or None)
MART_COUNTS: dict[str, tuple[str, str | None]] = {
    "einwohner_65plus": ("Einwohner ab 65 Jahren", "anteil_65plus"),
    "einwohner_80plus": ("Einwohner ab 80 Jahren", "anteil_80plus"),
    "alleinlebende_80plus_anzahl": ("Alleinlebende ab 80 Jahren (Anzahl)", "alleinlebende_80plus"),
    "hilfe_zur_pflege_empfaenger": ("Empfängerinnen und Empfänger von Hilfe zur Pflege", "hilfe_zur_pflege"),
    "pflegeheimplaetze": ("Pflegeheimplätze (Anzahl)", "pflegeheimplaetze_80plus"),
    "tagespflegeplaetze": ("Tagespflegeplätze (Anzahl)", "tagespflegeplaetze_80plus"),
    "kinder_0_2": ("Kinder von 0 bis 2 Jahren", None),
    "kinder_3_5": ("Kinder von 3 bis 5 Jahren", None),
    "kinder_6_9": ("Kinder von 6 bis 9 Jahren", None),
    "kinder_10_14": ("Kinder von 10 bis 14 Jahren", None),
    "jugendliche_15_17": ("Jugendliche von 15 bis 17 Jahren", None),
    "junge_volljaehrige_18_20": ("Junge Volljährige von 18 bis 20 Jahren", None),
    "hze_faelle": ("Laufende Hilfen zur Erziehung (Fälle)", "hze_quote"),
    "kinder_u15_sgb2": ("Kinder unter 15 Jahren im SGB II", "kinderarmut"),
}

# columns derived from an indicator or a count: '<base><suffix>' -> (label, kind or None = the base's unit)
DERIVED_SUFFIXES: dict[str, tuple[str, str | None]] = {
    "_veraenderung_2j": ("Veränderung in zwei Jahren", None),
    "_veraenderung_1j": ("Veränderung in einem Jahr", None),
    "_veraenderung": ("Veränderung", None),
    "_aenderung": ("Veränderung in zwei Jahren", None),  # mart_sozialindex: dynamik_quartale = 8
    "_z_dynamik": ("z-Wert der Veränderung", "decimal"),
    "_z_status": ("z-Wert", "decimal"),
    "_z": ("z-Wert", "decimal"),
    "_zaehler": ("Zähler", "count"),
    "_nenner": ("Nenner", "count"),
    "_trend": ("Trend", None),
    "_vorjahr": ("Vorjahreswert", None),
}

# columns shown right after the identifying ones (the results before their inputs)
LEADING_COLUMNS = ("einwohner", "status_index", "status_klasse", "dynamik_index", "dynamik_klasse",
                   "handlungsbedarf", "handlungsraum", "status_indexiert", "grund_nicht_indexiert", "dynamik_indexiert",
                   "grund_ohne_dynamik", "status_summe", "dynamik_summe", "gebiete_im_statusindex",
                   "gebiete_im_dynamikindex")

# words of fallback headers (unknown columns): snake_case token -> German
WORDS = {
    "anteil": "Anteil", "anzahl": "Anzahl", "einwohner": "Einwohner", "kinder": "Kinder",
    "jugendliche": "Jugendliche",
    "plaetze": "Plätze", "pflegeheimplaetze": "Pflegeheimplätze", "tagespflegeplaetze": "Tagespflegeplätze",
    "hzp": "Hilfe zur Pflege", "hze": "Hilfen zur Erziehung", "je": "je", "veraenderung": "Veränderung",
    "aenderung": "Veränderung", "alleinlebende": "Alleinlebende", "empfaenger": "Empfänger", "faelle": "Fälle",
    "u3": "unter 3", "ue3": "ab 3", "u6": "unter 6", "u15": "unter 15", "u18": "unter 18", "u21": "unter 21",
    "65plus": "ab 65", "80plus": "ab 80", "2j": "in 2 Jahren", "1j": "in 1 Jahr", "quote": "Quote",
    "versorgung": "Versorgung", "kita": "Kita", "trend": "Trend", "maennlich": "männlich", "weiblich": "weiblich",
    "betreute": "betreute", "untersuchte": "Untersuchte", "einrichtungen": "Einrichtungen", "bis": "bis",
    "unter": "unter", "ab": "ab", "und": "und", "mit": "mit", "ohne": "ohne", "zur": "zur", "pflege": "Pflege",
    "jahre": "Jahre", "jahren": "Jahren", "status": "Status", "wert": "Wert", "gebiet": "Gebiet",
}


@dataclass(frozen=True)
class Indikator:
    indikator_id: str
    name: str
    thema: str
    zaehler: str | None
    nenner: str | None
    einheit: str
    quelle: str
    polaritaet: str
    turnus: str
    bezugsquartal: int | None
    mindestnenner: int | None
    im_index: str | None
    kontext: bool | None
    reihenfolge: int

    @property
    def kind(self) -> str:
        return {"Anzahl": "count", "%": "percent"}.get(self.einheit, "rate")

    @property
    def unit_label(self) -> str:
        """'%', or 'je 100 Einwohner ab 80 Jahren' (the denominator makes a rate readable on its own)."""
        if self.einheit.startswith("je") and self.nenner and len(self.nenner) <= 40:
            return f"{self.einheit} {self.nenner}"
        return self.einheit

    @property
    def header(self) -> str:
        return self.name if self.einheit == "Anzahl" else f"{self.name} ({self.unit_label})"

    @property
    def change_unit(self) -> str:
        """Unit of a difference of two values: a change of a percentage is in percentage points."""
        return {"%": "Prozentpunkte", "Anzahl": ""}.get(self.einheit, self.einheit)


# -- small query helpers ---------------------------------------------------------------------------------
def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, (_plain(v) for v in r))) for r in cur.fetchall()]


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall()]


class MissingTable(RuntimeError):
    pass


def require(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    missing = [n for n in names if n not in tables(con)]
    if missing:
        raise MissingTable(f"the published file has no table {', '.join(missing)}; the export needs it "
                           "(was the mart built and published?)")


# -- the catalogue ---------------------------------------------------------------------------------------
def catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, Indikator]:
    require(con, "dim_indikator")
    present = {c for c, _ in columns_of(con, "dim_indikator")}
    fields = list(Indikator.__dataclass_fields__)
    select = ", ".join(f if f in present else f"NULL AS {f}" for f in fields)
    result = {}
    for r in rows(con, f"SELECT {select} FROM dim_indikator ORDER BY reihenfolge, indikator_id"):
        result[r["indikator_id"]] = Indikator(**r)
    return result


def source_titles(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    if "dim_quelle" not in tables(con):
        return {}
    present = {c for c, _ in columns_of(con, "dim_quelle")}
    key = "quelle" if "quelle" in present else "quelle_id" if "quelle_id" in present else None
    if key is None:
        return {}
    order = f"reihenfolge, {key}" if "reihenfolge" in present else key
    return {r[key]: r for r in rows(con, f"SELECT * FROM dim_quelle ORDER BY {order}")}


def latest_stichtag(con: duckdb.DuckDBPyConnection) -> date | None:
    """The publication's Stichtag (its log), else the newest Stichtag in the wide mart."""
    if "publikation" in tables(con):
        log_row = latest_publication(con)
        if log_row and log_row.get("stichtag"):
            return log_row["stichtag"]
    if "mart_sozialmonitoring" in tables(con):
        return con.execute("SELECT max(stichtag) FROM mart_sozialmonitoring").fetchone()[0]
    return None


def latest_publication(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    if "publikation" not in tables(con):
        return None
    has_time = "veroeffentlicht_am" in dict(columns_of(con, "publikation"))
    order = "veroeffentlicht_am DESC NULLS LAST, " if has_time else ""
    found = rows(con, f"SELECT * FROM publikation ORDER BY {order}stichtag DESC NULLS LAST LIMIT 1")
    return found[0] if found else None


def document_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """The workbooks' document date: the publication's time (stable for the same published file)."""
    pub = latest_publication(con) or {}
    stamp = pub.get("veroeffentlicht_am")
    if isinstance(stamp, datetime):
        return stamp
    day = pub.get("stichtag") or latest_stichtag(con)
    return datetime.combine(day, datetime.min.time()) if isinstance(day, date) else datetime(2000, 1, 1)


# -- mapping mart columns to German columns -----------------------------------------------------------
def kind_of_type(data_type: str) -> str:
    t = data_type.upper()
    if t.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER")):
        return "count"
    if t.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC")):
        return "number"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t == "BOOLEAN":
        return "bool"
    return "text"


def fallback_header(name: str) -> str:
    words = [WORDS.get(t, t) for t in name.split("_") if t]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def indicator_column(ind: Indikator, key: str | None = None, status_key: str | None = None) -> Column:
    return Column(key or ind.indikator_id, ind.header, ind.kind, status_key=status_key, measure=True,
                  indikator_id=ind.indikator_id)


class ColumnResolver:
    """German columns for the columns of one mart, and which status column decides each cell's marker.

    `statuses` are the status columns available to the rows (the mart's own `<x>_status` columns plus any
    joined from the wide mart). A count that is the numerator of an indicator shares its status.
    """

    def __init__(self, cat: Mapping[str, Indikator], statuses: Iterable[str]):
        self.cat, self.statuses = cat, set(statuses)

    def status_for(self, base: str) -> str | None:
        if f"{base}_status" in self.statuses:
            return f"{base}_status"
        indicator = MART_COUNTS.get(base, (None, None))[1]
        if indicator and f"{indicator}_status" in self.statuses:
            return f"{indicator}_status"
        return None

    def column(self, name: str, data_type: str) -> Column:
        if name in self.cat:
            return indicator_column(self.cat[name], status_key=self.status_for(name))
        if name in MART_COUNTS:
            header, indicator = MART_COUNTS[name]
            return Column(name, header, "count", status_key=self.status_for(name), measure=True,
                          indikator_id=indicator)
        if name in NAMED_COLUMNS:
            header, kind = NAMED_COLUMNS[name]
            return Column(name, header, kind, status_key=self.status_for(name), measure=kind not in ("text",))
        derived = self.derived(name)
        if derived:
            return derived
        header, kind = fallback_header(name), kind_of_type(data_type)
        log.warning("export: column %s has no German header yet; using %r", name, header)
        return Column(name, header, kind, status_key=self.status_for(name), measure=kind != "text")

    def derived(self, name: str) -> Column | None:
        """'<indicator or count><suffix>': change, z-value, numerator ... of a known column."""
        for suffix in sorted(DERIVED_SUFFIXES, key=len, reverse=True):
            base = name[: -len(suffix)]
            if not name.endswith(suffix) or not (base in self.cat or base in MART_COUNTS):
                continue
            label, kind = DERIVED_SUFFIXES[suffix]
            if base in self.cat:
                ind = self.cat[base]
                unit = "" if kind else ind.change_unit
                kind = kind or ("count" if ind.einheit == "Anzahl" else "rate")
                base_name, indicator = ind.name, base
            else:
                base_name, indicator = MART_COUNTS[base]
                unit, kind = "", kind or "count"
                if base_name.endswith(" (Anzahl)"):  # "... (Anzahl): Veränderung" reads badly
                    base_name, unit = base_name[: -len(" (Anzahl)")], "Anzahl"
            header = f"{base_name}: {label}" + (f" ({unit})" if unit else "")
            # the change of a suppressed value is unknown for the same reason: it shares the status
            return Column(name, header, kind, status_key=self.status_for(base), measure=True, indikator_id=indicator)
        return None


def mart_columns(columns: Sequence[tuple[str, str]], cat: Mapping[str, Indikator],
                 joined_statuses: Iterable[str] = ()) -> tuple[list[Column], int]:
    """German columns for every shown column of a mart (identifying, leading, the rest) and how many to freeze."""
    names = {c for c, _ in columns}
    resolver = ColumnResolver(cat, {n for n in names if n.endswith("_status")} | set(joined_statuses))
    ids, lead, rest = [], {}, []
    for name, data_type in columns:
        if HIDDEN.match(name) or name.endswith("_status"):
            continue  # statuses are shown as the markers of their value columns
        if name in ID_COLUMNS:
            ids.append(name)
        elif name in LEADING_COLUMNS:
            lead[name] = resolver.column(name, data_type)
        else:
            rest.append(resolver.column(name, data_type))
    id_cols = [ID_COLUMNS[k] for k in ID_COLUMNS if k in ids]
    lead_cols = [lead[k] for k in LEADING_COLUMNS if k in lead]
    frozen = sum(1 for k in ID_COLUMNS if k in ids and k in FROZEN_ID_KEYS)
    return id_cols + lead_cols + rest, frozen


def order_clause(names: Iterable[str], prefix: str = "") -> str:
    """Newest Stichtag first, then district, municipalities, Wohnplätze, each by key."""
    names = set(names)
    parts = []
    if "stichtag" in names:
        parts.append(f"{prefix}stichtag DESC")
    if "ebene" in names:
        parts.append(EBENE_ORDER.replace("CASE ebene", f"CASE {prefix}ebene"))
    for key in ("gebiet_id", "wohnplatz_id"):
        if key in names:
            parts.append(f"{prefix}{key}")
    return ", ".join(parts) or "ALL"


def with_ebene_text(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in found:
        if "ebene" in r:
            r["ebene_text"] = EBENEN.get(r["ebene"], r["ebene"])
    return found


# -- sheets from the marts -----------------------------------------------------------------------------
def mart_sheet(con: duckdb.DuckDBPyConnection, table: str, sheet_name: str, title: str,
               cat: Mapping[str, Indikator]) -> TableSheet:
    """A whole mart as one sheet (mart_pflege, mart_jugendhilfe, mart_sozialindex).

    An indicator column without its own status (mart_sozialindex) takes the status of the same cell in
    mart_sozialmonitoring, so that a suppressed input shows "gesperrt" there too.
    """
    require(con, table)
    cols = columns_of(con, table)
    names = {c for c, _ in cols}
    joins = wide_status_join(con, names, cat)
    columns, frozen = mart_columns(cols, cat, joins.keys())
    select = ", ".join(["m.*"] + [f'w."{s}"' for s in joins])
    source = f'"{table}" AS m'
    if joins:
        level = "w.ebene = m.ebene" if "ebene" in names else "w.ebene = 'wohnplatz'"
        source += (f" LEFT JOIN mart_sozialmonitoring AS w ON {level} AND w.gebiet_id = m.gebiet_id"
                   " AND w.stichtag = m.stichtag")
    order = order_clause(names, prefix="m.")
    found = with_ebene_text(rows(con, f"SELECT {select} FROM {source} ORDER BY {order}"))
    return TableSheet(sheet_name, title, columns, found, frozen)


def wide_status_join(con: duckdb.DuckDBPyConnection, names: set[str],
                     cat: Mapping[str, Indikator]) -> dict[str, str]:
    """Status columns of mart_sozialmonitoring for indicator columns a mart has without their status."""
    if "mart_sozialmonitoring" not in tables(con) or not {"gebiet_id", "stichtag"} <= names:
        return {}
    wide = {c for c, _ in columns_of(con, "mart_sozialmonitoring")}
    return {f"{i}_status": i for i in cat if i in names and f"{i}_status" not in names and f"{i}_status" in wide}


def indicator_sheet(con: duckdb.DuckDBPyConnection, sheet_name: str, title: str, indicator_ids: Sequence[str],
                    cat: Mapping[str, Indikator]) -> TableSheet:
    """Indicators from the wide mart_sozialmonitoring; rows only where one of them was collected."""
    require(con, "mart_sozialmonitoring")
    present = {c for c, _ in columns_of(con, "mart_sozialmonitoring")}
    chosen = [i for i in indicator_ids if i in cat and i in present]
    skipped = [i for i in indicator_ids if i not in chosen]
    if skipped:
        log.warning("export %s: indicators not in the published mart or catalogue: %s", sheet_name, skipped)
    if not chosen:
        raise MissingTable(f"mart_sozialmonitoring has none of the indicators of sheet {sheet_name!r}")
    id_keys = [k for k in ID_COLUMNS if k in present]
    status = [f"{i}_status" for i in chosen if f"{i}_status" in present]
    select = ", ".join([f'"{k}"' for k in id_keys] + [f'"{i}"' for i in chosen] + [f'"{s}"' for s in status])
    collected = " OR ".join(f'"{s}" IS NOT NULL' for s in status) or "TRUE"
    found = with_ebene_text(rows(con, f"SELECT {select} FROM mart_sozialmonitoring WHERE {collected} "
                                      f"ORDER BY {order_clause(id_keys)}"))
    columns = [ID_COLUMNS[k] for k in id_keys] + [
        indicator_column(cat[i], status_key=f"{i}_status" if f"{i}_status" in present else None) for i in chosen]
    frozen = sum(1 for k in id_keys if k in FROZEN_ID_KEYS)
    return TableSheet(sheet_name, title, columns, found, frozen)


# -- the explanation sheets ------------------------------------------------------------------------------
POLARITAET = {
    "negativ": "hoher Wert = ungünstigere Lebenslage",
    "positiv": "hoher Wert = günstigere Lebenslage",
    "neutral": "ohne Wertung",
}
QUARTALSENDE = {1: "31.03.", 2: "30.06.", 3: "30.09.", 4: "31.12."}


def turnus_text(ind: Indikator) -> str:
    if ind.turnus == "quartal":
        return "vierteljährlich"
    day = QUARTALSENDE.get(ind.bezugsquartal or 4, "")
    if ind.turnus == "schuljahr":
        return f"je Schuljahr (Stichtag {day})"
    return f"jährlich (Stichtag {day})"


def sperrregel(ind: Indikator) -> str:
    if ind.einheit == "Anzahl":
        return "Anzahl 1 oder 2"
    return f"Nenner unter {ind.mindestnenner or 20} oder Zähler 1 oder 2"


INDIKATOR_COLUMNS = [
    Column("name", "Indikator", wrap=True, max_width=34),
    Column("thema", "Thema"),
    Column("zaehler", "Zähler (Definition)", wrap=True, max_width=50),
    Column("nenner", "Nenner (Definition)", wrap=True, max_width=40),
    Column("einheit", "Einheit"),
    Column("quelle", "Quelle", wrap=True, max_width=36),
    Column("polaritaet", "Polarität", wrap=True, max_width=24),
    Column("turnus", "Turnus", wrap=True, max_width=24),
    Column("mindestnenner", "Mindestnenner", "integer"),
    Column("sperrregel", "Gesperrt bei", wrap=True, max_width=26),
    Column("im_index", "Im Sozialindex"),
]


def indikatoren_sheet(cat: Mapping[str, Indikator], ids: Iterable[str],
                      quellen: Mapping[str, Mapping]) -> TableSheet:
    wanted = set(ids)
    found = []
    for ind in cat.values():
        if ind.indikator_id not in wanted:
            continue
        quelle = quellen.get(ind.quelle, {})
        found.append({
            "name": ind.name, "thema": ind.thema, "zaehler": ind.zaehler,
            "nenner": ind.nenner or "– (Anzahl, kein Nenner)", "einheit": ind.einheit,
            "quelle": quelle.get("titel") or ind.quelle,
            "polaritaet": POLARITAET.get(ind.polaritaet, ind.polaritaet),
            "turnus": turnus_text(ind),
            "mindestnenner": None if ind.einheit == "Anzahl" else ind.mindestnenner,
            "sperrregel": sperrregel(ind),
            "im_index": "ja (Statusindikator)" if ind.im_index == "status"
            else "Kontextindikator" if ind.kontext else "nein",
        })
    title = "Indikatoren: Definitionen, Quellen und Sperrregeln"
    return TableSheet("Indikatoren", title, INDIKATOR_COLUMNS, found, 1)


PASSED = {"bestanden", "ok", "pass", "passed", "success", "erfolgreich", "erfuellt", "erfüllt"}


def _check_outcome(row: Mapping[str, Any]) -> str:
    if str(row.get("status") or "").lower() in PASSED:
        return "bestanden"
    if str(row.get("schweregrad") or "").lower() in ("warn", "warnung", "warning"):
        return "warnung"
    return "fehler"


def _german_date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return "" if value is None else str(value)


def summary_text(value: Any) -> str:
    """The publication log's check summary (JSON text or plain text) as readable lines."""
    if value is None:
        return ""
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)
    if isinstance(parsed, dict):
        return "\n".join(f"{k}: {_flat(v)}" for k, v in parsed.items())
    if isinstance(parsed, list):
        return "\n".join(_flat(v) for v in parsed)
    return str(parsed)


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_flat(v)}" for k, v in value.items()) or "keine"
    if isinstance(value, (list, tuple)):
        return ", ".join(_flat(v) for v in value) or "keine"
    return str(value)


KV_COLUMNS = [Column("merkmal", "Merkmal"), Column("wert", "Wert", wrap=True, max_width=70)]


def publication_block(con: duckdb.DuckDBPyConnection) -> Block:
    pub = latest_publication(con) or {}
    entries = [
        ("Stichtag", _german_date(pub.get("stichtag") or latest_stichtag(con))),
        ("Quartal", pub.get("quartal")),
        ("Veröffentlicht am (UTC)", _german_date(pub.get("veroeffentlicht_am"))),
        ("Berechnetes Zeitfenster", " bis ".join(str(v) for v in (pub.get("fenster_von"), pub.get("fenster_bis"))
                                                 if v)),
        ("Lauf-ID", pub.get("lauf_id")),
        ("Code-Version", pub.get("code_version")),
        ("Veröffentlichungs-ID", pub.get("publikation_id")),
        ("Prüfungen", pub.get("pruefungen")),
        ("davon bestanden", pub.get("pruefungen_bestanden")),
        ("Warnungen", pub.get("warnungen")),
        ("Zusammenfassung der Prüfungen", summary_text(pub.get("pruefungen_zusammenfassung"))),
    ]
    shown = [{"merkmal": k, "wert": "" if v is None else str(v)} for k, v in entries if v not in (None, "")]
    if not pub:
        shown.insert(0, {"merkmal": "Hinweis",
                         "wert": "Die veröffentlichte Datei enthält kein Veröffentlichungsprotokoll."})
    return Block("Veröffentlichung", KV_COLUMNS, shown)


SOURCE_COLUMNS = [
    Column("titel", "Quelle", wrap=True, max_width=40),
    Column("amt", "Liefernde Stelle", wrap=True, max_width=40),
    Column("letzte_lieferung", "Letzte Lieferung (Stichtag)", "date"),
    Column("dateien", "Gelieferte Dateien", "count"),
    Column("indikatoren", "Werte der Wohnplätze am letzten fälligen Stichtag", wrap=True, max_width=44),
    Column("bestanden", "Prüfungen bestanden", "count"),
    Column("warnungen", "Warnungen", "count"),
    Column("fehler", "Fehler", "count"),
]
STATUS_WORDS = {"ok": "ok", "gesperrt": "gesperrt", "fehlt": "fehlt", "geschaetzt": "geschätzt"}


def source_block(con: duckdb.DuckDBPyConnection, cat: Mapping[str, Indikator],
                 quellen: Mapping[str, Mapping]) -> Block:
    """Per source: latest delivery, the state of its indicators at their latest due Stichtag, checks."""
    have = tables(con)
    deliveries: dict[str, dict] = {}
    if "dim_lieferung" in have:
        for r in rows(con, "SELECT quelle, max(stichtag) AS letzte, count(*) AS dateien "
                           "FROM dim_lieferung GROUP BY quelle"):
            deliveries[r["quelle"]] = r
    checks: dict[str, dict[str, int]] = {}
    if "mart_datenqualitaet" in have:
        for r in rows(con, "SELECT * FROM mart_datenqualitaet"):
            counts = checks.setdefault(r.get("quelle") or "", {"bestanden": 0, "warnung": 0, "fehler": 0})
            counts[_check_outcome(r)] += 1
    states = indicator_states(con, cat)
    ordered = list(quellen) + sorted((set(deliveries) | set(checks) | set(states)) - set(quellen) - {""})
    found = []
    for q in ordered:
        meta = quellen.get(q, {})
        c = checks.get(q, {})
        found.append({
            "titel": meta.get("titel") or q, "amt": meta.get("amt"),
            "letzte_lieferung": deliveries.get(q, {}).get("letzte"),
            "dateien": deliveries.get(q, {}).get("dateien", 0),
            "indikatoren": states.get(q, "keine Indikatoren aus dieser Quelle"),
            "bestanden": c.get("bestanden", 0), "warnungen": c.get("warnung", 0), "fehler": c.get("fehler", 0),
        })
    if "" in checks:
        c = checks[""]
        found.append({"titel": "übergreifende Prüfungen (Marts)", "amt": None, "letzte_lieferung": None,
                      "dateien": None, "indikatoren": None, "bestanden": c["bestanden"],
                      "warnungen": c["warnung"], "fehler": c["fehler"]})
    return Block("Datenstand je Quelle", SOURCE_COLUMNS, found)


def indicator_states(con: duckdb.DuckDBPyConnection, cat: Mapping[str, Indikator]) -> dict[str, str]:
    """'30.09.2026: 2.916 ok, 12 gesperrt, 0 fehlt' per source, over its indicators at Wohnplatz level."""
    if "mart_indikatoren" not in tables(con):
        return {}
    by_source: dict[str, list[str]] = {}
    for ind in cat.values():
        by_source.setdefault(ind.quelle, []).append(ind.indikator_id)
    result = {}
    for quelle, ids in by_source.items():
        found = rows(con, """
            WITH letzte AS (SELECT max(stichtag) AS s FROM mart_indikatoren
                            WHERE ebene = 'wohnplatz' AND indikator_id IN (SELECT unnest(?)))
            SELECT (SELECT s FROM letzte) AS stichtag, status, count(*) AS n FROM mart_indikatoren
            WHERE ebene = 'wohnplatz' AND indikator_id IN (SELECT unnest(?)) AND stichtag = (SELECT s FROM letzte)
            GROUP BY status ORDER BY status""", [ids, ids])
        if found:
            parts = [f"{r['n']:,}".replace(",", ".") + f" {STATUS_WORDS.get(r['status'], r['status'])}"
                     for r in found]
            result[quelle] = f"{_german_date(found[0]['stichtag'])}: " + ", ".join(parts)
    return result


CHECK_COLUMNS = [
    Column("quelle", "Quelle", wrap=True, max_width=30),
    Column("objekt", "Geprüftes Objekt", wrap=True, max_width=30),
    Column("pruefung", "Prüfung", wrap=True, max_width=36),
    Column("schweregrad", "Schweregrad"),
    Column("status", "Ergebnis"),
    Column("beschreibung", "Beschreibung", wrap=True, max_width=60),
]


SCHWEREGRAD = {"warn": "Warnung", "error": "Fehler (blockierend)"}


def findings_block(con: duckdb.DuckDBPyConnection, quellen: Mapping[str, Mapping]) -> Block:
    """Checks that did not pass (warnings that were published anyway, or anything unexpected)."""
    found = []
    if "mart_datenqualitaet" in tables(con):
        present = {c for c, _ in columns_of(con, "mart_datenqualitaet")}
        keys = [c.key for c in CHECK_COLUMNS if c.key in present]
        order = ", ".join(f'"{k}"' for k in keys) or "ALL"
        for r in rows(con, f"SELECT * FROM mart_datenqualitaet ORDER BY {order}"):
            if _check_outcome(r) != "bestanden":
                shown = {k: r.get(k) for k in (c.key for c in CHECK_COLUMNS)}
                titel = quellen.get(r.get("quelle"), {}).get("titel")
                shown["quelle"] = titel or r.get("quelle") or "übergreifend"
                shown["schweregrad"] = SCHWEREGRAD.get(str(r.get("schweregrad")).lower(), r.get("schweregrad"))
                found.append(shown)
    return Block("Prüfungen mit Befund (veröffentlicht mit Warnung)", CHECK_COLUMNS, found)


HISTORY_COLUMNS = [
    Column("veroeffentlicht_am", "Veröffentlicht am (UTC)", "datetime"),
    Column("stichtag", "Stichtag", "date"),
    Column("lauf_id", "Lauf-ID"),
    Column("code_version", "Code-Version"),
]


def history_block(con: duckdb.DuckDBPyConnection) -> Block:
    found = []
    if "publikation" in tables(con):
        present = {c for c, _ in columns_of(con, "publikation")}
        keys = [c.key for c in HISTORY_COLUMNS if c.key in present]
        if keys:
            order = "veroeffentlicht_am DESC" if "veroeffentlicht_am" in present else keys[0]
            found = rows(con, f"SELECT {', '.join(keys)} FROM publikation ORDER BY {order}")
    return Block("Bisherige Veröffentlichungen", HISTORY_COLUMNS, found)


def datenstand_sheet(con: duckdb.DuckDBPyConnection, cat: Mapping[str, Indikator],
                     quellen: Mapping[str, Mapping]) -> BlockSheet:
    return BlockSheet("Datenstand", "Datenstand dieser Veröffentlichung", [
        publication_block(con), source_block(con, cat, quellen), findings_block(con, quellen),
        history_block(con)])
