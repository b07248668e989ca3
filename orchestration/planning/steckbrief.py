"""The area profile (Steckbrief) of a Wohnplatz: one self-contained HTML file, optionally also as PDF.

For funding applications and integrated action plans. Everything comes from the published file, so a
profile never shows a number the publication did not: a suppressed cell reads 'gesperrt', never 0, and a
chart has a gap there. The file has inline CSS and inline SVG only (no script, no font, no image, no link
to anything) and a Content-Security-Policy that forbids loading anything, so it opens offline for ever.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

import pandas as pd

from orchestration.planning.formatting import (STATUS_GRUND_TEXT, as_date, datum, decimals_for, is_missing,
                                               ja_nein, quartal, zahl, zeitpunkt, zelle)
from orchestration.planning.published import (Wohnplatz, current_wohnplaetze, latest_publication, read_published,
                                              resolve_wohnplatz, table_names)
from orchestration.planning.svg import Series, class_strip, line_chart

# Indicators drawn as time series besides the index's status indicators (ids of the catalogue).
CHART_INDICATORS = ["sgb2_quote", "kinderarmut", "arbeitslosenanteil", "alleinerziehende_bg", "langzeitarbeitslose",
                    "hze_quote", "anteil_u18", "anteil_65plus", "anteil_nichtdeutsch", "grundsicherung_alter"]
STATUS_CSS = {"hoch": "k-hoch", "mittel": "k-mittel", "niedrig": "k-niedrig", "sehr niedrig": "k-sehrniedrig"}
DYNAMIK_CSS = {"positiv": "d-positiv", "stabil": "d-stabil", "negativ": "d-negativ"}
FLAG_CSS = {"ja": "h-ja", "nein": "h-nein"}
MASSNAHMEN_COLUMNS = [("massnahme_nr", "Nr."), ("titel", "Maßnahme"), ("traeger", "Träger"),
                      ("zielgruppe", "Zielgruppe"), ("beginn", "Beginn"), ("ende", "Ende"),
                      ("zielindikatoren", "Zielindikatoren")]


# ---------------------------------------------------------------- everything a profile needs, read once


@dataclass
class ProfileData:
    """The published file's content for all profiles, read once (81 profiles share one read)."""
    path: Path
    publication: dict | None
    stichtag: dt.date
    catalogue: pd.DataFrame
    areas: list[Wohnplatz]
    cells: dict[tuple[str, str], "AreaCells"]  # (ebene, gebiet_id) -> its cells of mart_indikatoren
    index: dict[str, pd.DataFrame]  # Wohnplatz -> its rows of mart_sozialindex
    drivers: dict[str, list[tuple[str, float]]]
    massnahmen: pd.DataFrame | None
    sources: pd.DataFrame
    quality: dict[str, int]
    deadline_checks: dict[str, tuple[str, str]]
    notes: list[str] = field(default_factory=list)

    def area_cells(self, ebene: str, gebiet_id: str | None) -> "AreaCells":
        return self.cells.get((ebene, gebiet_id or ""), {})


# indikator_id -> the area's cells of that indicator, oldest first; a cell is a dict with the keys
# stichtag, wert, status, status_grund (plain Python: 81 profiles x 36 indicators x 3 levels of look-ups)
AreaCells = dict[str, list[dict]]


def _group_cells(rows) -> dict[tuple[str, str], AreaCells]:
    cells: dict[tuple[str, str], AreaCells] = {}
    for ebene, gebiet_id, stichtag, indikator_id, wert, status, grund in rows:
        cells.setdefault((ebene, gebiet_id), {}).setdefault(indikator_id, []).append(
            {"stichtag": stichtag, "wert": wert, "status": status, "status_grund": grund})
    return cells


def load_profile_data(published_db: Path) -> ProfileData:
    with read_published(published_db) as con:
        tables = table_names(con)
        missing = {"mart_indikatoren", "dim_indikator", "dim_wohnplatz"} - tables
        if missing:
            raise ValueError(f"{published_db} lacks {', '.join(sorted(missing))}: not a complete publication")
        catalogue = con.execute("SELECT * FROM dim_indikator ORDER BY reihenfolge, indikator_id").df()
        cells = _group_cells(con.execute(
            """SELECT ebene, gebiet_id, stichtag, indikator_id, wert, status, status_grund
               FROM mart_indikatoren ORDER BY ebene, gebiet_id, indikator_id, stichtag""").fetchall())
        index = {}
        if "mart_sozialindex" in tables:
            frame = con.execute("""SELECT gebiet_id, stichtag, status_klasse, dynamik_klasse, handlungsbedarf,
                                   status_index, dynamik_index, grund_nicht_indexiert, grund_ohne_dynamik
                                   FROM mart_sozialindex ORDER BY gebiet_id, stichtag""").df()
            frame["stichtag"] = pd.to_datetime(frame["stichtag"]).dt.date
            index = {k: g.reset_index(drop=True) for k, g in frame.groupby("gebiet_id")}
        stichtag = as_date(con.execute("SELECT max(stichtag) FROM mart_indikatoren").fetchone()[0])
        data = ProfileData(
            path=Path(published_db), publication=latest_publication(con), stichtag=stichtag, catalogue=catalogue,
            areas=current_wohnplaetze(con), cells=cells, index=index, drivers=_drivers(con, tables, stichtag),
            massnahmen=con.execute("SELECT * FROM mart_massnahmen").df() if "mart_massnahmen" in tables else None,
            sources=_sources(con, tables, catalogue), quality=_quality_summary(con, tables),
            deadline_checks=_deadline_checks(con, tables))
    if data.massnahmen is None:
        data.notes.append("mart_massnahmen")
    return data


