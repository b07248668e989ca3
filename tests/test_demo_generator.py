"""Tests of the demo deliveries generator (orchestration/demo).

Most tests share one small run (a quarter of the population, 2020-Q2..2021-Q2: it crosses the area
reform and contains every quarterly, yearly and school-year delivery). Determinism and `omit` use a
tiny two-quarter run; the full-scale realism check is marked slow.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from orchestration.demo import contracts, generate_demo
from orchestration.demo.__main__ import main as demo_cli
from orchestration.demo.facilities import UNMATCHABLE_STREETS
from orchestration.demo.gazetteer import MUNICIPALITIES, TARGET_POPULATION_2020

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SMALL = dict(seed=7, start="2020-Q2", until="2021-Q2", scale=0.25)
TINY = dict(seed=11, start="2020-Q4", until="2021-Q1", scale=0.1)
SHARE_2009 = {m.ags: m.population_2009 / sum(x.population_2009 for x in MUNICIPALITIES) for m in MUNICIPALITIES}


@pytest.fixture(scope="module", autouse=True)
def _data_dir(tmp_path_factory, monkeypatch_module):
    # the generator needs no data directory of its own, but DuckDB's extension lookup goes through the
    # settings: keep it away from the project's data/ (extensions are reused as in conftest.data_dir)
    monkeypatch_module.setenv("SOZIALMONITOR_DATA", str(tmp_path_factory.mktemp("demo_data")))
    monkeypatch_module.setenv("SOZIALMONITOR_EXTENSION_DIR", str(PROJECT_ROOT / "data" / ".duckdb_extensions"))


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox_small")
    summary = generate_demo(inbox, **SMALL)
    manifest = json.loads((inbox / "_demo" / "manifest.json").read_text(encoding="utf-8"))
    return inbox, summary, manifest


# ------------------------------------------------------------------------------------------ helpers

def files_of(inbox: Path, source: str, table: str | None = None) -> list[Path]:
    pattern = re.compile(contracts.file_spec(source, table or source)["muster"])
    return sorted(p for p in (inbox / source).iterdir() if pattern.match(p.name))


def read_csv(path: Path, source: str, table: str | None = None) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and preamble of a CSV delivery, read with the contract's encoding and separator."""
    spec = contracts.file_spec(source, table or source)
    text = path.read_bytes().decode(spec["encoding"])  # strict: wrong encoding fails here
    lines = text.splitlines()
    start = 0
    if spec.get("kopfzeile_beginnt_mit"):
        start = next(i for i, line in enumerate(lines) if line.startswith(spec["kopfzeile_beginnt_mit"]))
    body = lines[start:]
    if spec.get("ende_bei_leerzeile"):
        body = body[:body.index("")] if "" in body else body
    rows = list(csv.reader(io.StringIO("\n".join(body)), delimiter=spec["trennzeichen"]))
    return rows[0], rows[1:], lines[:start]


def read_xlsx(path: Path, source: str, table: str) -> tuple[list[str], list[list], list]:
    """Header (two-row headers joined like the extraction does), data rows and title rows of a sheet."""
    spec = contracts.file_spec(source, table)
    ws = openpyxl.load_workbook(path)[spec["blatt"]]
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    h = next(i for i, r in enumerate(grid) if r[0] == spec["kopfzeile_beginnt_mit"])
    n_header = spec.get("kopfzeilen", 1)
    header = []
    last_top = None
    for c in range(len(grid[h])):
        parts = [grid[h + k][c] for k in range(n_header)]
        top = parts[0] if parts[0] is not None else (last_top if n_header > 1 and parts[-1] is not None else None)
        last_top = top if parts[0] is not None else last_top
        header.append(" ".join(str(p) for p in [top] + parts[1:] if p is not None))
    rows = [r for r in grid[h + n_header:] if any(v is not None for v in r)]
    return header, rows, grid[:h]


def masked_int(value: str) -> int | None:
    return {"-": 0, "*": None, ".": None}.get(value, None) if value in ("-", "*", ".") else int(value)


# ------------------------------------------------------------------------------------------ presence

QUARTERLY = ("melderegister", "sgb2", "arbeitslosigkeit", "hze")


