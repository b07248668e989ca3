"""The planners' exports (orchestration/publish/exports.py) on a small published file.

The fixture is a published DuckDB file with the tables of .agents/INTERFACES.md and the publication log
and quality table of orchestration/publish/publication.py: the real indicator catalogue (seed CSV),
2 municipalities with 3 current Wohnplätze each (plus 2 retired ones of the old scheme), quarterly
Stichtage 2020-Q1 .. 2021-Q4 (across the area reform), and the special cells the exports must show:
a suppressed cell, a source that did not deliver, crosswalked ('geschaetzt') values and yearly indicators.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from orchestration.publish import exports
from orchestration.publish.export_excel import LEGENDE_EINTRAEGE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"

KOMMUNEN = [("05378004", "Bergisch Gladbach", 7.13, 50.99), ("05378008", "Burscheid", 7.12, 51.09)]
WOHNPLAETZE = [  # id, name, ags
    ("00401", "Refrath", "05378004"), ("00402", "Bensberg", "05378004"), ("00403", "Moitzfeld", "05378004"),
    ("00801", "Burscheid-Mitte", "05378008"), ("00802", "Hilgen", "05378008"), ("00803", "Dierath", "05378008"),
]
STICHTAGE = [dt.date(2020, 3, 31), dt.date(2020, 6, 30), dt.date(2020, 9, 30), dt.date(2020, 12, 31),
             dt.date(2021, 3, 31), dt.date(2021, 6, 30), dt.date(2021, 9, 30), dt.date(2021, 12, 31)]
LATEST = STICHTAGE[-1]
GESPERRT = {("00402", "sgb2_quote", LATEST), ("00801", "anteil_80plus", LATEST)}  # suppressed by our cell rule
FEHLT_QUELLE = "hze"                        # the youth office did not deliver for the latest Stichtag
GESCHAETZT_WOHNPLATZ = "00403"              # carried from the old scheme before 2021-01-01
PUBLISHED_AT = dt.datetime(2022, 2, 15, 9, 30, 0)
MARKERS = {"gesperrt", "fehlt", "–"}
HZP = "Hilfe zur Pflege (je 100 Einwohner ab 65 Jahren)"
HZE = "Hilfen zur Erziehung (je 1.000 Einwohner unter 21 Jahren)"
KITA_U3 = "Betreuungsplätze für unter 3-Jährige (je 100 Einwohner unter 3 Jahren)"
ID_HEADERS = {"Stichtag", "Ebene", "Gebiets-Nr.", "Gebiet", "Kommune"}
TEXT_HEADERS = {"Statusklasse", "Grund, warum nicht im Statusindex", "Handlungsbedarf", "Im Statusindex"}


# -- the fixture publication ---------------------------------------------------------------------------
def _due(turnus: str, bezugsquartal, day: dt.date) -> bool:
    return turnus == "quartal" or (day.month - 1) // 3 + 1 == (bezugsquartal or 4)


def _square(lon: float, lat: float, clockwise: bool = False) -> list:
    h = 0.01
    ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]
    return ring[::-1] if clockwise else ring


def _geometry(n: int, lon: float, lat: float) -> dict:
    if n == 1:  # a Wohnplatz in two parts, delivered with a clockwise exterior ring
        return {"type": "MultiPolygon", "coordinates": [[_square(lon, lat, clockwise=True)],
                                                        [_square(lon + 0.05, lat)]]}
    return {"type": "Polygon", "coordinates": [_square(lon + 0.02 * n, lat + 0.01 * n)]}


def _indicator_rows(catalogue: list[dict]) -> list[tuple]:
    areas = [("kreis", "05378", "Rheinisch-Bergischer Kreis", None, None)]
    areas += [("kommune", ags, name, ags, name) for ags, name, *_ in KOMMUNEN]
    kname = {ags: name for ags, name, *_ in KOMMUNEN}
    areas += [("wohnplatz", wid, name, ags, kname[ags]) for wid, name, ags in WOHNPLAETZE]
    out = []
    for a, (ebene, gid, gname, kags, kn) in enumerate(areas):
        for i, ind in enumerate(catalogue):
            for k, day in enumerate(STICHTAGE):
                if not _due(ind["turnus"], ind["bezugsquartal"], day):
                    continue
                if ind["einheit"] == "Anzahl":
                    zaehler, nenner = float(1000 + 100 * a + k), None
                    wert = zaehler
                else:
                    nenner = float(400 + 10 * a)
                    zaehler = float(20 + a + i + k)
                    wert = zaehler / nenner * ind["faktor"]
                status, grund = "ok", None
                if (gid, ind["indikator_id"], day) in GESPERRT:
                    status, grund = "gesperrt", "mindestnenner"
                elif ind["quelle"] == FEHLT_QUELLE and day == LATEST:
                    status, grund = "fehlt", "nicht_geliefert"
                elif gid == GESCHAETZT_WOHNPLATZ and day < dt.date(2021, 1, 1):
                    status, grund = "geschaetzt", "gebietsreform"
                if status in ("gesperrt", "fehlt"):
                    zaehler = wert = None
                out.append((ebene, gid, gname, kags, kn, day, ind["indikator_id"], ind["name"], ind["thema"],
                            ind["einheit"], zaehler, nenner, wert, status, grund, "abc123" if wert else None))
    return out


# (column, indicator, field) as in dbt_project/models/marts/mart_pflege.sql and mart_jugendhilfe.sql
PFLEGE = [("einwohner_65plus", "anteil_65plus", "zaehler"), ("anteil_65plus", "anteil_65plus", "wert"),
          ("einwohner_80plus", "anteil_80plus", "zaehler"), ("anteil_80plus", "anteil_80plus", "wert"),
          ("hilfe_zur_pflege_empfaenger", "hilfe_zur_pflege", "zaehler"), ("hilfe_zur_pflege", "hilfe_zur_pflege", "wert"),
          ("pflegeheimplaetze", "pflegeheimplaetze_80plus", "zaehler"),
          ("pflegeheimplaetze_80plus", "pflegeheimplaetze_80plus", "wert")]
JUGEND = [("kita_versorgung_u3", "kita_versorgung_u3", "wert"), ("hze_faelle", "hze_quote", "zaehler"),
          ("hze_quote", "hze_quote", "wert"), ("kinder_u15_sgb2", "kinderarmut", "zaehler"),
          ("kinderarmut", "kinderarmut", "wert"), ("seu_uebergewicht", "seu_uebergewicht", "wert")]


def _pivot(spalten) -> str:
    values = [f"max({feld}) FILTER (WHERE indikator_id = '{ind}') AS {col}" for col, ind, feld in spalten]
    statuses = [f"max(status) FILTER (WHERE indikator_id = '{ind}') AS {ind}_status"
                for ind in dict.fromkeys(i for _, i, _ in spalten)]
    return ", ".join(values + statuses)


def _planning_marts(con) -> None:
    """mart_pflege, mart_jugendhilfe and mart_sozialindex with the columns of the dbt models."""
    ids = {"ebene", "gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag"}
    con.execute(f"""CREATE TABLE _pflege AS SELECT ebene, gebiet_id, max(gebiet_name) AS gebiet_name,
        max(kommune_ags) AS kommune_ags, max(kommune_name) AS kommune_name, stichtag, {_pivot(PFLEGE)}
        FROM mart_indikatoren GROUP BY ebene, gebiet_id, stichtag""")
    changes = ", ".join(f"a.{c}, a.{c} - v.{c} AS {c}_veraenderung_2j" for c, _, _ in PFLEGE)
    statuses = ", ".join(f"a.{i}_status" for i in dict.fromkeys(i for _, i, _ in PFLEGE))
    con.execute(f"""CREATE TABLE mart_pflege AS SELECT a.ebene, a.gebiet_id, a.gebiet_name, a.kommune_ags,
        a.kommune_name, a.stichtag, {changes}, {statuses} FROM _pflege a LEFT JOIN _pflege v
        ON v.ebene = a.ebene AND v.gebiet_id = a.gebiet_id AND v.stichtag = a.stichtag - INTERVAL 1 YEAR""")
    con.execute("DROP TABLE _pflege")
    # age bands with their own status (one suppressed band: 1 or 2 children), then the indicators
    con.execute(f"""CREATE TABLE mart_jugendhilfe AS SELECT ebene, gebiet_id, max(gebiet_name) AS gebiet_name,
        max(kommune_ags) AS kommune_ags, max(kommune_name) AS kommune_name, stichtag,
        CASE WHEN gebiet_id = '00803' THEN NULL ELSE round(max(zaehler) FILTER (WHERE indikator_id = 'einwohner')
             * 0.03) END::FLOAT AS kinder_0_2,
        CASE WHEN gebiet_id = '00803' THEN 'gesperrt' ELSE 'ok' END AS kinder_0_2_status, {_pivot(JUGEND)}
        FROM mart_indikatoren GROUP BY ebene, gebiet_id, stichtag""")
    con.execute("""CREATE TABLE mart_sozialindex AS SELECT gebiet_id, gebiet_name, kommune_ags, kommune_name, stichtag,
        einwohner, sgb2_quote IS NOT NULL AS status_indexiert,
        CASE WHEN sgb2_quote IS NULL THEN 'Statusindikator ohne Wert: sgb2_quote (gesperrt)' END AS grund_nicht_indexiert,
        sgb2_quote, sgb2_quote - 5 AS sgb2_quote_aenderung, sgb2_quote / 10 - 1 AS sgb2_quote_z,
        CAST(NULL AS DOUBLE) AS sgb2_quote_z_dynamik, sgb2_quote / 10 - 1 AS status_summe,
        sgb2_quote / 10 - 1 AS status_index, CASE WHEN sgb2_quote > 10 THEN 'niedrig' ELSE 'mittel' END AS status_klasse,
        sgb2_quote > 10 AS handlungsbedarf, CAST(5 AS HUGEINT) AS gebiete_im_statusindex
        FROM mart_sozialmonitoring WHERE ebene = 'wohnplatz'""")


def build_published(path: Path) -> Path:
    con = duckdb.connect(str(path))
    try:
        con.execute(f"""CREATE TABLE dim_indikator AS SELECT * FROM read_csv('{SEEDS / "indikatoren.csv"}',
            header = true, types = {{'bezugsquartal': 'INTEGER', 'mindestnenner': 'INTEGER', 'faktor': 'INTEGER',
            'max_aenderung': 'DOUBLE', 'kontext': 'BOOLEAN', 'reihenfolge': 'INTEGER', 'im_index': 'VARCHAR',
            'nenner': 'VARCHAR'}})""")
        con.execute(f"CREATE TABLE dim_quelle AS SELECT * FROM read_csv('{SEEDS / 'quellen.csv'}', header = true, "
                    "types = {'bezugsquartal': 'INTEGER', 'lieferfrist_tage': 'INTEGER'})")
        con.execute("CREATE TABLE dim_kommune (ags VARCHAR, name VARCHAR, art VARCHAR, kreis_schluessel VARCHAR)")
        con.executemany("INSERT INTO dim_kommune VALUES (?, ?, 'Stadt', '05378')", [[a, n] for a, n, *_ in KOMMUNEN])
        con.execute("""CREATE TABLE dim_wohnplatz (wohnplatz_sk VARCHAR, wohnplatz_id VARCHAR, name VARCHAR, ags VARCHAR,
            gebietsstand DATE, gueltig_von DATE, gueltig_bis DATE, ist_aktuell BOOLEAN, flaeche_km2 DOUBLE,
            geometrie_geojson VARCHAR, schwerpunkt_lon DOUBLE, schwerpunkt_lat DOUBLE)""")
        coords = {ags: (lon, lat) for ags, _n, lon, lat in KOMMUNEN}
        for n, (wid, name, ags) in enumerate(WOHNPLAETZE):
            geometry = _geometry(n, *coords[ags])
            points = re.findall(r"\[([\d.]+), ([\d.]+)\]", json.dumps(geometry))
            centre = [sum(float(p[i]) for p in points) / len(points) for i in (0, 1)]
            con.execute("INSERT INTO dim_wohnplatz VALUES (?, ?, ?, ?, DATE '2021-01-01', DATE '2021-01-01', NULL, "
                        "true, ?, ?, ?, ?)", [f"{wid}@2021-01-01", wid, name, ags, 1.25 + n, json.dumps(geometry),
                                              *centre])
        for wid, name, ags in [("00404", "Alt-Moitzfeld", "05378004"), ("00405", "Alt-Herkenrath", "05378004")]:
            con.execute("INSERT INTO dim_wohnplatz VALUES (?, ?, ?, ?, DATE '2015-01-01', DATE '2015-01-01', "
                        "DATE '2020-12-31', false, 2.0, ?, 7.2, 51.0)",
                        [f"{wid}@2015-01-01", wid, name, ags, json.dumps(_geometry(3, 7.2, 51.0))])
        con.execute("""CREATE TABLE dim_stichtag AS SELECT s AS stichtag, year(s) AS jahr, quarter(s) AS quartal,
            year(s) || '-Q' || quarter(s) AS quartal_label FROM (SELECT unnest(?) AS s)""", [STICHTAGE])
        con.execute("""CREATE TABLE dim_lieferung (lieferung_id VARCHAR, quelle VARCHAR, datei VARCHAR, periode VARCHAR,
            stichtag DATE, teil VARCHAR, zeilen INTEGER, geladen_am TIMESTAMP, lauf_id VARCHAR)""")
        con.execute("""INSERT INTO dim_lieferung VALUES
            ('h1', 'sgb2', 'sgb2_2021Q4.csv', '2021-Q4', DATE '2021-12-31', '', 6, TIMESTAMP '2022-02-01 10:00', 'r1'),
            ('h2', 'hze', 'hze_2021Q3.csv', '2021-Q3', DATE '2021-09-30', '', 40, TIMESTAMP '2021-11-01 10:00', 'r0')""")

        catalogue = [dict(zip([d[0] for d in con.description], r)) for r in
                     con.execute("SELECT * FROM dim_indikator ORDER BY reihenfolge").fetchall()]
        con.execute("""CREATE TABLE mart_indikatoren (ebene VARCHAR, gebiet_id VARCHAR, gebiet_name VARCHAR,
            kommune_ags VARCHAR, kommune_name VARCHAR, stichtag DATE, indikator_id VARCHAR, indikator_name VARCHAR,
            thema VARCHAR, einheit VARCHAR, zaehler DOUBLE, nenner DOUBLE, wert DOUBLE, status VARCHAR,
            status_grund VARCHAR, lieferung_ids VARCHAR)""")
        frame = pd.DataFrame(_indicator_rows(catalogue))  # a bulk insert: executemany takes seconds
        con.execute("INSERT INTO mart_indikatoren SELECT * FROM frame")
        pivot = ", ".join(f"max(wert) FILTER (WHERE indikator_id = '{c['indikator_id']}') AS {c['indikator_id']}, "
                          f"max(status) FILTER (WHERE indikator_id = '{c['indikator_id']}') AS {c['indikator_id']}_status"
                          for c in catalogue)
        con.execute(f"""CREATE TABLE mart_sozialmonitoring AS SELECT ebene, gebiet_id, gebiet_name, kommune_ags,
            kommune_name, stichtag, {pivot} FROM mart_indikatoren GROUP BY ALL ORDER BY ALL""")
        _planning_marts(con)
        con.execute("""CREATE TABLE mart_datenqualitaet (publikation_id VARCHAR, ebene VARCHAR, quelle VARCHAR,
            objekt VARCHAR, pruefung VARCHAR, schweregrad VARCHAR, status VARCHAR, beschreibung VARCHAR, details VARCHAR)""")
        con.execute("""INSERT INTO mart_datenqualitaet VALUES
            ('p2', 'gx', 'sgb2', 'mart_sozialmonitoring', 'vollstaendigkeit', 'error', 'bestanden', 'Jeder Wohnplatz', NULL),
            ('p2', 'gx', 'hze', 'mart_indikatoren', 'lieferung_faellig', 'warn', 'verletzt',
             'HzE-Lieferung 2021-Q4 fehlt', '{"fehlend": 6}'),
            ('p2', 'gx', NULL, 'mart_sozialindex', 'klassen', 'error', 'bestanden', 'Klassen vollständig', NULL)""")
        con.execute("""CREATE TABLE publikation (publikation_id VARCHAR, veroeffentlicht_am TIMESTAMP, stichtag DATE,
            quartal VARCHAR, fenster_von VARCHAR, fenster_bis VARCHAR, lauf_id VARCHAR, code_version VARCHAR,
            pruefungen INTEGER, pruefungen_bestanden INTEGER, warnungen INTEGER, pruefungen_zusammenfassung VARCHAR,
            lieferungen VARCHAR)""")
        con.execute("INSERT INTO publikation VALUES ('p1', TIMESTAMP '2021-11-15 09:00', DATE '2021-09-30', '2021-Q3', "
                    "NULL, NULL, 'lauf-alt', 'abc', 3, 3, 0, NULL, NULL)")
        con.execute("INSERT INTO publikation VALUES ('p2', ?, ?, '2021-Q4', '2021-12-31', '2021-12-31', "
                    "'lauf-0815-abcd', 'deadbeef1234+dirty', 3, 2, 1, ?, '[]')",
                    [PUBLISHED_AT, LATEST, json.dumps({"mart_sozialmonitoring": "2/2 bestanden",
                                                       "mart_indikatoren": "1 Warnung"})])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    path.chmod(0o444)  # as publication.swap_into_place leaves it: planners (and the exports) only read
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return build_published(tmp_path_factory.mktemp("published") / "monitoring.duckdb")


@pytest.fixture(scope="module")
def exported(published, tmp_path_factory) -> dict[str, Path]:
    return exports.write_exports(published, tmp_path_factory.mktemp("exports"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(ws) -> tuple[list[str], list[dict]]:
    """Header (row 3) and the data rows of a table sheet as dicts header -> cell."""
    grid = list(ws.iter_rows(min_row=3))
    header = [c.value for c in grid[0]]
    return header, [dict(zip(header, row)) for row in grid[1:]]


# -- files -----------------------------------------------------------------------------------------------
def test_all_exports_written_atomically_beside_nothing_else(exported):
    assert set(exported) == {"Pflegeplanung.xlsx", "Jugendhilfeplanung.xlsx", "Sozialmonitoring.xlsx",
                             "wohnplaetze.geojson"}
    out_dir = next(iter(exported.values())).parent
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(exported)  # no temporary files left
    for path in exported.values():
        assert path.stat().st_size > 1000


def test_exports_do_not_change_the_published_file(published, tmp_path):
    before = _sha(published)
    exports.write_exports(published, tmp_path)
    assert _sha(published) == before


# -- workbooks: sheets, headers, layout ------------------------------------------------------------------
def test_sheets_per_audience(exported):
    sheets = {name: load_workbook(exported[name], read_only=True).sheetnames
              for name in ("Pflegeplanung.xlsx", "Jugendhilfeplanung.xlsx", "Sozialmonitoring.xlsx")}
    assert sheets["Pflegeplanung.xlsx"] == ["Pflege", "Alter und Versorgung", "Indikatoren", "Datenstand"]
    assert sheets["Jugendhilfeplanung.xlsx"] == ["Jugendhilfe", "Kinder und Familien", "Gesundheit", "Indikatoren",
                                                 "Datenstand"]
    assert sheets["Sozialmonitoring.xlsx"] == ["Demografie", "Existenzsicherung", "Jugendhilfe", "Gesundheit",
                                               "Pflege", "Daseinsvorsorge", "Sozialindex", "Indikatoren", "Datenstand"]


def test_headers_are_german_names_never_ids(exported, published):
    con = duckdb.connect(str(published), read_only=True)
    ids = {r[0] for r in con.execute("SELECT indikator_id FROM dim_indikator").fetchall()}
    con.close()
    wb = load_workbook(exported["Sozialmonitoring.xlsx"])
    header, _ = _table(wb["Existenzsicherung"])
    assert header[:5] == ["Stichtag", "Ebene", "Gebiets-Nr.", "Gebiet", "Kommune"]
    assert "SGB-II-Quote (%)" in header and "Kinderarmut (%)" in header
    for name in ("Pflegeplanung.xlsx", "Jugendhilfeplanung.xlsx", "Sozialmonitoring.xlsx"):
        for ws in load_workbook(exported[name]).worksheets:
            for cell in next(ws.iter_rows(min_row=3, max_row=3)):
                if cell.value is None:
                    continue
                assert cell.value not in ids and "_" not in cell.value, (name, ws.title, cell.value)
    pflege_header, _ = _table(load_workbook(exported["Pflegeplanung.xlsx"])["Pflege"])
    assert pflege_header[5:9] == ["Einwohner ab 65 Jahren", "Einwohner ab 65 Jahren: Veränderung in zwei Jahren",
                                  "Anteil ab 65-Jährige (%)",
                                  "Anteil ab 65-Jährige: Veränderung in zwei Jahren (Prozentpunkte)"]
    assert HZP in pflege_header and "Empfängerinnen und Empfänger von Hilfe zur Pflege" in pflege_header
    index_header, _ = _table(load_workbook(exported["Sozialmonitoring.xlsx"])["Sozialindex"])
    assert index_header[:8] == ["Stichtag", "Gebiets-Nr.", "Gebiet", "Kommune", "Einwohnerinnen und Einwohner",
                                "Statusindex", "Statusklasse", "Handlungsbedarf"]  # results before their inputs
    assert "SGB-II-Quote: z-Wert" in index_header and "SGB-II-Quote: z-Wert der Veränderung" in index_header


def test_frozen_header_autofilter_widths_and_legend_on_every_sheet(exported):
    for name in ("Pflegeplanung.xlsx", "Jugendhilfeplanung.xlsx", "Sozialmonitoring.xlsx"):
        wb = load_workbook(exported[name])
        for ws in wb.worksheets:
            legend = ws["A2"].value
            for marker, meaning in LEGENDE_EINTRAEGE.items():
                assert f"{marker} = {meaning}" in legend or f"{marker}) = {meaning}" in legend, (ws.title, legend)
            if ws.title == "Datenstand":
                assert ws.freeze_panes == "A3"
                continue
            assert re.fullmatch(r"[A-Z]+4", ws.freeze_panes), (ws.title, ws.freeze_panes)
            assert ws.auto_filter.ref.startswith("A3:")
            widths = [ws.column_dimensions[c].width for c in "ABCDE"]
            assert all(6 <= w <= 60 for w in widths), (ws.title, widths)
    ws = load_workbook(exported["Sozialmonitoring.xlsx"])["Demografie"]
    assert ws.freeze_panes == "E4"  # header row and Stichtag .. Gebiet stay in view


def test_number_formats(exported, published):
    wb = load_workbook(exported["Sozialmonitoring.xlsx"])
    header, data = _table(wb["Existenzsicherung"])
    row = next(r for r in data if r["Gebiets-Nr."].value == "00401" and r["Stichtag"].value.date() == LATEST)
    sgb2 = row["SGB-II-Quote (%)"]
    assert sgb2.number_format == "0.0%"
    con = duckdb.connect(str(published), read_only=True)
    expected = con.execute("SELECT wert FROM mart_indikatoren WHERE gebiet_id = '00401' AND stichtag = ? "
                           "AND indikator_id = 'sgb2_quote'", [LATEST]).fetchone()[0]
    con.close()
    assert sgb2.value == pytest.approx(expected / 100, abs=1e-6)  # a real Excel percentage: 0.05 shows 5,0 %
    assert row["Stichtag"].number_format == "DD.MM.YYYY"
    _, demo = _table(wb["Demografie"])
    count = next(r for r in demo if r["Gebiets-Nr."].value == "00401")["Einwohnerinnen und Einwohner"]
    assert count.number_format == "#,##0" and isinstance(count.value, (int, float))
    _, jugend = _table(wb["Jugendhilfe"])
    hze = next(r for r in jugend if r["Stichtag"].value.date() == STICHTAGE[-2])[HZE]
    assert hze.number_format == "#,##0.0"


def _indicator_cells(wb):
    """(sheet, header, row, cell) of every value column (not the keys, texts and flags) in the data rows."""
    for ws in wb.worksheets:
        if ws.title in ("Indikatoren", "Datenstand"):
            continue
        header, data = _table(ws)
        for r in data:
            for h in header:
                if h not in ID_HEADERS | TEXT_HEADERS:
                    yield ws.title, h, r, r[h]


def test_suppressed_and_missing_cells_show_markers_never_numbers(exported):
    wb = load_workbook(exported["Sozialmonitoring.xlsx"])
    _, data = _table(wb["Existenzsicherung"])
    by_key = {(r["Gebiets-Nr."].value, r["Stichtag"].value.date()): r for r in data}
    assert by_key[("00402", LATEST)]["SGB-II-Quote (%)"].value == "gesperrt"
    assert isinstance(by_key[("00401", LATEST)]["SGB-II-Quote (%)"].value, float)
    _, jugend = _table(wb["Jugendhilfe"])
    jugend_by_key = {(r["Gebiets-Nr."].value, r["Stichtag"].value.date()): r for r in jugend}
    assert jugend_by_key[("00401", LATEST)][HZE].value == "fehlt"
    # yearly indicator (1 March, Q1) in a Q4 row: not collected
    assert jugend_by_key[("00401", LATEST)][KITA_U3].value == "–"
    assert isinstance(jugend_by_key[("00401", dt.date(2021, 3, 31))][KITA_U3].value, float)
    # every indicator cell anywhere is a number or a marker: never empty, never a stand-in 0 for a marker
    seen = set()
    for name in ("Pflegeplanung.xlsx", "Jugendhilfeplanung.xlsx", "Sozialmonitoring.xlsx"):
        for _sheet, _h, _r, cell in _indicator_cells(load_workbook(exported[name])):
            assert cell.value is not None and cell.value != ""
            assert isinstance(cell.value, (int, float)) or cell.value in MARKERS, cell.value
            seen.add(cell.value if isinstance(cell.value, str) else "zahl")
    assert seen == MARKERS | {"zahl"}


def test_suppressed_cells_in_the_planning_marts(exported):
    _, alter = _table(load_workbook(exported["Pflegeplanung.xlsx"])["Alter und Versorgung"])
    assert all(r[HZP].value == "–" for r in alter if r["Stichtag"].value.month != 12)
    _, pflege = _table(load_workbook(exported["Pflegeplanung.xlsx"])["Pflege"])
    row = next(r for r in pflege if r["Gebiets-Nr."].value == "00801" and r["Stichtag"].value.date() == LATEST)
    # the count is the numerator of the suppressed share: suppressed with it, and so is its change
    assert row["Einwohner ab 80 Jahren"].value == "gesperrt"
    assert row["Anteil ab 80-Jährige (%)"].value == "gesperrt"
    assert row["Einwohner ab 80 Jahren: Veränderung in zwei Jahren"].value == "gesperrt"
    assert isinstance(row["Einwohner ab 65 Jahren"].value, int)
    assert row["Einwohner ab 65 Jahren"].number_format == "#,##0"
    _, jugend = _table(load_workbook(exported["Jugendhilfeplanung.xlsx"])["Jugendhilfe"])
    latest = [r for r in jugend if r["Stichtag"].value.date() == LATEST]
    assert latest and all(r[HZE].value == "fehlt" for r in latest)
    assert all(r["Laufende Hilfen zur Erziehung (Fälle)"].value == "fehlt" for r in latest)
    bands = {r["Gebiets-Nr."].value: r["Kinder von 0 bis 2 Jahren"] for r in latest}
    assert bands["00803"].value == "gesperrt" and isinstance(bands["00802"].value, int)
    _, index = _table(load_workbook(exported["Sozialmonitoring.xlsx"])["Sozialindex"])
    row = next(r for r in index if r["Gebiets-Nr."].value == "00402" and r["Stichtag"].value.date() == LATEST)
    assert row["SGB-II-Quote (%)"].value == "gesperrt"  # status joined from mart_sozialmonitoring
    assert row["Statusindex"].value == "–" and row["Im Statusindex"].value == "nein"


def test_estimated_values_stay_numbers_with_the_marker_in_the_format(exported):
    _, data = _table(load_workbook(exported["Sozialmonitoring.xlsx"])["Existenzsicherung"])
    old = next(r for r in data if r["Gebiets-Nr."].value == GESCHAETZT_WOHNPLATZ
               and r["Stichtag"].value.date() == dt.date(2020, 12, 31))["SGB-II-Quote (%)"]
    assert isinstance(old.value, float) and old.number_format == '"≈ "0.0%'
    new = next(r for r in data if r["Gebiets-Nr."].value == GESCHAETZT_WOHNPLATZ
               and r["Stichtag"].value.date() == LATEST)["SGB-II-Quote (%)"]
    assert new.number_format == "0.0%"


def test_rows_only_where_the_sheet_has_data(exported):
    _, data = _table(load_workbook(exported["Sozialmonitoring.xlsx"])["Daseinsvorsorge"])
    assert {r["Stichtag"].value.month for r in data} == {12}  # yearly (31.12.) indicators only
    assert [r["Ebene"].value for r in data[:4]] == ["Kreis", "Kommune", "Kommune", "Wohnplatz"]
    assert data[0]["Stichtag"].value.date() == LATEST  # newest first


def test_indicator_sheet_explains_each_indicator(exported):
    header, data = _table(load_workbook(exported["Pflegeplanung.xlsx"])["Indikatoren"])
    assert header == ["Indikator", "Thema", "Zähler (Definition)", "Nenner (Definition)", "Einheit", "Quelle",
                      "Polarität", "Turnus", "Mindestnenner", "Gesperrt bei", "Im Sozialindex"]
    by_name = {r["Indikator"].value: r for r in data}
    hzp = by_name["Hilfe zur Pflege"]
    assert hzp["Nenner (Definition)"].value == "Einwohner ab 65 Jahren"
    assert hzp["Mindestnenner"].value == 20 and hzp["Turnus"].value == "jährlich (Stichtag 31.12.)"
    assert hzp["Quelle"].value == "Pflegeinfrastruktur und Hilfe zur Pflege"
    assert hzp["Polarität"].value == "hoher Wert = ungünstigere Lebenslage"
    assert "SGB-II-Quote" not in by_name  # only the indicators of this workbook
    _, all_ind = _table(load_workbook(exported["Sozialmonitoring.xlsx"])["Indikatoren"])
    assert len(all_ind) == 36


def test_datenstand_sheet(exported):
    ws = load_workbook(exported["Jugendhilfeplanung.xlsx"])["Datenstand"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for expected in ("31.12.2021", "lauf-0815-abcd", "deadbeef1234+dirty", "15.02.2022 09:30",
                     "HzE-Lieferung 2021-Q4 fehlt", "Hilfen zur Erziehung (SGB VIII §§ 27–35, 41)",
                     "mart_sozialmonitoring: 2/2 bestanden", "lauf-alt"):
        assert expected in text, expected
    hze_rows = [r for r in ws.iter_rows() if r[0].value == "Hilfen zur Erziehung (SGB VIII §§ 27–35, 41)"]
    per_source, finding = hze_rows  # the row in the table per source, and the warning among the findings
    assert "6 fehlt" in per_source[4].value and per_source[6].value == 1  # 6 Wohnplätze not delivered, 1 warning
    assert [c.value for c in finding[2:5]] == ["lieferung_faellig", "Warnung", "verletzt"]


# -- determinism -----------------------------------------------------------------------------------------
def test_same_data_same_bytes(published, exported, tmp_path):
    again = exports.write_exports(published, tmp_path)
    for name in exported:
        assert exported[name].read_bytes() == again[name].read_bytes(), name


def test_parallel_and_sequential_exports_are_the_same_files(published, exported, tmp_path):
    """`exported` is written by worker processes (the default); one after the other gives the same bytes."""
    sequential = {r.name: r.path for r in exports.run_exports(published, tmp_path, workers=1)}
    assert sorted(sequential) == sorted(exported)
    for name in exported:
        assert exported[name].read_bytes() == sequential[name].read_bytes(), name


def test_workbook_dates_come_from_the_publication_not_the_clock(exported):
    with zipfile.ZipFile(exported["Sozialmonitoring.xlsx"]) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2022-02-15T09:30:00Z" in core and core.count("2022-02-15T09:30:00Z") == 2


# -- GeoJSON ---------------------------------------------------------------------------------------------
def _rings(geometry):
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for poly in polys for ring in poly[:1]]


def test_geojson_is_rfc7946_wgs84_with_current_wohnplaetze(exported):
    doc = json.loads(exported["wohnplaetze.geojson"].read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    ids = [f["id"] for f in doc["features"]]
    assert ids == [w[0] for w in WOHNPLAETZE]  # current scheme only, retired areas left out
    assert all(re.fullmatch(r"\d{5}", i) for i in ids)
    for f in doc["features"]:
        assert f["type"] == "Feature" and f["properties"]["wohnplatz_id"] == f["id"]
        for ring in _rings(f["geometry"]):
            assert ring[0] == ring[-1]
            for lon, lat in ring:
                assert 5.8 < lon < 9.5 and 50.3 < lat < 52.6  # degrees inside NRW, not UTM metres
            area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:]))
            assert area > 0  # exterior rings counter-clockwise (right-hand rule)
    assert doc["features"][1]["geometry"]["type"] == "MultiPolygon"


def test_geojson_properties_latest_values_and_status(exported, published):
    doc = json.loads(exported["wohnplaetze.geojson"].read_text(encoding="utf-8"))
    props = {f["id"]: f["properties"] for f in doc["features"]}
    p = props["00401"]
    assert (p["name"], p["ags"], p["kommune"], p["flaeche_km2"]) == ("Refrath", "05378004", "Bergisch Gladbach", 1.25)
    assert p["stichtag"] == "2021-12-31"
    assert props["00402"]["sgb2_quote"] is None and props["00402"]["sgb2_quote_status"] == "gesperrt"
    assert p["hze_quote"] is None and p["hze_quote_status"] == "fehlt"
    assert p["kita_versorgung_u3_stichtag"] == "2021-03-31" and isinstance(p["kita_versorgung_u3"], float)
    con = duckdb.connect(str(published), read_only=True)
    expected = con.execute("SELECT wert FROM mart_indikatoren WHERE gebiet_id = '00401' AND stichtag = ? "
                           "AND indikator_id = 'sgb2_quote'", [LATEST]).fetchone()[0]
    con.close()
    assert p["sgb2_quote"] == pytest.approx(expected) and p["sgb2_quote_status"] == "ok"
    assert isinstance(p["einwohner"], int)


# -- failures --------------------------------------------------------------------------------------------
def test_a_failing_export_leaves_the_others_and_the_published_file(published, tmp_path):
    out = tmp_path / "out"
    exports.write_exports(published, out)
    old_pflege = (out / "Pflegeplanung.xlsx").read_bytes()
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(published.read_bytes())
    con = duckdb.connect(str(broken))
    con.execute("DROP TABLE mart_pflege")
    con.execute("UPDATE publikation SET lauf_id = 'lauf-neu' WHERE publikation_id = 'p2'")
    con.close()
    before = _sha(broken)
    with pytest.raises(exports.ExportError, match="Pflegeplanung.xlsx.*mart_pflege") as info:
        exports.write_exports(broken, out)
    assert set(info.value.failures) == {"Pflegeplanung.xlsx"}
    assert _sha(broken) == before
    assert (out / "Pflegeplanung.xlsx").read_bytes() == old_pflege  # the previous export is kept whole
    assert "lauf-neu" in _all_text(out / "Sozialmonitoring.xlsx")   # the others are from the new data
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def _all_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


def test_no_published_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no published file"):
        exports.write_exports(tmp_path / "missing.duckdb", tmp_path)
    assert not any(tmp_path.iterdir())


def test_coordinates_in_metres_are_refused(published, tmp_path):
    broken = tmp_path / "utm.duckdb"
    broken.write_bytes(published.read_bytes())
    con = duckdb.connect(str(broken))
    con.execute("""UPDATE dim_wohnplatz SET geometrie_geojson =
        '{"type":"Polygon","coordinates":[[[365000,5650000],[366000,5650000],[366000,5651000],[365000,5650000]]]}'
        WHERE wohnplatz_id = '00401'""")
    con.close()
    with pytest.raises(exports.ExportError, match="not WGS84"):
        exports.write_exports(broken, tmp_path / "out")
    assert not (tmp_path / "out" / "wohnplaetze.geojson").exists()
    assert (tmp_path / "out" / "Sozialmonitoring.xlsx").exists()


def test_swapped_axes_are_refused(published, tmp_path):
    """A geometry transformed as (lat, lon) is still 'in range' but lies far from its centroid."""
    broken = tmp_path / "swapped.duckdb"
    broken.write_bytes(published.read_bytes())
    con = duckdb.connect(str(broken))
    geometry = json.loads(con.execute("SELECT geometrie_geojson FROM dim_wohnplatz WHERE wohnplatz_id = '00403'")
                          .fetchone()[0])
    geometry["coordinates"] = [[[lat, lon] for lon, lat in ring] for ring in geometry["coordinates"]]
    con.execute("UPDATE dim_wohnplatz SET geometrie_geojson = ? WHERE wohnplatz_id = '00403'", [json.dumps(geometry)])
    con.close()
    with pytest.raises(exports.ExportError, match="latitude, longitude"):
        exports.write_exports(broken, tmp_path / "out")