def _drivers(con, tables: set[str], stichtag) -> dict[str, list[tuple[str, float]]]:
    if "mart_sozialindex_komponenten" not in tables:
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for gebiet, name, z in con.execute(
            """SELECT gebiet_id, indikator_name, z_status FROM mart_sozialindex_komponenten
               WHERE stichtag = ? AND rolle = 'status' AND z_status IS NOT NULL
               ORDER BY gebiet_id, z_status DESC""", [stichtag]).fetchall():
        out.setdefault(gebiet, []).append((name, z))
    return out


def _sources(con, tables: set[str], catalogue: pd.DataFrame) -> pd.DataFrame:
    """Each source that feeds an indicator: title, office, cadence, newest delivered period."""
    used = sorted(set(catalogue["quelle"].dropna()))
    if "dim_quelle" not in tables:
        return pd.DataFrame({"quelle": used, "titel": used, "amt": "", "turnus": "", "zuletzt": None})
    last = "(SELECT max(periode) FROM dim_lieferung l WHERE l.quelle = q.quelle)" if "dim_lieferung" in tables else "NULL"
    return con.execute(f"""SELECT quelle, titel, amt, turnus, {last} AS zuletzt FROM dim_quelle q
                           WHERE quelle IN (SELECT unnest(?)) ORDER BY reihenfolge""", [used]).df()


def _quality_summary(con, tables: set[str]) -> dict[str, int]:
    if "mart_datenqualitaet" not in tables:
        return {}
    return dict(con.execute("SELECT status, count(*) FROM mart_datenqualitaet GROUP BY 1").fetchall())


def _deadline_checks(con, tables: set[str]) -> dict[str, tuple[str, str]]:
    if "mart_datenqualitaet" not in tables:
        return {}
    rows = con.execute("""SELECT quelle, status, beschreibung FROM mart_datenqualitaet
                          WHERE ebene = 'frist' AND quelle IS NOT NULL""").fetchall()
    return {q: (s, b or "") for q, s, b in rows}


# ---------------------------------------------------------------- public functions


def render_steckbrief(published_db: Path, wohnplatz: str, data: ProfileData | None = None) -> str:
    """The profile of one Wohnplatz (id or name) as one self-contained HTML document."""
    data = data or load_profile_data(Path(published_db))
    with read_published(data.path) as con:
        area = resolve_wohnplatz(con, wohnplatz)
    return _render(data, area)


def write_steckbriefe(published_db: Path, out_dir: Path, wohnplaetze: Sequence[str] | None = None, *,
                      pdf: bool = False) -> list[Path]:
    """One HTML file per Wohnplatz (all current ones when `wohnplaetze` is None); with `pdf`, a PDF beside each.

    Returns the HTML files. PDFs need Debian's chromium; without it PdfUnavailable is raised after the
    HTML files are written (they are complete on their own).
    """
    from orchestration.planning.pdf import PdfUnavailable, find_chromium, html_files_to_pdf

    data = load_profile_data(Path(published_db))
    if wohnplaetze is None:
        areas = data.areas
    else:
        with read_published(data.path) as con:
            areas = [resolve_wohnplatz(con, w) for w in wohnplaetze]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [_write_atomically(out_dir / steckbrief_file_name(area), _render(data, area)) for area in areas]
    if pdf:
        chromium = find_chromium()
        if chromium is None:
            raise PdfUnavailable()
        html_files_to_pdf(written, chromium)
    return written


def steckbrief_file_name(area: Wohnplatz) -> str:
    return f"steckbrief_{area.wohnplatz_id}_{_slug(area.name)}.html"


def _slug(name: str) -> str:
    text = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "wohnplatz"


