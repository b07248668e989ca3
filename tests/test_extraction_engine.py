"""The extraction's shared rules on small hand-written deliveries (independent of the demo generator)."""
import hashlib
import hmac
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.periods import Quarter
from orchestration.sources.run import extract_source
from tests.conftest import TEST_KEY

Q = Quarter(2024, 4)


def square(x: float, y: float, size: float = 1000.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}


def write_boundaries(inbox: Path, gebietsstand: str = "2021-01-01", ids=("00801", "00802")) -> Path:
    features = [
        {"type": "Feature", "properties": {"WP_NR": wp, "WP_NAME": f"Gebiet {wp}", "AGS": "05378008",
                                           "GEM_NAME": "Burscheid"}, "geometry": square(370000 + 1000 * i, 5655000)}
        for i, wp in enumerate(ids)
    ]
    doc = {"type": "FeatureCollection", "name": "Wohnplaetze",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}, "features": features}
    path = inbox / "wohnplatz_grenzen" / f"Wohnplaetze_Gebietsstand_{gebietsstand}_SYNTHETISCH.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


SGB2_HEADER = ("Gebiet;Schlüssel;Name;Bedarfsgemeinschaften;Regelleistungsberechtigte;"
               "darunter Kinder unter 15 Jahren;Alleinerziehenden-BG;SGB-II-Quote in %")


def sgb2_text(month_name: str = "Dezember 2024", rows: list[str] | None = None, header: str = SGB2_HEADER) -> str:
    rows = rows or [
        "Wohnplatz;00801;Zentrum Nord;412;803;251;97;19,4",
        "Wohnplatz;00802;Hilgen;*;-;.;*;0,1",
        "Gemeinde;05378008;Burscheid;414;805;253;99;4,2",
        "Kreis;05378;Rheinisch-Bergischer Kreis;414;805;253;99;4,2",
    ]
    lines = ["Statistik der Bundesagentur für Arbeit",
             "Leistungsberechtigte nach dem SGB II nach Wohnplätzen",
             f"Berichtsmonat: {month_name} – SYNTHETISCHE DEMODATEN", "", header, *rows, "",
             "* Werte von 1 oder 2 sind aus Datenschutzgründen anonymisiert", "- nichts vorhanden"]
    return "\r\n".join(lines) + "\r\n"


def write_sgb2(inbox: Path, text: str, name: str = "SGB2_Wohnplaetze_2024-12_SYNTHETISCH.csv",
               encoding: str = "cp1252") -> Path:
    path = inbox / "sgb2" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def raw_rows(data_dir: Path, sql: str):
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def inbox(data_dir: Path) -> Path:
    inbox = data_dir / "inbox"
    write_boundaries(inbox)
    write_boundaries(inbox, "2015-01-01", ids=("00801", "00802", "00803"))
    assert not extract_source("wohnplatz_grenzen", None).failed
    return inbox


def test_ba_table_is_decoded_with_masks_kept_unknown(data_dir, inbox):
    write_sgb2(inbox, sgb2_text())
    report = extract_source("sgb2", [Q])
    assert not report.failed and report.rows_loaded() == 4
    rows = dict((r[0], r[1:]) for r in raw_rows(data_dir, """
        SELECT gebiet_schluessel, bedarfsgemeinschaften, bedarfsgemeinschaften_kennung,
               regelleistungsberechtigte, kinder_unter_15_kennung, quote_ba, _periode, _stichtag::VARCHAR
        FROM raw.sgb2"""))
    assert rows["00801"] == (412, None, 803, None, 19.4, "2024-Q4", "2024-12-31")
    # '*' stays unknown with its mark, '-' is a true zero, '.' is unknown
    assert rows["00802"][:4] == (None, "*", 0, ".")