def test_every_source_is_delivered_for_every_due_period(small):
    inbox, summary, manifest = small
    quarters = ["2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1", "2021-Q2"]
    periods = defaultdict(Counter)
    for f in manifest["files"]:
        periods[(f["source"], f["table"])][f["period"]] += 1
        assert (inbox / f["path"]).exists()
    for q in quarters:
        assert periods[("melderegister", "melderegister_bestand")][q] == 8
        assert periods[("melderegister", "melderegister_bewegungen")][q] == 8
        for source in ("sgb2", "arbeitslosigkeit", "hze"):
            assert periods[(source, source)][q] == 1, (source, q)
    # yearly at their reference quarter, school years at Q2
    assert set(periods[("grundsicherung", "grundsicherung")]) == {"2020-Q4"}
    assert set(periods[("pflege", "pflege_einrichtungen")]) == {"2020-Q4"}
    assert set(periods[("infrastruktur", "infrastruktur")]) == {"2020-Q4"}
    assert set(periods[("infrastruktur", "haltestellen")]) == {"2020-Q4"}
    assert set(periods[("kita", "kita")]) == {"2021-Q1"}
    assert set(periods[("einschulung", "einschulung")]) == {"2020-Q2", "2021-Q2"}
    assert set(periods[("zahngesundheit", "zahngesundheit")]) == {"2020-Q2", "2021-Q2"}
    # reference deliveries
    assert set(periods[("wohnplatz_grenzen", "wohnplatz_grenzen")]) == {"2015-01-01", "2021-01-01"}
    assert set(periods[("strassenverzeichnis", "strassenverzeichnis")]) == {"2015-01-01", "2021-01-01"}
    assert set(periods[("gebietsreform", "gebietsreform")]) == {"2021-01-01"}
    assert set(periods[("hauskoordinaten", "hauskoordinaten")]) == {"2021-01-01"}
    assert set(periods[("massnahmen", "massnahmen")]) == {"2021-06-30"}
    assert {f["source"] for f in manifest["files"]} == set(contracts.all_sources())
    assert summary.files_written == len(manifest["files"]) == sum(1 for p in inbox.rglob("*") if p.is_file()) - 1


def test_file_names_match_contracts_and_are_marked_synthetic(small):
    inbox, _, manifest = small
    for f in manifest["files"]:
        name = Path(f["path"]).name
        assert re.match(contracts.file_spec(f["source"], f["table"])["muster"], name), name
        assert Path(name).stem.endswith("_SYNTHETISCH")
        assert Path(f["path"]).parts[0] == f["source"]


# ------------------------------------------------------------------------------------------ formats

def test_csv_deliveries_parse_with_the_contract_encoding_and_headers(small):
    inbox, _, _ = small
    csv_tables = [("melderegister", "melderegister_bestand"), ("melderegister", "melderegister_bewegungen"),
                  ("sgb2", "sgb2"), ("arbeitslosigkeit", "arbeitslosigkeit"), ("hze", "hze"),
                  ("zahngesundheit", "zahngesundheit"), ("infrastruktur", "haltestellen"),
                  ("hauskoordinaten", "hauskoordinaten"), ("gebietsreform", "gebietsreform")]
    for source, table in csv_tables:
        paths = files_of(inbox, source, table)
        assert paths, table
        for path in paths:
            header, rows, _ = read_csv(path, source, table)
            assert header == contracts.headers(table, source), path.name
            assert rows and all(len(r) == len(header) for r in rows), path.name
    # the register is Windows-1252 and not readable as UTF-8 (umlauts in the header)
    bestand = files_of(inbox, "melderegister", "melderegister_bestand")[0]
    with pytest.raises(UnicodeDecodeError):
        bestand.read_bytes().decode("utf-8")
    assert b"\r\n" in bestand.read_bytes()[:500]
    assert files_of(inbox, "arbeitslosigkeit")[0].read_bytes().startswith(b"\xef\xbb\xbf")


