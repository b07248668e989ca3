"""Priority lists: facilities ranked by an indicator of their Wohnplatz, from the published mart_priorisierung.

The caries-prevention programme went first to day-care centres in Wohnplätze with many transfer-benefit
recipients; this is that list, reproducible. The ranking itself is the mart's (rank and quintil at the
latest Stichtag); this module selects, orders and explains it. A facility whose area value is suppressed
or missing has no rank: it is listed last, and says why, instead of being ranked as if its value were 0.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from orchestration.planning.formatting import STATUS_TEXT, datum, decimals_for, ja_nein, zeitpunkt
from orchestration.planning.published import column_names, latest_publication, read_published, table_names

TABLE = "mart_priorisierung"
# Logical field -> column names accepted in mart_priorisierung (first match wins).
FIELDS = {
    "einrichtung": ["einrichtung_name", "einrichtung", "name"],
    "art": ["einrichtung_art", "art", "einrichtungsart"],
    "wohnplatz_id": ["wohnplatz_id", "gebiet_id"],
    "indikator_id": ["indikator_id"],
    "wert": ["wert", "indikator_wert"],
    "status": ["status", "wert_status", "indikator_status"],
    "rang": ["rang"],
    "quintil": ["quintil"],
    "handlungsraum": ["handlungsraum", "handlungsbedarf", "ist_handlungsraum"],
    # optional
    "einrichtung_id": ["einrichtung_id", "einrichtung_nr"],
    "wohnplatz": ["wohnplatz_name", "gebiet_name"],
    "kommune": ["kommune_name"],
    "plaetze": ["plaetze"],
    "stichtag": ["stichtag"],
}
REQUIRED = ["einrichtung", "art", "wohnplatz_id", "indikator_id", "wert", "status", "rang", "quintil", "handlungsraum"]
OUTPUT = ["rang", "einrichtung", "art", "plaetze", "wohnplatz_id", "wohnplatz", "kommune", "wert", "status",
          "quintil", "handlungsraum", "hinweis", "indikator_id", "stichtag"]
PUBLISHED = ("ok", "geschaetzt")


class PriorisierungMissing(LookupError):
    """The published file has no mart_priorisierung (the facility ranking is not published yet)."""


def priority_list(published_db: Path, einrichtung: str = "kita", indikator: str = "sgb2_quote",
                  top: int | None = None) -> pd.DataFrame:
    """Facilities of one kind ranked by the indicator's value in their Wohnplatz; unranked (suppressed) last.

    The frame's attrs carry what a reader needs: indikator_name, einheit, definition, stichtag, publikation,
    ohne_rang (how many facilities have no published value), gesamt (before `top`).
    """
    with read_published(published_db) as con:
        if TABLE not in table_names(con):
            raise PriorisierungMissing(
                f"{TABLE} is not in the published file {published_db}: the facility ranking has not been "
                "published yet (it comes with the facilities source and the priorisierung mart)")
        columns = _resolve_columns(column_names(con, TABLE))
        frame = con.execute(f"SELECT * FROM {TABLE}").df()
        catalogue = con.execute("SELECT * FROM dim_indikator").df() if "dim_indikator" in table_names(con) else None
        names = _area_names(con)
        publication = latest_publication(con)
    frame = frame.rename(columns={column: field for field, column in columns.items()})
    frame = _select(frame, einrichtung, indikator)
    if "stichtag" in frame.columns:
        frame = frame[frame["stichtag"] == frame["stichtag"].max()]
    frame = _with_area_names(frame, names)
    ordered = _order(frame)
    meta = _indicator_meta(catalogue, indikator)
    total, unranked = len(ordered), int((~ordered["_veroeffentlicht"]).sum())
    ordered = ordered.head(top) if top else ordered
    out = ordered.reindex(columns=OUTPUT).reset_index(drop=True)
    stichtag = frame["stichtag"].max() if "stichtag" in frame.columns and len(frame) else None
    out.attrs.update(meta, einrichtung=einrichtung, stichtag=stichtag, gesamt=total, ohne_rang=unranked,
                     publikation=publication or {})
    return out


def _resolve_columns(available: list[str]) -> dict[str, str]:
    resolved, missing = {}, []
    for field, candidates in FIELDS.items():
        column = next((c for c in candidates if c in available), None)
        if column:
            resolved[field] = column
        elif field in REQUIRED:
            missing.append(f"{field} (one of {', '.join(candidates)})")
    if missing:
        raise ValueError(f"{TABLE} lacks columns needed for the priority list: {'; '.join(missing)}. "
                         f"It has: {', '.join(available)}")
    return resolved


def _select(frame: pd.DataFrame, einrichtung: str, indikator: str) -> pd.DataFrame:
    kinds = sorted(frame["art"].dropna().astype(str).unique())
    wanted = einrichtung.strip().casefold()
    rows = frame[frame["art"].astype(str).str.casefold() == wanted]
    if rows.empty:
        raise ValueError(f"no facilities of kind '{einrichtung}' in {TABLE}; kinds: {', '.join(kinds) or 'none'}")
    indicators = sorted(rows["indikator_id"].dropna().astype(str).unique())
    rows = rows[rows["indikator_id"] == indikator]
    if rows.empty:
        raise ValueError(f"{TABLE} ranks '{einrichtung}' by {', '.join(indicators) or 'no indicator'}, "
                         f"not by '{indikator}'")
    return rows.copy()


def _area_names(con) -> dict[str, tuple[str, str]]:
    if "dim_wohnplatz" not in table_names(con):
        return {}
    rows = con.execute("""SELECT w.wohnplatz_id, w.name, coalesce(k.name, w.ags) FROM dim_wohnplatz w
                          LEFT JOIN dim_kommune k ON k.ags = w.ags WHERE w.ist_aktuell""").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _with_area_names(frame: pd.DataFrame, names: dict[str, tuple[str, str]]) -> pd.DataFrame:
    if "wohnplatz" not in frame.columns:
        frame["wohnplatz"] = frame["wohnplatz_id"].map(lambda w: names.get(w, (w, ""))[0])
    if "kommune" not in frame.columns:
        frame["kommune"] = frame["wohnplatz_id"].map(lambda w: names.get(w, ("", ""))[1])
    return frame


def _order(frame: pd.DataFrame) -> pd.DataFrame:
    """Ranked facilities by rank (ties by name), then those without a published value, with the reason."""
    frame = frame.copy()
    frame["_veroeffentlicht"] = frame["status"].isin(PUBLISHED) & frame["wert"].notna() & frame["rang"].notna()
    frame["hinweis"] = [_note(s, ok) for s, ok in zip(frame["status"], frame["_veroeffentlicht"])]
    ok = frame["_veroeffentlicht"]
    frame["_gruppe"] = (~ok).astype(int)
    frame["_rang"] = pd.to_numeric(frame["rang"], errors="coerce").where(ok)
    frame["_wohnplatz"] = frame["wohnplatz"].astype(str).where(~ok, "")
    frame = frame.sort_values(["_gruppe", "_rang", "_wohnplatz", "einrichtung"], kind="stable")
    frame = frame.astype({"rang": "Int64", "quintil": "Int64", "wert": "float64"})
    frame.loc[~frame["_veroeffentlicht"], ["rang", "quintil"]] = pd.NA
    hidden = ~frame["status"].isin(PUBLISHED)
    frame.loc[hidden, "wert"] = float("nan")  # never a number for a hidden value
    return frame.drop(columns=["_gruppe", "_rang", "_wohnplatz"])


def _note(status, published: bool) -> str:
    if published:
        return "geschätzt (umgeschlüsselt)" if status == "geschaetzt" else ""
    if status == "gesperrt":
        return "Wert gesperrt (Datenschutz): ohne Rang, ans Ende gestellt"
    if status == "fehlt":
        return "Wert fehlt (nicht geliefert): ohne Rang, ans Ende gestellt"
    if status in PUBLISHED:
        return "ohne Rang in mart_priorisierung: ans Ende gestellt"
    return "kein veröffentlichter Wert: ohne Rang, ans Ende gestellt"


def _indicator_meta(catalogue: pd.DataFrame | None, indikator: str) -> dict:
    if catalogue is None or indikator not in set(catalogue["indikator_id"]):
        return {"indikator_id": indikator, "indikator_name": indikator, "einheit": "", "definition": "",
                "polaritaet": ""}
    row = catalogue[catalogue["indikator_id"] == indikator].iloc[0]
    definition = str(row["zaehler"]) + (f" je {row['nenner']}" if isinstance(row["nenner"], str) and row["nenner"] else "")
    return {"indikator_id": indikator, "indikator_name": str(row["name"]), "einheit": str(row["einheit"]),
            "definition": definition, "polaritaet": str(row["polaritaet"])}


# ---------------------------------------------------------------- the workbook


def german_headers(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, German header) for the printed table and the workbook."""
    value = f"{frame.attrs.get('indikator_name', 'Wert')} ({frame.attrs.get('einheit', '')})".replace(" ()", "")
    headers = [("rang", "Rang"), ("einrichtung", "Einrichtung"), ("art", "Art"), ("plaetze", "Plätze"),
               ("wohnplatz", "Wohnplatz"), ("wohnplatz_id", "Wohnplatz-Nr."), ("kommune", "Kommune"),
               ("wert", value), ("status", "Status"), ("quintil", "Quintil"), ("handlungsraum", "Handlungsraum"),
               ("hinweis", "Hinweis")]
    return [(c, h) for c, h in headers if c in frame.columns and not (c == "plaetze" and frame[c].isna().all())]