def test_same_file_twice_changes_nothing(data_dir, inbox):
    write_sgb2(inbox, sgb2_text())
    first = extract_source("sgb2", [Q])
    before = raw_rows(data_dir, "SELECT * EXCLUDE (_geladen_am, _lauf_id) FROM raw.sgb2 ORDER BY ALL")
    second = extract_source("sgb2", [Q], run_id="second")
    assert [o.status for o in first.outcomes] == ["geladen"]
    assert [o.status for o in second.outcomes] == ["unveraendert"]
    assert raw_rows(data_dir, "SELECT * EXCLUDE (_geladen_am, _lauf_id) FROM raw.sgb2 ORDER BY ALL") == before
    assert raw_rows(data_dir, "SELECT count(*) FROM raw.lieferungen WHERE quelle = 'sgb2'") == [(1,)]


def test_a_quarter_s_refresh_reads_only_that_quarter_s_files(data_dir, inbox, monkeypatch):
    from orchestration.sources import extraction

    write_sgb2(inbox, sgb2_text())
    write_sgb2(inbox, sgb2_text("September 2024"), name="SGB2_Wohnplaetze_2024-09_SYNTHETISCH.csv")
    (inbox / "sgb2" / "SGB2_Wohnplaetze_falsch_benannt.csv").write_text("x", encoding="cp1252")
    hashed = []
    monkeypatch.setattr(extraction, "file_sha256", lambda path, real=extraction.file_sha256:
                        hashed.append(path.name) or real(path))
    report = extract_source("sgb2", [Q])
    assert hashed == ["SGB2_Wohnplaetze_2024-12_SYNTHETISCH.csv"]  # the September file is not even read
    assert [(o.periode, o.status) for o in report.outcomes] == [("2024-Q4", "geladen")]
    assert report.unrecognised == ["SGB2_Wohnplaetze_falsch_benannt.csv"]  # reported whatever the quarter
    assert [(o.periode, o.status) for o in extract_source("sgb2", [Quarter(2024, 3)]).outcomes] == [
        ("2024-Q3", "geladen")]
    assert raw_rows(data_dir, "SELECT DISTINCT _periode FROM raw.sgb2 ORDER BY 1") == [("2024-Q3",), ("2024-Q4",)]


def test_copy_of_a_delivery_is_quarantined_as_duplicate_and_counted_once(data_dir, inbox):
    write_sgb2(inbox, sgb2_text())
    write_sgb2(inbox, sgb2_text(), name="SGB2_Wohnplaetze_2024-12_SYNTHETISCH_Kopie.csv")
    report = extract_source("sgb2", [Q])
    assert sorted(o.status for o in report.outcomes) == ["duplikat", "geladen"]
    assert not report.failed
    assert raw_rows(data_dir, "SELECT count(*) FROM raw.sgb2") == [(4,)]
    reason = next((data_dir / "quarantine" / "sgb2").glob("*Kopie.csv.grund.txt")).read_text()
    assert "identical content" in reason


def test_utf8_file_under_a_cp1252_contract_is_rejected_and_quarantined(data_dir, inbox):
    write_sgb2(inbox, sgb2_text(), encoding="utf-8")
    report = extract_source("sgb2", [Q])
    assert [o.status for o in report.outcomes] == ["quarantaene"]
    assert "UTF-8 encoded" in report.failed[0].problems[0] and "Windows-1252" in report.failed[0].problems[0]
    assert not (inbox / "sgb2" / "SGB2_Wohnplaetze_2024-12_SYNTHETISCH.csv").exists()
    assert list((data_dir / "quarantine" / "sgb2").glob("*.grund.json"))


def test_missing_column_names_the_column_and_what_is_there(data_dir, inbox):
    header = SGB2_HEADER.replace("Regelleistungsberechtigte;", "")
    rows = ["Wohnplatz;00801;Zentrum Nord;412;251;97;19,4"]
    write_sgb2(inbox, sgb2_text(rows=rows, header=header))
    report = extract_source("sgb2", [Q])
    problem = report.failed[0].problems[0]
    assert "required column 'Regelleistungsberechtigte' is missing" in problem
    assert "'Bedarfsgemeinschaften'" in problem