def _write_atomically(target: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# ---------------------------------------------------------------- the document


def _render(data: ProfileData, area: Wohnplatz) -> str:
    sections = [_header(data, area), _overview(data, area), _indicator_table(data, area), _charts(data, area),
                _index_history(data, area), _measures(data, area), _data_status(data, area), _legend()]
    title = f"Steckbrief {area.name} ({area.kommune_name}) – Stichtag {datum(data.stichtag)}"
    return (
        "<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        + "".join(sections) + _footer(data) + "</main></body></html>\n")


def _publication_text(data: ProfileData) -> str:
    pub = data.publication or {}
    run = pub.get("lauf_id") or pub.get("publikation_id")
    if not run:
        return "Veröffentlichung ohne Protokoll"
    return f"Veröffentlichung vom {zeitpunkt(pub.get('veroeffentlicht_am'))}, Lauf {str(run)}"


def _header(data: ProfileData, area: Wohnplatz) -> str:
    einwohner = _latest(data.area_cells("wohnplatz", area.wohnplatz_id), "einwohner")
    facts = [("Kommune", area.kommune_name), ("Wohnplatz-Nr.", area.wohnplatz_id),
             ("Stichtag", f"{datum(data.stichtag)} ({quartal(data.stichtag)})"),
             ("Einwohnerinnen und Einwohner", zelle(einwohner.get("wert"), einwohner.get("status"), "Anzahl")
              if einwohner else "–")]
    if area.flaeche_km2:
        facts.append(("Fläche", f"{zahl(area.flaeche_km2, 2)} km²"))
    facts.append(("Datenstand", _publication_text(data)))
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    return (f'<header><p class="dachzeile">Sozialmonitoring Rheinisch-Bergischer Kreis · Steckbrief</p>'
            f"<h1>{escape(area.name)}</h1><dl class=\"fakten\">{items}</dl></header>")


def _latest(cells: AreaCells, indikator_id: str) -> dict:
    series = cells.get(indikator_id)
    return series[-1] if series else {}


def _at(cells: AreaCells, indikator_id: str, stichtag: dt.date) -> dict:
    return next((c for c in reversed(cells.get(indikator_id, [])) if c["stichtag"] == stichtag), {})


def _index_rows(data: ProfileData, area: Wohnplatz) -> pd.DataFrame:
    return data.index.get(area.wohnplatz_id, pd.DataFrame(columns=["stichtag", "status_klasse", "dynamik_klasse",
                                                                     "handlungsbedarf"]))


def _flag_since(rows: pd.DataFrame) -> dt.date | None:
    """First Stichtag of the current unbroken run of 'Handlungsbedarf: ja'."""
    since = None
    for r in rows.itertuples():
        flagged = not is_missing(r.handlungsbedarf) and bool(r.handlungsbedarf)
        since = (since or r.stichtag) if flagged else None
    return since


def _overview(data: ProfileData, area: Wohnplatz) -> str:
    rows = _index_rows(data, area)
    if rows.empty:
        return ('<section class="ueberblick"><h2>Sozialindex</h2><p class="leer">Der Sozialindex ist in dieser '
                "Veröffentlichung nicht enthalten.</p></section>")
    now = rows.iloc[-1]
    flag = ja_nein(now["handlungsbedarf"])
    since = _flag_since(rows)
    first = rows.iloc[0]["stichtag"]
    since_text = f" seit {datum(since)}" + (" (Beginn der Reihe)" if since == first else "") if since else ""
    flag_text = {"ja": f"Handlungsraum{since_text}", "nein": "kein Handlungsbedarf",
                 "unbestimmt": "nicht bestimmbar"}[flag]
    reason = now.get("grund_nicht_indexiert") or now.get("grund_ohne_dynamik")
    boxes = [("Statusklasse", now["status_klasse"] or "nicht indexiert", STATUS_CSS.get(now["status_klasse"], "k-leer")),
             ("Dynamik", now["dynamik_klasse"] or "nicht bestimmt", DYNAMIK_CSS.get(now["dynamik_klasse"], "k-leer")),
             ("Handlungsbedarf", flag_text, FLAG_CSS.get(flag, "k-leer"))]
    html = "".join(f'<div class="kachel {css}"><span>{escape(k)}</span><strong>{escape(str(v))}</strong></div>'
                   for k, v, css in boxes)
    drivers = [(n, z) for n, z in data.drivers.get(area.wohnplatz_id, []) if z > 0][:3]
    extra = ""
    if drivers:
        extra += ("<p>Die Statusindikatoren mit den höchsten z-Werten (über dem Kreismittel der Wohnplätze): "
                  + ", ".join(f"{escape(n)} (z = {zahl(z, 1)})" for n, z in drivers) + ".</p>")
    if not is_missing(reason):
        extra += f'<p class="hinweis">Hinweis zum Index: {escape(str(reason))}.</p>'
    return (f'<section class="ueberblick"><h2>Sozialindex zum {datum(now["stichtag"])}</h2>'
            f'<div class="kacheln">{html}</div>{extra}</section>')


def _indicator_table(data: ProfileData, area: Wohnplatz) -> str:
    own = data.area_cells("wohnplatz", area.wohnplatz_id)
    kommune = data.area_cells("kommune", area.ags)
    kreis_id = next((k[1] for k in data.cells if k[0] == "kreis"), None)
    kreis = data.area_cells("kreis", kreis_id)
    body, thema = [], None
    for ind in data.catalogue.itertuples():
        if ind.thema != thema:
            thema = ind.thema
            body.append(f'<tr class="thema"><th colspan="7">{escape(str(thema))}</th></tr>')
        cell = _latest(own, ind.indikator_id)
        definition = _definition(ind)
        if not cell:
            body.append(f'<tr data-indikator="{escape(ind.indikator_id)}"><td title="{escape(definition)}">'
                        f'{escape(ind.name)}</td><td>{escape(ind.einheit)}</td><td colspan="4" class="leer">'
                        "in dieser Veröffentlichung nicht enthalten</td><td></td></tr>")
            continue
        day = cell["stichtag"]
        k_cell, r_cell = _at(kommune, ind.indikator_id, day), _at(kreis, ind.indikator_id, day)
        note = _status_note(cell, own, ind)
        body.append(
            f'<tr data-indikator="{escape(ind.indikator_id)}"><td title="{escape(definition)}">{escape(ind.name)}'
            f'</td><td>{escape(ind.einheit)}</td><td>{datum(day)}</td>{_value_td(cell, ind.einheit, True)}'
            f'{_value_td(k_cell, ind.einheit)}{_value_td(r_cell, ind.einheit)}<td class="notiz">{note}</td></tr>')
    head = ("<tr><th>Indikator</th><th>Einheit</th><th>Stand</th><th>Wohnplatz</th>"
            f"<th>{escape(area.kommune_name)}</th><th>Kreis</th><th>Hinweis</th></tr>")
    return ('<section class="indikatoren"><h2>Alle Indikatoren im Vergleich</h2>'
            "<p>Neuester Wert jedes Indikators des Katalogs für den Wohnplatz, die Kommune und den Kreis "
            "(jährliche Indikatoren zum Stichtag ihrer letzten Lieferung). Die Definition zeigt der Tooltip.</p>"
            f'<table class="werte"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></section>')


def _definition(ind) -> str:
    text = f"{ind.zaehler}"
    if isinstance(ind.nenner, str) and ind.nenner:
        text += f" je {ind.nenner}"
    return text + f" (Quelle: {ind.quelle}, Turnus: {ind.turnus})"


def _value_td(cell: dict, einheit: str, own: bool = False) -> str:
    if not cell:
        return '<td class="wert leer">–</td>'
    status = cell.get("status")
    css = {"gesperrt": "gesperrt", "fehlt": "fehlt", "geschaetzt": "geschaetzt"}.get(status, "")
    # the unit stands in its own column; a suppressed or missing cell reads as such, never as a number
    text = zelle(cell.get("wert"), status, "Anzahl" if einheit == "Anzahl" else None)
    if status not in ("gesperrt", "fehlt") and not is_missing(cell.get("wert")):
        text = zahl(cell.get("wert"), decimals_for(einheit))
    return f'<td class="wert {css}{" eigen" if own else ""}" data-status="{escape(str(status))}">{escape(text)}</td>'


def _status_note(cell: dict, own: AreaCells, ind) -> str:
    status, grund = cell.get("status"), cell.get("status_grund")
    if status == "gesperrt":
        return f"gesperrt: {escape(STATUS_GRUND_TEXT.get(grund or '', grund or 'Datenschutz'))}"
    if status == "fehlt":
        previous = [c for c in own.get(ind.indikator_id, []) if c["status"] in ("ok", "geschaetzt")]
        text = f"fehlt: {escape(STATUS_GRUND_TEXT.get(grund or '', grund or 'nicht geliefert'))}"
        if previous:
            last = previous[-1]
            text += f"; zuletzt {escape(zelle(last['wert'], last['status'], ind.einheit))} ({datum(last['stichtag'])})"
        return text
    if status == "geschaetzt":
        return "geschätzt: aus dem alten Gebietsstand umgeschlüsselt"
    return ""


def _points(cells: AreaCells, indikator_id: str) -> list[tuple[dt.date, float | None]]:
    return [(c["stichtag"], None if c["status"] not in ("ok", "geschaetzt") or is_missing(c["wert"])
             else float(c["wert"])) for c in cells.get(indikator_id, [])]


def _chart_ids(data: ProfileData) -> list[str]:
    in_index = [i for i in data.catalogue.loc[data.catalogue["im_index"] == "status", "indikator_id"]]
    known = set(data.catalogue["indikator_id"])
    return list(dict.fromkeys([*in_index, *[i for i in CHART_INDICATORS if i in known]]))


def _charts(data: ProfileData, area: Wohnplatz) -> str:
    own = data.area_cells("wohnplatz", area.wohnplatz_id)
    kommune = data.area_cells("kommune", area.ags)
    kreis_id = next((k[1] for k in data.cells if k[0] == "kreis"), None)
    kreis = data.area_cells("kreis", kreis_id)
    catalogue = data.catalogue.set_index("indikator_id")
    figures = []
    einwohner = _points(own, "einwohner")
    if einwohner:
        figures.append(_figure("Einwohnerinnen und Einwohner", "Anzahl",
                               line_chart([Series(area.name, einwohner, "gebiet")],
                                          title=f"Einwohner {area.name}", decimals=0), own, "einwohner"))
    for ind_id in _chart_ids(data):
        if ind_id == "einwohner":
            continue
        ind = catalogue.loc[ind_id]
        series = [Series(area.name, _points(own, ind_id), "gebiet"),
                  Series(area.kommune_name, _points(kommune, ind_id), "kommune"),
                  Series("Kreis", _points(kreis, ind_id), "kreis")]
        if not any(v is not None for s in series for _, v in s.points):
            continue
        gaps = [d for d, v in series[0].points if v is None and _status_on(own, ind_id, d) == "gesperrt"]
        estimated = [c["stichtag"] for c in own.get(ind_id, []) if c["status"] == "geschaetzt"]
        chart = line_chart(series, title=f"{ind['name']} – {area.name}, {area.kommune_name}, Kreis",
                           decimals=decimals_for(ind["einheit"]), gaps=gaps,
                           shaded=(min(estimated), max(estimated)) if estimated else None,
                           shaded_label="geschätzt (aus dem alten Gebietsstand umgeschlüsselt)")
        figures.append(_figure(str(ind["name"]), str(ind["einheit"]), chart, own, ind_id))
    legend = ('<p class="linienlegende"><span class="l-gebiet"></span>' + escape(area.name)
              + '<span class="l-kommune"></span>' + escape(area.kommune_name)
              + '<span class="l-kreis"></span>Kreis <span class="l-geschaetzt"></span>geschätzt '
              '<span class="l-sperre">×</span>gesperrt (Lücke in der Linie)</p>')
    return (f'<section class="zeitreihen"><h2>Zeitreihen</h2>{legend}<div class="raster">{"".join(figures)}</div>'
            "</section>")


def _status_on(cells: AreaCells, indikator_id: str, day: dt.date) -> str | None:
    cell = _at(cells, indikator_id, day)
    return cell.get("status") if cell else None


def _figure(title: str, einheit: str, chart: str, own: AreaCells, ind_id: str) -> str:
    return (f'<figure data-indikator="{escape(ind_id)}"><figcaption>{escape(title)} '
            f'<span class="einheit">({escape(einheit)})</span></figcaption>{chart}</figure>')


def _index_history(data: ProfileData, area: Wohnplatz) -> str:
    rows = _index_rows(data, area)
    if rows.empty:
        return ""
    status = class_strip([(r.stichtag, r.status_klasse or None) for r in rows.itertuples()], STATUS_CSS,
                         title="Statusklasse je Stichtag")
    dynamik = class_strip([(r.stichtag, r.dynamik_klasse or None) for r in rows.itertuples()], DYNAMIK_CSS,
                          title="Dynamikklasse je Stichtag")
    flags = class_strip([(r.stichtag, None if is_missing(r.handlungsbedarf) else ja_nein(r.handlungsbedarf))
                         for r in rows.itertuples()], FLAG_CSS, title="Handlungsbedarf je Stichtag")
    yearly = rows.groupby(rows["stichtag"].map(lambda d: d.year)).tail(1)
    table = "".join(
        f"<tr><td>{datum(r.stichtag)}</td><td class=\"{STATUS_CSS.get(r.status_klasse, '')}\">"
        f"{escape(r.status_klasse or 'nicht indexiert')}</td><td>{escape(zahl(r.status_index, 2))}</td>"
        f"<td>{escape(r.dynamik_klasse or '–')}</td><td>{escape(ja_nein(r.handlungsbedarf))}</td></tr>"
        for r in yearly.itertuples())
    legend = "".join(f'<span class="chip {css}">{escape(k)}</span>' for k, css in STATUS_CSS.items())
    dyn_legend = "".join(f'<span class="chip {css}">{escape(k)}</span>' for k, css in DYNAMIK_CSS.items())
    return ('<section class="verlauf"><h2>Verlauf im Sozialindex</h2>'
            f'<h3>Statusklasse</h3>{status}<p class="klassen">{legend}<span class="k-leer schraffiert">nicht indexiert'
            f'</span></p><h3>Dynamik</h3>{dynamik}<p class="klassen">{dyn_legend}</p><h3>Handlungsbedarf</h3>{flags}'
            '<p class="klassen"><span class="chip h-ja">ja</span><span class="chip h-nein">nein</span>'
            '<span class="k-leer schraffiert">nicht bestimmbar</span></p>'
            '<table class="jahre"><thead><tr><th>Stichtag</th><th>Statusklasse</th><th>Statusindex</th>'
            f"<th>Dynamik</th><th>Handlungsbedarf</th></tr></thead><tbody>{table}</tbody></table></section>")


def _measures(data: ProfileData, area: Wohnplatz) -> str:
    title = '<section class="massnahmen"><h2>Maßnahmen im Wohnplatz</h2>'
    if data.massnahmen is None:
        return (title + '<p class="hinweis">Das Maßnahmenregister ist in dieser Veröffentlichung noch nicht '
                "enthalten (Tabelle mart_massnahmen fehlt); Maßnahmen können daher hier nicht gezeigt werden.</p>"
                "</section>")
    frame = _measures_of(data.massnahmen, area)
    if frame.empty:
        return title + "<p>Im Maßnahmenregister ist für diesen Wohnplatz keine Maßnahme eingetragen.</p></section>"
    names = dict(zip(data.catalogue["indikator_id"], data.catalogue["name"]))
    cols = [(c, label) for c, label in MASSNAHMEN_COLUMNS if c in frame.columns]
    head = "".join(f"<th>{escape(label)}</th>" for _, label in cols)
    body = "".join("<tr>" + "".join(f"<td>{escape(_measure_cell(c, r.get(c), r, names))}</td>" for c, _ in cols)
                   + "</tr>" for r in frame.to_dict("records"))
    return (title + f'<table class="massnahmen"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            "<p class=\"hinweis\">Die Entwicklung der Zielindikatoren neben einer Maßnahme beschreibt, was im "
            "Gebiet geschah; sie ist kein Nachweis einer Wirkung der Maßnahme.</p></section>")


def _measures_of(frame: pd.DataFrame, area: Wohnplatz) -> pd.DataFrame:
    """The measures of a Wohnplatz, one row per measure, whatever the grain of mart_massnahmen."""
    for column in ("wohnplatz_id", "gebiet_id"):
        if column in frame.columns:
            rows = frame[frame[column].astype(str) == area.wohnplatz_id]
            break
    else:
        if "wohnplaetze" not in frame.columns:
            return frame.iloc[0:0]
        rows = frame[frame["wohnplaetze"].astype(str).map(
            lambda text: area.wohnplatz_id in text or area.name.casefold() in text.casefold())]
    key = "massnahme_nr" if "massnahme_nr" in rows.columns else ("titel" if "titel" in rows.columns else None)
    if key is None:
        return rows
    if "indikator_id" in rows.columns and "zielindikatoren" not in rows.columns:  # long per target indicator
        targets = rows.groupby(key)["indikator_id"].agg(lambda s: ";".join(dict.fromkeys(map(str, s.dropna()))))
        rows = rows.drop_duplicates(key).assign(zielindikatoren=lambda f: f[key].map(targets))
    rows = rows.drop_duplicates(key)
    return rows.sort_values("beginn" if "beginn" in rows.columns else key, kind="stable")


def _measure_cell(column: str, value, row: dict, names: dict[str, str]) -> str:
    if column == "ende" and is_missing(value):
        return "laufend" if row.get("laufend") in (True, None) or is_missing(row.get("laufend")) else "–"
    if is_missing(value):
        return "–"
    if column in ("beginn", "ende"):
        day = as_date(value)
        return day.strftime("%m/%Y") if day else str(value)
    if column == "zielindikatoren":
        return ", ".join(names.get(i.strip(), i.strip()) for i in re.split(r"[;,]", str(value)) if i.strip())
    return str(value)


def _data_status(data: ProfileData, area: Wohnplatz) -> str:
    pub = data.publication or {}
    own = data.area_cells("wohnplatz", area.wohnplatz_id)
    counts: dict[str, int] = {}
    for series in own.values():
        counts[series[-1]["status"]] = counts.get(series[-1]["status"], 0) + 1
    facts = [("Veröffentlicht am", zeitpunkt(pub.get("veroeffentlicht_am")) or "unbekannt"),
             ("Lauf", str(pub.get("lauf_id") or pub.get("publikation_id") or "unbekannt")),
             ("Programmstand", str(pub.get("code_version") or "unbekannt"))]
    if not is_missing(pub.get("pruefungen")):
        facts.append(("Prüfungen", f"{int(pub.get('pruefungen_bestanden') or 0)} von {int(pub['pruefungen'])} "
                                   f"bestanden, {int(pub.get('warnungen') or 0)} Warnungen"))
    if data.quality:
        facts.append(("Datenqualität (mart_datenqualitaet)", ", ".join(f"{v} {k}" for k, v in sorted(data.quality.items()))))
    facts.append(("Werte dieses Wohnplatzes", f"{counts.get('ok', 0)} veröffentlicht, {counts.get('geschaetzt', 0)} "
                                              f"geschätzt, {counts.get('gesperrt', 0)} gesperrt, "
                                              f"{counts.get('fehlt', 0)} fehlen"))
    items = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    rows = []
    for s in data.sources.itertuples():
        check = data.deadline_checks.get(s.quelle)
        state = "–" if not check else ("eingehalten" if check[0] == "bestanden" else (check[1] or check[0]))
        css = "" if not check or check[0] == "bestanden" else ' class="warnung"'
        rows.append(f"<tr><td>{escape(str(s.titel))}</td><td>{escape(str(s.amt or ''))}</td>"
                    f"<td>{escape(str(s.turnus or ''))}</td><td>{escape(str(s.zuletzt or '–'))}</td>"
                    f"<td{css}>{escape(state)}</td></tr>")
    return ('<section class="datenstand"><h2>Datenstand</h2>'
            f'<table class="fakten">{items}</table>'
            '<table class="quellen"><thead><tr><th>Quelle</th><th>Liefernde Stelle</th><th>Turnus</th>'
            f'<th>Zuletzt geliefert</th><th>Lieferfrist</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            "</section>")


def _legend() -> str:
    return ('<section class="legende"><h2>Zeichenerklärung</h2><dl>'
            '<dt><span class="wert gesperrt">gesperrt</span></dt><dd>Aus Datenschutzgründen nicht veröffentlicht: '
            "Fallzahl 1 oder 2, Bezugsgröße unter der Mindestgröße des Indikators (in der Regel 20), von der "
            "liefernden Stelle maskiert, oder Sekundärsperrung (damit sich eine gesperrte Zahl nicht aus der "
            "Summe der Kommune zurückrechnen lässt). Ein gesperrter Wert ist <strong>nicht 0</strong>; in den "
            "Zeitreihen ist er eine Lücke (×).</dd>"
            '<dt><span class="wert fehlt">fehlt</span></dt><dd>Die Quelle hat für diesen Stichtag nicht (oder nicht '
            "vollständig) geliefert.</dd>"
            '<dt><span class="wert geschaetzt">kursiv</span></dt><dd>Geschätzt: Werte vor der Gebietsreform '
            "(1.1.2021), aus den alten Wohnplätzen auf die heutigen umgeschlüsselt.</dd>"
            "<dt>–</dt><dd>Für diesen Stichtag gibt es keinen Wert (der Indikator ist dann nicht fällig).</dd>"
            "<dt>Statusklasse</dt><dd>Sozialindex nach dem Berliner „Monitoring Soziale Stadtentwicklung“: "
            "hoch, mittel, niedrig, sehr niedrig (sozialer Status). Dynamik: Veränderung über zwei Jahre "
            "(positiv, stabil, negativ). Handlungsbedarf nach der konfigurierten Regel.</dd></dl></section>")


def _footer(data: ProfileData) -> str:
    return (f'<footer>Erstellt am {dt.datetime.now().strftime("%d.%m.%Y")} aus {escape(data.path.name)} '
            f"({escape(_publication_text(data))}). Alle Zahlen sind die veröffentlichten; gesperrte Werte "
            "bleiben gesperrt.</footer>")


CSS = """
*{box-sizing:border-box}
body{-webkit-print-color-adjust:exact;print-color-adjust:exact;margin:0;background:#f4f4f1;color:#1d1d1b;font:14px/1.45 "DejaVu Sans","Liberation Sans",Arial,sans-serif}
main{max-width:960px;margin:0 auto;padding:24px 28px;background:#fff}
h1{font-size:28px;margin:2px 0 10px}h2{font-size:18px;margin:26px 0 8px;border-bottom:2px solid #23467a;padding-bottom:3px;color:#23467a}
h3{font-size:13px;margin:10px 0 3px;color:#444}
.dachzeile{margin:0;color:#555;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
dl.fakten{display:flex;flex-wrap:wrap;gap:6px 22px;margin:0}dl.fakten dt{font-size:11px;color:#666}dl.fakten dd{margin:0;font-weight:600}
.kacheln{display:flex;gap:10px;flex-wrap:wrap}.kachel{flex:1 1 200px;padding:10px 12px;border-radius:4px;border:1px solid #ccc}
.kachel span{display:block;font-size:11px;text-transform:uppercase;letter-spacing:.04em}.kachel strong{font-size:18px}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{padding:3px 6px;border-bottom:1px solid #e2e2dc;text-align:left;vertical-align:top}
table.werte td.wert,table.werte th:nth-child(n+4):nth-child(-n+6){text-align:right;white-space:nowrap}
table.werte td.eigen{font-weight:600}tr.thema th{background:#eef1f6;color:#23467a;padding-top:6px}
td.notiz{font-size:11.5px;color:#555}td.leer,.leer{color:#777;font-style:italic}
.wert.gesperrt{color:#6b6b6b;background:repeating-linear-gradient(45deg,#f1f1f1 0 4px,#e3e3e3 4px 8px);font-style:normal}
.wert.fehlt{color:#9b2c2c}.wert.geschaetzt{font-style:italic}
.raster{display:grid;grid-template-columns:repeat(2,1fr);gap:8px 18px}figure{margin:0;break-inside:avoid}
figcaption{font-size:12.5px;font-weight:600}.einheit{font-weight:400;color:#666}
svg.chart{width:100%;height:auto}svg.streifen{width:100%;height:auto;display:block}
svg .raster{stroke:#e4e4e4}svg .nulllinie,svg .jahr{stroke:#888}svg .achse{font-size:10px;fill:#555}
svg .linie{fill:none;stroke-width:2}svg .gebiet{stroke:#b5443b}svg circle.gebiet{fill:#b5443b}
svg .kommune{stroke:#2b6cb0;stroke-dasharray:5 3}svg circle.kommune{fill:#2b6cb0}
svg .kreis{stroke:#555;stroke-dasharray:1.5 2.5}svg circle.kreis{fill:#555}
svg .geschaetzt{fill:#f3efe2}svg .sperrmarke{stroke:#6b6b6b;stroke-width:1.6}svg .schraffur{stroke:#c9c9c9;stroke-width:3}
.linienlegende span{display:inline-block;width:22px;height:0;margin:0 5px 3px 12px;border-top:2px solid}
.linienlegende .l-gebiet{border-color:#b5443b}.linienlegende .l-kommune{border-top:2px dashed #2b6cb0}
.linienlegende .l-kreis{border-top:2px dotted #555}.linienlegende .l-geschaetzt{height:10px;border:0;background:#f3efe2}
.linienlegende .l-sperre{border:0;width:auto;color:#6b6b6b;font-weight:700}
.k-hoch{background:#d9efe1;fill:#5fa777}.k-mittel{background:#eceff3;fill:#b7c1cd}.k-niedrig{background:#fbe3cc;fill:#e08a3c}
.k-sehrniedrig{background:#f6d0cc;fill:#c2412f}.k-leer{background:#fafafa;fill:#f4f4f4}
.d-positiv{background:#d9efe1;fill:#5fa777}.d-stabil{background:#eceff3;fill:#b7c1cd}.d-negativ{background:#f6d0cc;fill:#c2412f}
.h-ja{background:#f6d0cc;fill:#c2412f}.h-nein{background:#e6eef7;fill:#9fb7d3}
.klassen span{display:inline-block;padding:1px 8px;margin:2px 6px 2px 0;font-size:11.5px;border-radius:3px}
.chip.k-hoch,.chip.d-positiv{background:#5fa777;color:#fff}.chip.k-mittel,.chip.d-stabil{background:#b7c1cd}
.chip.k-niedrig{background:#e08a3c;color:#fff}.chip.k-sehrniedrig,.chip.d-negativ,.chip.h-ja{background:#c2412f;color:#fff}
.chip.h-nein{background:#9fb7d3}
.schraffiert{background:repeating-linear-gradient(45deg,#fafafa 0 3px,#ddd 3px 5px)}
table.jahre{margin-top:10px;width:auto}table.jahre td,table.jahre th{padding:2px 10px}
td.warnung{color:#9b2c2c;font-weight:600}.hinweis{color:#555;font-size:12.5px}
table.fakten{width:auto;margin-bottom:10px}table.fakten th{font-weight:400;color:#555;padding-right:16px}
.legende dl{display:grid;grid-template-columns:120px 1fr;gap:4px 12px;font-size:12.5px}.legende dt{font-weight:600}.legende dd{margin:0}
.legende .wert{padding:0 6px}
footer{margin-top:24px;padding-top:8px;border-top:1px solid #ccc;color:#666;font-size:11px}
@page{size:A4;margin:12mm}
@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}section{break-inside:auto}
 h2{break-after:avoid}figure,table.jahre,.kacheln{break-inside:avoid}tr{break-inside:avoid}}
"""