def test_ba_tables_have_preamble_masks_totals_and_footnotes(small):
    inbox, _, _ = small
    path = files_of(inbox, "sgb2")[-1]
    header, rows, preamble = read_csv(path, "sgb2")
    assert preamble[2] == "Berichtsmonat: Juni 2021 – SYNTHETISCHE DEMODATEN" and preamble[3] == ""
    text = path.read_bytes().decode("cp1252")
    assert "* Werte von 1 oder 2 sind aus Datenschutzgründen anonymisiert" in text
    assert "© Statistik der Bundesagentur für Arbeit (synthetisch)" in text
    levels = Counter(r[0] for r in rows)
    assert levels == {"Wohnplatz": 81, "Gemeinde": 8, "Kreis": 1}
    values = [v for r in rows if r[0] == "Wohnplatz" for v in r[3:7]]
    assert "*" in values and all(re.fullmatch(r"\d+|[*.-]", v) for v in values)
    assert not any(v in ("1", "2") for v in values)  # the BA never shows 1 or 2 for a Wohnplatz
    # municipality rows are true totals: between the sum of the shown values and that sum plus the masked ones
    muni = {r[1]: r for r in rows if r[0] == "Gemeinde"}
    for ags, total_row in muni.items():
        wps = [r for r in rows if r[0] == "Wohnplatz" and r[1].startswith(ags[-3:])]
        for col in range(3, 7):
            shown = sum(masked_int(r[col]) or 0 for r in wps)
            n_masked = sum(r[col] == "*" for r in wps)
            assert shown <= int(total_row[col]) <= shown + 2 * n_masked
    kreis = next(r for r in rows if r[0] == "Kreis")
    assert kreis[1] == "05378" and int(kreis[4]) == sum(int(r[4]) for r in muni.values())
    assert re.fullmatch(r"\d+,\d", kreis[7])


def test_xlsx_deliveries_have_title_rows_and_contract_headers(small):
    inbox, _, _ = small
    cases = [("grundsicherung", "grundsicherung", "Stand: 31.12.2020"), ("kita", "kita", "Stichtag: 01.03.2021"),
             ("pflege", "pflege_einrichtungen", "Stand: 31.12.2020"), ("pflege", "pflege_hzp", "Stand: 31.12.2020"),
             ("strassenverzeichnis", "strassenverzeichnis", None), ("massnahmen", "massnahmen", "Stand: 30.06.2021")]
    for source, table, period_line in cases:
        for path in files_of(inbox, source, table):
            header, rows, titles = read_xlsx(path, source, table)
            assert header == contracts.headers(table, source), (path.name, header)
            assert titles[2][0] == "SYNTHETISCHE DEMODATEN – keine realen Personen"
            if period_line:
                assert titles[1][0] == period_line
            else:
                m = re.search(r"Gebietsstand_(\d{4})-(\d\d)-(\d\d)", path.name)
                assert titles[1][0] == f"Gebietsstand {m[3]}.{m[2]}.{m[1]}"
            assert rows
    # basic income: the "Summe" row adds up; care: ambulant + stationär = insgesamt
    _, rows, _ = read_xlsx(files_of(inbox, "grundsicherung")[0], "grundsicherung", "grundsicherung")
    summe = next(r for r in rows if r[0] == "Summe")
    body = [r for r in rows if r[0] != "Summe"]
    assert len(body) == 87 and summe[2] == sum(r[2] for r in body) > 0
    _, rows, _ = read_xlsx(files_of(inbox, "pflege", "pflege_hzp")[0], "pflege", "pflege_hzp")
    assert all(r[2] == r[3] + r[4] for r in rows) and sum(r[2] for r in rows) > 0
    wb = openpyxl.load_workbook(files_of(inbox, "pflege", "pflege_hzp")[0])
    assert "C5:E5" in {str(m) for m in wb["Hilfe zur Pflege"].merged_cells.ranges}


def test_kita_list_is_handwritten_and_plausible(small):
    inbox, _, _ = small
    header, rows, _ = read_xlsx(files_of(inbox, "kita")[0], "kita", "kita")
    col = {h: i for i, h in enumerate(header)}
    assert len({r[col["Einrichtungs-Nr."]] for r in rows}) == len(rows)
    for r in rows:
        assert r[col["Betreute Kinder unter 3"]] <= r[col["Plätze unter 3"]] * 1.1
        assert r[col["Betreute Kinder ab 3"]] <= r[col["Plätze ab 3"]] * 1.1
    streets = [str(r[col["Straße"]]) for r in rows]
    assert any(s.endswith("str.") or s.endswith("Str.") for s in streets)  # typed by hand
    assert any(isinstance(r[col["Hausnummer"]], str) and re.fullmatch(r"\d+(a|-\d+)", r[col["Hausnummer"]])
               for r in rows)
    # one or two facilities a year have an address that cannot be matched to the directory
    _, directory, _ = read_xlsx(files_of(inbox, "strassenverzeichnis")[-1], "strassenverzeichnis",
                                "strassenverzeichnis")
    known = {(r[0][-3:], r[2]) for r in directory}
    plz_to_muni = {p: m.ags[-3:] for m in MUNICIPALITIES for p in m.plz}
    odd = [r for r in rows if r[col["Straße"]] in UNMATCHABLE_STREETS]
    assert 1 <= len(odd) <= 2
    assert all((plz_to_muni[str(r[col["PLZ"]])], r[col["Straße"]]) not in known for r in odd)