def test_negative_count_names_row_column_and_value(data_dir, inbox):
    rows = ["Wohnplatz;00801;Zentrum Nord;412;-7;251;97;19,4"]
    write_sgb2(inbox, sgb2_text(rows=rows))
    problem = extract_source("sgb2", [Q]).failed[0].problems[0]
    assert problem.startswith("row 6, column 'Regelleistungsberechtigte': count is negative")
    assert "'-7'" in problem


def test_unknown_wohnplatz_key_is_rejected_against_the_scheme_of_the_stichtag(data_dir, inbox):
    rows = ["Wohnplatz;00803;Altgebiet;10;20;5;3;1,0"]  # exists only in the 2015 scheme
    write_sgb2(inbox, sgb2_text(rows=rows))
    problem = extract_source("sgb2", [Q]).failed[0].problems[0]
    assert "not in the scheme of Gebietsstand 01.01.2021" in problem and "'00803'" in problem
    # the same key is fine for a quarter before the reform
    write_sgb2(inbox, sgb2_text("Dezember 2020", rows=rows), name="SGB2_Wohnplaetze_2020-12_SYNTHETISCH.csv")
    assert not extract_source("sgb2", [Quarter(2020, 4)]).failed


def test_period_claim_in_preamble_must_match_file_name(data_dir, inbox):
    write_sgb2(inbox, sgb2_text("September 2024"))
    problem = extract_source("sgb2", [Q]).failed[0].problems[0]
    assert "Berichtsmonat: September 2024" in problem and "12/2024" in problem


def test_rejected_delivery_leaves_loaded_data_untouched(data_dir, inbox):
    write_sgb2(inbox, sgb2_text())
    extract_source("sgb2", [Q])
    before = raw_rows(data_dir, "SELECT * FROM raw.sgb2 ORDER BY ALL")
    write_sgb2(inbox, sgb2_text(rows=["Wohnplatz;00801;Zentrum Nord;412;-7;251;97;19,4"]),
               name="SGB2_Wohnplaetze_2024-12_SYNTHETISCH.csv")
    assert extract_source("sgb2", [Q]).failed
    assert raw_rows(data_dir, "SELECT * FROM raw.sgb2 ORDER BY ALL") == before


def test_two_different_files_for_one_period_are_a_conflict_not_a_guess(data_dir, inbox):
    write_sgb2(inbox, sgb2_text())
    write_sgb2(inbox, sgb2_text(rows=["Wohnplatz;00801;Zentrum Nord;1;2;3;4;1,0"]),
               name="SGB2_Wohnplaetze_2024-12_korrigiert.csv")
    report = extract_source("sgb2", [Q])
    assert {o.status for o in report.outcomes} == {"konflikt"}
    assert "keep only the right one" in report.failed[0].problems[0]
    assert len(list((inbox / "sgb2").iterdir())) == 2  # nothing moved: a person must decide


def test_an_old_file_sent_again_under_a_new_name_is_recognised(data_dir, inbox):
    write_sgb2(inbox, sgb2_text("Dezember 2020", rows=["Wohnplatz;00801;Zentrum Nord;5;6;3;1;1,0"]),
               name="SGB2_Wohnplaetze_2020-12_SYNTHETISCH.csv")
    extract_source("sgb2", [Quarter(2020, 4)])
    old = (inbox / "sgb2" / "SGB2_Wohnplaetze_2020-12_SYNTHETISCH.csv").read_bytes()
    (inbox / "sgb2" / "SGB2_Wohnplaetze_2024-12_SYNTHETISCH.csv").write_bytes(old)
    problem = extract_source("sgb2", [Q]).failed[0].problems[0]
    assert "Berichtsmonat: Dezember 2020" in problem  # its own content contradicts the new name