def display_value(column: str, value, frame: pd.DataFrame):
    """What a planner sees in a cell: German words for statuses and flags, 'gesperrt' instead of a number."""
    if column == "status":
        return STATUS_TEXT.get(value, value or "")
    if column == "handlungsraum":
        return ja_nein(value)
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if column in ("rang", "quintil", "plaetze"):
        return int(value)
    if column == "wert":
        return round(float(value), decimals_for(frame.attrs.get("einheit")) + 1)
    return value


def write_priority_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """The list as a workbook: German headers, frozen header row, filter, and a sheet 'Legende'."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    headers = german_headers(frame)
    book = Workbook()
    sheet = book.active
    sheet.title = "Prioritätenliste"
    sheet.append([h for _, h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="23467A")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    grey = PatternFill("solid", fgColor="EDEDED")
    value_format = "0.0" if decimals_for(frame.attrs.get("einheit")) else "0"
    for record in frame.to_dict("records"):
        row = []
        for column, _ in headers:
            value = display_value(column, record.get(column), frame)
            if column == "wert" and value is None:
                value = "gesperrt" if record.get("status") == "gesperrt" else "fehlt"
            row.append(value)
        sheet.append(row)
        if record.get("hinweis") and "ohne Rang" in str(record.get("hinweis")):
            for cell in sheet[sheet.max_row]:
                cell.fill = grey
    for index, (column, header) in enumerate(headers, 1):
        letter = get_column_letter(index)
        width = max([len(str(header))] + [len(str(c.value or "")) for c in sheet[letter][1:]])
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        if column == "wert":
            for cell in sheet[letter][1:]:
                if isinstance(cell.value, float):
                    cell.number_format = value_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _legend_sheet(book.create_sheet("Legende"), frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def legend_lines(frame: pd.DataFrame) -> list[tuple[str, str]]:
    attrs = frame.attrs
    pub = attrs.get("publikation") or {}
    return [
        ("Prioritätenliste", f"{attrs.get('einrichtung', '')}: Einrichtungen nach {attrs.get('indikator_name', '')} "
                             "ihres Wohnplatzes"),
        ("Indikator", f"{attrs.get('indikator_name', '')} ({attrs.get('einheit', '')}): {attrs.get('definition', '')}"),
        ("Stichtag", datum(attrs.get("stichtag")) or "unbekannt"),
        ("Veröffentlichung", f"{zeitpunkt(pub.get('veroeffentlicht_am')) or 'unbekannt'}, Lauf "
                             f"{pub.get('lauf_id') or pub.get('publikation_id') or 'unbekannt'}"),
        ("Rang", "Rangfolge aus dem Sozialmonitoring (mart_priorisierung): Rang 1 steht zuerst; Einrichtungen im "
                 "selben Wohnplatz haben denselben Wert und denselben Rang."),
        ("Quintil", "Fünftel der Rangfolge: 1 = erstes Fünftel der Liste, 5 = letztes."),
        ("Handlungsraum", "ja = der Wohnplatz ist im Sozialindex als Gebiet mit Handlungsbedarf ausgewiesen; "
                          "unbestimmt = der Index konnte für den Wohnplatz nicht berechnet werden."),
        ("gesperrt", "Der Wert des Wohnplatzes ist aus Datenschutzgründen nicht veröffentlicht (kleine Fallzahl). "
                     "Er ist nicht 0: die Einrichtung hat keinen Rang und steht am Ende der Liste."),
        ("fehlt", "Die Quelle hat für den Stichtag nicht geliefert: ohne Rang, am Ende der Liste."),
        ("Ohne Rang", f"{attrs.get('ohne_rang', 0)} von {attrs.get('gesamt', len(frame))} Einrichtungen"),
    ]


def _legend_sheet(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(["Erläuterung", ""])
    sheet["A1"].font = Font(bold=True, size=13)
    for key, text in legend_lines(frame):
        sheet.append([key, text])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.cell(sheet.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 100