def test_json_and_geojson_deliveries(small):
    inbox, _, _ = small
    names = {c["quelle"] for c in contracts.columns("einschulung")}
    for path in files_of(inbox, "einschulung"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        meta, kids = doc["meta"], doc["kinder"]
        assert "SYNTHETISCHE DEMODATEN" in meta["titel"] and meta["anzahl"] == len(kids) > 50
        assert meta["schuljahr"] in path.name
        assert meta["gebietsstand"] == ("2021-01-01" if meta["schuljahr"] == "2020-21" else "2015-01-01")
        assert all(set(k) == names for k in kids)
        assert len({k["untersuchungsnummer"] for k in kids}) == len(kids)
    for path in files_of(inbox, "wohnplatz_grenzen") + files_of(inbox, "infrastruktur"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::25832"
        assert "SYNTHETISCHE DEMODATEN" in doc["name"]
        for feat in doc["features"]:
            xs = np.array(_coords(feat["geometry"]["coordinates"]))
            assert (300_000 < xs[:, 0]).all() and (xs[:, 0] < 450_000).all()
            assert (5_600_000 < xs[:, 1]).all() and (xs[:, 1] < 5_720_000).all()
    infra = json.loads(files_of(inbox, "infrastruktur")[0].read_text(encoding="utf-8"))
    kinds = Counter(f["properties"]["KATEGORIE"] for f in infra["features"])
    assert set(kinds) == {"hausarzt", "apotheke", "lebensmittel", "schule"}
    assert {f["properties"]["STAND"] for f in infra["features"]} == {"2020-12-31"}
    _, stops, _ = read_csv(files_of(inbox, "infrastruktur", "haltestellen")[0], "infrastruktur", "haltestellen")
    lat = [float(r[3].replace(",", ".")) for r in stops]
    lon = [float(r[4].replace(",", ".")) for r in stops]
    assert 50.7 < min(lat) and max(lat) < 51.2 and 6.9 < min(lon) and max(lon) < 7.5
    assert len({r[0] for r in stops}) == len(stops)


def _coords(c):
    return [c] if isinstance(c[0], (int, float)) else [p for part in c for p in _coords(part)]


# ------------------------------------------------------------------------------------------ areas

def _boundaries(inbox: Path) -> dict[str, dict]:
    out = {}
    for path in files_of(inbox, "wohnplatz_grenzen"):
        stand = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)[1]
        doc = json.loads(path.read_text(encoding="utf-8"))
        out[stand] = {f["properties"]["WP_NR"]: f for f in doc["features"]}
    return out


def test_old_scheme_has_87_and_new_scheme_81_wohnplaetze(small):
    inbox, _, manifest = small
    b = _boundaries(inbox)
    assert len(b["2015-01-01"]) == 87 and len(b["2021-01-01"]) == 81
    for scheme in b.values():
        for key, feat in scheme.items():
            assert re.fullmatch(r"\d{5}", key) and feat["properties"]["AGS"].endswith(key[:3])
            assert feat["geometry"]["type"] in ("Polygon", "MultiPolygon")
    per_muni = Counter(k[:3] for k in b["2021-01-01"])
    assert [per_muni[m.ags[-3:]] for m in MUNICIPALITIES] == [32, 5, 6, 8, 4, 8, 8, 10]
    per_muni_old = Counter(k[:3] for k in b["2015-01-01"])
    assert [per_muni_old[m.ags[-3:]] for m in MUNICIPALITIES] == [35, 5, 6, 9, 4, 8, 9, 11]
    # Burscheid's Zentrum Nord is unchanged by the reform: same key, same name, same shape
    old, new = b["2015-01-01"]["00801"], b["2021-01-01"]["00801"]
    assert old["properties"]["WP_NAME"] == new["properties"]["WP_NAME"] == "Zentrum Nord"
    assert old["geometry"] == new["geometry"]
    # new areas are numbered above the old maximum of their municipality
    for key in set(b["2021-01-01"]) - set(b["2015-01-01"]):
        assert int(key[3:]) > max(int(k[3:]) for k in b["2015-01-01"] if k[:3] == key[:3])
    assert len(manifest["schemes"]["2015-01-01"]) == 87 and len(manifest["schemes"]["2021-01-01"]) == 81


def test_crosswalk_shares_sum_to_one_and_include_a_partial_move(small):
    inbox, _, manifest = small
    header, rows, _ = read_csv(files_of(inbox, "gebietsreform")[0], "gebietsreform")
    sums = defaultdict(float)
    for old, new, share, n, stand in rows:
        sums[old] += float(share)
        assert stand == "2020-12-31"
    assert len(sums) == 87 and all(abs(s - 1.0) < 0.001 for s in sums.values())
    assert {r[1] for r in rows} == {w["key"] for w in manifest["schemes"]["2021-01-01"]}
    assert any(0.0 < float(r[2]) < 1.0 for r in rows)
    # the weights are the 2020-12-31 population of each intersection
    pop_old = manifest["population"]["wohnplatz_old_scheme"]["2020-Q4"]
    for old in sums:
        assert sum(int(r[3]) for r in rows if r[0] == old) == pop_old[old]


def test_street_directory_assigns_every_address_to_exactly_one_wohnplatz(small):
    inbox, _, manifest = small
    _, coords, _ = read_csv(files_of(inbox, "hauskoordinaten")[0], "hauskoordinaten")
    assert len({(r[0], r[1], r[2], r[3]) for r in coords}) == len(coords)
    for path in files_of(inbox, "strassenverzeichnis"):
        _, rows, _ = read_xlsx(path, "strassenverzeichnis", "strassenverzeichnis")
        ranges = defaultdict(list)
        for ags, key, name, von, bis, seite, wp, wp_name in rows:
            assert von <= bis
            ranges[(ags, key)].append((von, bis, seite, wp))
        unmatched = 0
        for ags, key, number, *_ in coords:
            n = int(number)
            hits = {wp for von, bis, seite, wp in ranges[(ags, key)]
                    if von <= n <= bis and (seite == "beide" or (seite == "ungerade") == (n % 2 == 1))}
            assert len(hits) <= 1, (path.name, ags, key, n)
            assert ranges[(ags, key)], "every street of the coordinates is in the directory"
            if not hits:
                unmatched += 1
                assert n > max(bis for _, bis, _, _ in ranges[(ags, key)])  # a new building beyond the ranges
        assert 0 < unmatched < 0.01 * len(coords)
    # about 0.3 % of the register's residents live at such new buildings
    last = manifest["population"]["unmatched_address"]["2021-Q2"]
    total = manifest["population"]["municipality"]["2021-Q2"]
    assert 0.0005 < sum(last.values()) / sum(total.values()) < 0.008


# ------------------------------------------------------------------------------------------ register

def _bestand(inbox: Path, stichtag: str) -> dict[str, list[list[str]]]:
    out = {}
    for path in files_of(inbox, "melderegister", "melderegister_bestand"):
        if stichtag in path.name:
            out[path.name.split("_")[2]] = read_csv(path, "melderegister", "melderegister_bestand")[1]
    return out


def test_register_matches_manifest_and_movements_balance(small):
    inbox, _, manifest = small
    stichtage = {"2020-Q2": "2020-06-30", "2020-Q3": "2020-09-30", "2020-Q4": "2020-12-31",
                 "2021-Q1": "2021-03-31", "2021-Q2": "2021-06-30"}
    main_counts = {}
    for q, day in stichtage.items():
        for ags, rows in _bestand(inbox, day).items():
            assert len({r[0] for r in rows}) == len(rows)  # Ordnungsmerkmal unique
            main_counts[(q, ags)] = sum(r[10] == "H" for r in rows)
            assert main_counts[(q, ags)] == manifest["population"]["municipality"][q][ags]
            secondary = sum(r[10] == "N" for r in rows) / len(rows)
            assert 0.01 < secondary < 0.035
    quarters = list(stichtage)
    for prev, q in zip(quarters, quarters[1:]):
        for path in files_of(inbox, "melderegister", "melderegister_bewegungen"):
            if stichtage[q] not in path.name:
                continue
            ags = path.name.split("_")[2]
            _, rows, _ = read_csv(path, "melderegister", "melderegister_bewegungen")
            n = Counter(r[1] for r in rows)
            assert main_counts[(q, ags)] - main_counts[(prev, ags)] == \
                n["Zuzug"] + n["Geburt"] - n["Fortzug"] - n["Tod"], (q, ags)
            day, month, year = stichtage[q][8:], stichtage[q][5:7], stichtage[q][:4]
            first_month = int(month) - 2
            for r in rows:
                _, m, y = r[2].split(".")
                assert y == year and first_month <= int(m) <= int(month)
                if r[1] in ("Fortzug", "Tod"):
                    assert r[3] and not r[5]
                if r[1] in ("Zuzug", "Geburt"):
                    assert r[5] and not r[3]
                if r[1] == "Umzug":
                    assert r[3] and r[5]


def test_population_structure_at_quarter_scale(small):
    inbox, _, manifest = small
    total = sum(manifest["population"]["municipality"]["2020-Q4"].values())
    assert abs(total / (TARGET_POPULATION_2020 * 0.25) - 1) < 0.03
    for ags, n in manifest["population"]["municipality"]["2020-Q4"].items():
        assert abs(n / total / SHARE_2009[ags] - 1) < 0.03, ags
    rows = [r for rs in _bestand(inbox, "2021-06-30").values() for r in rs if r[10] == "H"]
    years = np.array([2021 - int(r[3][6:]) - ((int(r[3][3:5]), int(r[3][:2])) > (6, 30)) for r in rows])
    share = {"u6": np.mean(years < 6), "u18": np.mean(years < 18), "65+": np.mean(years >= 65),
             "80+": np.mean(years >= 80)}
    assert 0.045 < share["u6"] < 0.065 and 0.155 < share["u18"] < 0.20
    assert 0.20 < share["65+"] < 0.26 and 0.06 < share["80+"] < 0.095
    foreign = np.mean([r[5] != "000" for r in rows])
    assert 0.07 < foreign < 0.16
    sex = Counter(r[4] for r in rows)
    assert 0 < sex["d"] < 0.002 * len(rows) and 0.47 < sex["w"] / len(rows) < 0.53
    households = Counter(r[6] for r in rows)
    assert 1.8 < len(rows) / len(households) < 2.3
    assert all(re.fullmatch(r"\d{10}", r[0]) and re.fullmatch(r"\d{8}", r[6]) for r in rows[:1000])


def test_social_magnitudes_and_zentrum_nord_is_among_the_most_deprived(small):
    inbox, _, manifest = small
    _, rows, _ = read_csv(files_of(inbox, "sgb2")[-1], "sgb2")
    kreis = next(r for r in rows if r[0] == "Kreis")
    assert 4.5 < float(kreis[7].replace(",", ".")) < 10.0
    wp_quote = {r[1]: float(r[7].replace(",", ".")) for r in rows if r[0] == "Wohnplatz" and r[7]}
    ranked = sorted(wp_quote, key=wp_quote.get, reverse=True)
    assert "00801" in ranked[:3]
    assert min(wp_quote.values()) < 2.5 and max(wp_quote.values()) > 20
    pop = manifest["population"]["municipality"]["2021-Q2"]
    _, alo, _ = read_csv(files_of(inbox, "arbeitslosigkeit")[-1], "arbeitslosigkeit")
    k = next(r for r in alo if r[0] == "Kreis")
    unemployed, sgb3, sgb2, long_term = (int(v) for v in k[3:7])
    assert unemployed == sgb3 + sgb2
    assert 0.022 < unemployed / sum(pop.values()) < 0.04  # ~4-5 % of the 15-64 year olds (~64 %)
    assert 0.25 < long_term / unemployed < 0.45
    children_u15 = int(kreis[5])
    assert children_u15 > 0 and int(kreis[6]) > 0
    # old age: basic income ~3 % and help for care ~1 % of the 65+ (31.12.2020)
    rows_2020 = [r for rs in _bestand(inbox, "2020-12-31").values() for r in rs if r[10] == "H"]
    over65 = sum(2020 - int(r[3][6:]) >= 65 for r in rows_2020)
    _, gs, _ = read_xlsx(files_of(inbox, "grundsicherung")[0], "grundsicherung", "grundsicherung")
    assert 0.015 < next(r for r in gs if r[0] == "Summe")[2] / over65 < 0.05
    _, hzp, _ = read_xlsx(files_of(inbox, "pflege", "pflege_hzp")[0], "pflege", "pflege_hzp")
    assert 0.004 < sum(r[2] for r in hzp) / over65 < 0.02


def test_hze_cases_are_stable_and_overlap_their_quarter(small):
    inbox, _, manifest = small
    per_quarter = {}
    for path in files_of(inbox, "hze"):
        q = re.search(r"(\d{4}-Q\d)", path.name)[1]
        _, rows, _ = read_csv(path, "hze")
        stichtag = {r[9] for r in rows}
        assert len(stichtag) == 1
        end = stichtag.pop()
        first_day = f"{end[:4]}-{int(end[5:7]) - 2:02d}-01"
        assert all(r[6] <= end and (r[7] == "" or first_day <= r[7] <= end) for r in rows)
        assert len({r[0] for r in rows}) == len(rows)
        per_quarter[q] = {r[0]: r for r in rows}
        under21 = 0.2 * sum(manifest["population"]["municipality"][q].values())
        assert 10 < len(rows) / under21 * 1000 < 60  # running cases per 1,000 under 21
    a, b = per_quarter["2021-Q1"], per_quarter["2021-Q2"]
    common = set(a) & set(b)
    assert len(common) > 0.5 * len(a)
    assert all(a[c][5] == b[c][5] and a[c][6] == b[c][6] for c in common)
    types = Counter(r[5] for r in b.values())
    assert types.most_common(1)[0][0] in ("31", "33", "34", "30")


# ------------------------------------------------------------------------------------------ runs

def test_same_arguments_give_byte_identical_files_and_write_from_omit_work(tmp_path):
    a = generate_demo(tmp_path / "a", **TINY)
    b = generate_demo(tmp_path / "b", **TINY)
    ma = json.loads(a.manifest.read_text(encoding="utf-8"))
    mb = json.loads(b.manifest.read_text(encoding="utf-8"))
    assert ma["files"] == mb["files"] and len(ma["files"]) > 40
    for f in ma["files"]:  # the recorded hash is the file's hash
        assert hashlib.sha256((tmp_path / "a" / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    # writing only the last quarter gives the very same files for it; omit leaves out a late office
    assert demo_cli(["--inbox", str(tmp_path / "c"), "--seed", str(TINY["seed"]), "--start", TINY["start"],
                     "--until", TINY["until"], "--scale", str(TINY["scale"]), "--write-from", "2021-Q1",
                     "--omit", "sgb2:2021-Q1", "--quiet"]) == 0
    mc = json.loads((tmp_path / "c" / "_demo" / "manifest.json").read_text(encoding="utf-8"))
    expected = {f["path"]: f["sha256"] for f in ma["files"]
                if (not re.fullmatch(r"\d{4}-Q\d", f["period"]) or f["period"] >= "2021-Q1")
                and not (f["source"] == "sgb2" and f["period"] == "2021-Q1")}
    assert {f["path"]: f["sha256"] for f in mc["files"]} == expected
    assert not (tmp_path / "c" / "sgb2").exists()
    assert ma["population"] == mc["population"]


@pytest.mark.slow
def test_full_scale_population_matches_the_district(tmp_path):
    summary = generate_demo(tmp_path / "full", write_from="2026-Q3")
    manifest = json.loads(summary.manifest.read_text(encoding="utf-8"))
    pop = manifest["population"]["municipality"]
    assert len(pop) == 47
    total_2020 = sum(pop["2020-Q4"].values())
    assert abs(total_2020 / TARGET_POPULATION_2020 - 1) < 0.02
    for ags, n in pop["2020-Q4"].items():
        assert abs(n / total_2020 / SHARE_2009[ags] - 1) < 0.02
    growth = sum(pop["2026-Q3"].values()) / sum(pop["2015-Q1"].values())
    assert 1.0 < growth < 1.04
    assert summary.persons_last == pop["2026-Q3"]
    assert summary.seconds < 120