def test_an_unchanged_inventory_may_be_delivered_identically_for_two_years(data_dir, inbox):
    folder = inbox / "infrastruktur"
    folder.mkdir()
    text = "Haltestellen-ID;Name;Gemeinde;Breite;Länge\r\nH1;Markt;Burscheid;51,08;7,11\r\n"
    for year in (2023, 2024):
        (folder / f"Haltestellen_{year}_SYNTHETISCH.csv").write_text(text, encoding="utf-8")
    report = extract_source("infrastruktur", [Quarter(2023, 4), Quarter(2024, 4)])
    assert [o.status for o in report.outcomes] == ["geladen", "geladen"]
    assert raw_rows(data_dir, "SELECT _periode, count(*) FROM raw.haltestellen GROUP BY 1 ORDER BY 1") == [
        ("2023-Q4", 1), ("2024-Q4", 1)]


def register_text(rows: list[str]) -> str:
    header = ("Ordnungsmerkmal;Familienname;Vornamen;Geburtsdatum;Geschlecht;Staatsangehörigkeit;"
              "Haushaltsnummer;Straßenschlüssel;Hausnummer;Einzugsdatum;Wohnungsstatus")
    return "\r\n".join([header, *rows]) + "\r\n"


def test_register_is_pseudonymised_with_a_keyed_hash_and_identifiers_dropped(data_dir, inbox, monkeypatch):
    from orchestration.sources.readers import _CP1252_ONLY  # noqa: F401  (module import check)

    street_dir = inbox / "strassenverzeichnis"
    street_dir.mkdir()
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Straßenverzeichnis"
    ws.append(["Straßenverzeichnis mit Zuordnung zu Wohnplätzen"])
    ws.append(["Gebietsstand 01.01.2021"])
    ws.append([])
    ws.append(["AGS", "Straßenschlüssel", "Straßenname", "Hausnummer von", "Hausnummer bis", "Seite",
               "Wohnplatz-Nr.", "Wohnplatz"])
    ws.append(["05378008", "00010", "Hauptstraße", 1, 99, "beide", "00801", "Zentrum Nord"])
    wb.save(street_dir / "Strassenverzeichnis_Gebietsstand_2021-01-01_SYNTHETISCH.xlsx")
    assert not extract_source("strassenverzeichnis", None).failed

    path = inbox / "melderegister" / "Melderegister_Bestand_05378008_2024-12-31_SYNTHETISCH.csv"
    path.parent.mkdir()
    path.write_bytes(register_text([
        "0080000001;Müller;Jürgen;17.03.1961;m;000;00800001;00010;12a;01.02.1999;H",
        "0080000002;Öztürk;Ayşe Nur;02.11.1990;w;163;00800002;00010;7;15.06.2020;H",
    ]).replace("Ayşe", "Ayse").encode("cp1252"))
    report = extract_source("melderegister", [Q])
    assert not report.failed, report.failed
    cols = [r[0] for r in raw_rows(data_dir, "SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = 'melderegister_bestand'")]
    assert not {"familienname", "vornamen", "geburtsdatum"} & set(cols)
    rows = raw_rows(data_dir, "SELECT person_pseudonym, geburtsjahr, geburtsmonat, hausnummer, ags "
                              "FROM raw.melderegister_bestand ORDER BY geburtsjahr")
    expected = hmac.new(TEST_KEY.encode(), b"0080000001", hashlib.sha256).hexdigest()[:20]
    assert rows[0] == (expected, 1961, 3, 12, "05378008")
    text = (data_dir / "warehouse.duckdb").read_bytes()
    assert b"0080000001" not in text and "Müller".encode() not in text


def test_register_without_key_fails_clearly(data_dir, inbox, monkeypatch):
    monkeypatch.delenv("SOZIALMONITOR_PSEUDONYM_KEY")
    from orchestration.settings import MissingPseudonymKey, pseudonym_key

    with pytest.raises(MissingPseudonymKey, match="SOZIALMONITOR_PSEUDONYM_KEY"):
        pseudonym_key()
