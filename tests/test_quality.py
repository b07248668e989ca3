"""The quality gate: suite loading, the runner on good and broken marts, the Dagster checks.

Everything runs on the small fixture warehouse of test_quality_fixture.py; each broken scenario is a
copy of it with one defect, and the test asserts that exactly the check meant for that defect fails
with the right severity and shows the offending row.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import socket
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from orchestration.quality import (
    DATENQUALITAET_COLUMNS,
    PUBLISHED_MARTS,
    SuiteError,
    datenqualitaet_rows,
    load_suite,
    run_suite,
)
from orchestration.quality.suites import KATEGORIEN, load_suite_file, suite_path
from test_quality_fixture import EINRICHTUNGEN, PUBLISHED_STICHTAG, add_to_zaehler, build_warehouse

PARAMS = {"stichtag": PUBLISHED_STICHTAG}
# Warnings the good fixture honestly deserves: its district has five Wohnplätze, so the comparison group of a
# measure (Wohnplätze outside the measure and without need for action) can never reach five areas.
FIXTURE_WARNINGS = {"mart_massnahmen": {"plausibilitaet_vergleichsgruppe"}}


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("gut") / "warehouse.duckdb")


def broken_copy(good_db: Path, tmp_path: Path, *statements: str) -> Path:
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(good_db, target)
    con = duckdb.connect(str(target))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()
    return target


def outcome(result, pruefung: str):
    return next(r for r in result.results if r.pruefung == pruefung)


def failed_names(result) -> set[str]:
    return {r.pruefung for r in result.failed}


# ------------------------------------------------------------------------------------------ loading


def _write_suite(tmp_path: Path, mutate) -> Path:
    document = json.loads(suite_path("mart_pflege").read_text(encoding="utf-8"))
    mutate(document)
    path = tmp_path / "mart_pflege.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_loader_refuses_a_suite_whose_expectation_gx_drops(tmp_path: Path) -> None:
    def misspell(document):
        document["expectations"][3]["type"] = "expect_column_values_to_be_betwen"

    path = _write_suite(tmp_path, misspell)
    name = json.loads(path.read_text())["expectations"][3]["meta"]["pruefung"]
    with pytest.raises(SuiteError, match="GX loaded") as error:
        load_suite_file(path)
    assert name in str(error.value)
    assert "not found" in str(error.value)  # GX's own reason is passed on


def test_loader_refuses_an_expectation_with_invalid_arguments(tmp_path: Path) -> None:
    def bad_kwargs(document):
        document["expectations"][0]["kwargs"] = {"colum": "wert"}

    with pytest.raises(SuiteError, match="GX cannot build"):
        load_suite_file(_write_suite(tmp_path, bad_kwargs))


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d["expectations"][0]["meta"].pop("severity"), "meta.severity"),
    (lambda d: d["expectations"][0]["meta"].update(severity="info"), "meta.severity"),
    (lambda d: d["expectations"][0]["meta"].update(batch="gibt_es_nicht"), "is not a batch"),
    (lambda d: d["expectations"][1]["meta"].update(pruefung=d["expectations"][0]["meta"]["pruefung"]), "used twice"),
    (lambda d: d["meta"]["batches"].update(unbenutzt={"sql": "SELECT 1"}), "neither checked"),
    (lambda d: d["meta"].pop("parameter"), "does not declare"),
    (lambda d: d["expectations"][0]["meta"].update(beschreibung=""), "beschreibung"),
])
def test_loader_refuses_incomplete_meta(tmp_path: Path, mutation, message: str) -> None:
    with pytest.raises(SuiteError, match=message):
        load_suite_file(_write_suite(tmp_path, mutation))


@pytest.mark.parametrize("mart", PUBLISHED_MARTS)
def test_every_suite_file_loads_with_its_full_count(mart: str) -> None:
    document = json.loads(suite_path(mart).read_text(encoding="utf-8"))
    suite = load_suite(mart)
    assert len(suite.expectations) == len(document["expectations"]) > 10
    assert {e.severity for e in suite.expectations} == {"error", "warn"}
    assert "stichtag" in suite.parameters
    categories = {e.kategorie for e in suite.expectations}
    assert {"vollstaendigkeit", "wertebereich", "konsistenz", "plausibilitaet", "geheimhaltung",
            "aktualitaet"} <= categories <= set(KATEGORIEN)


def test_great_expectations_is_imported_only_when_a_suite_runs() -> None:
    import subprocess
    import sys

    code = ("import sys, orchestration.quality, orchestration.quality.checks; "
            "orchestration.quality.checks.build_mart_asset_checks(); "
            "sys.exit(1 if 'great_expectations' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


# ------------------------------------------------------------------------------------------ running


@pytest.fixture(scope="module")
def good_results(good_db: Path) -> dict:
    return {mart: run_suite(mart, good_db, PARAMS) for mart in PUBLISHED_MARTS}


@pytest.mark.parametrize("mart", PUBLISHED_MARTS)
def test_suite_passes_on_the_good_fixture(good_results: dict, mart: str) -> None:
    result = good_results[mart]
    assert [(r.pruefung, r.observed_text()) for r in result.failed_errors] == []
    assert {r.pruefung for r in result.failed} == FIXTURE_WARNINGS.get(mart, set())
    assert result.success and all(r.status != "nicht_ausfuehrbar" for r in result.results)
    assert len(result.results) == len(load_suite(mart).expectations)


def test_runner_never_writes_the_warehouse_and_repeats_itself(good_db: Path, good_results: dict) -> None:
    before = hashlib.sha256(good_db.read_bytes()).hexdigest()
    again = run_suite("mart_pflege", good_db, PARAMS)
    assert hashlib.sha256(good_db.read_bytes()).hexdigest() == before
    assert again.results == good_results["mart_pflege"].results  # same data, same outcome and examples


def test_example_rows_are_stable_and_newest_first(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialmonitoring SET sgb2_quote = 140 "
                                        "WHERE ebene = 'wohnplatz'")
    first, second = (run_suite("mart_sozialmonitoring", db, PARAMS) for _ in range(2))
    examples = outcome(first, "wertebereich_anteile_0_bis_100").examples
    assert examples == outcome(second, "wertebereich_anteile_0_bis_100").examples
    assert [r["stichtag"] for r in examples] == [PUBLISHED_STICHTAG] * 5


def test_examples_are_whole_rows_of_the_batch_first_in_its_stable_order(good_db: Path, tmp_path: Path) -> None:
    """The checks read only the columns they look at, in no fixed order; the examples must still be the
    first broken rows of the whole batch in its stable order, with every column."""
    from orchestration.quality.batches import connect_read_only, render_batch_sql, stable_order
    from orchestration.quality.runner import _json_safe

    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialmonitoring SET sgb2_quote = 140 "
                                        "WHERE ebene = 'wohnplatz'")
    check = outcome(run_suite("mart_sozialmonitoring", db, PARAMS), "wertebereich_anteile_0_bis_100")
    suite = load_suite("mart_sozialmonitoring")
    con = connect_read_only(db)
    try:
        batch = con.sql(render_batch_sql(suite, check.batch, con))
        broken = batch.filter("wert_prozent_des_faktors > 100").order(stable_order(batch.columns)).limit(5).df()
    finally:
        con.close()
    expected = [{k: _json_safe(v) for k, v in row.items()} for row in broken.to_dict(orient="records")]
    assert check.unexpected_count > 5 and len(expected) == 5
    assert check.examples == expected
    assert set(check.examples[0]) == set(batch.columns) and len(batch.columns) > 3


def test_batch_order_is_newest_stichtag_first_then_every_column_with_nulls_last() -> None:
    from orchestration.quality.batches import stable_order

    con = duckdb.connect()
    rows = con.sql("""SELECT * FROM (VALUES (DATE '2020-03-31', 'b', 2.0), (NULL, 'a', 1.0),
                      (DATE '2026-09-30', 'b', NULL), (DATE '2026-09-30', 'a', 5.0), (DATE '2026-09-30', 'b', 1.0))
                      AS t(stichtag, "gebiet-id", wert)""")
    ordered = rows.order(stable_order(rows.columns)).fetchall()
    assert [(str(d) if d else None, g, w) for d, g, w in ordered] == [
        ("2026-09-30", "a", 5.0), ("2026-09-30", "b", 1.0), ("2026-09-30", "b", None),
        ("2020-03-31", "b", 2.0), (None, "a", 1.0)]


def test_runner_needs_the_published_stichtag(good_db: Path) -> None:
    with pytest.raises(ValueError, match="stichtag"):
        run_suite("mart_pflege", good_db, {})


def test_runner_opens_no_network_connection(good_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("network access during a suite run")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert run_suite("mart_jugendhilfe", good_db, PARAMS).success


def test_missing_wohnplatz_is_a_blocking_completeness_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "DELETE FROM marts.mart_sozialmonitoring "
                                        "WHERE gebiet_id = '00402' AND stichtag = DATE '2021-06-30'")
    result = run_suite("mart_sozialmonitoring", db, PARAMS)
    check = outcome(result, "vollstaendigkeit_raster")
    assert not check.success and check.severity == "error" and not result.success
    assert check.unexpected_count == 1
    assert check.examples == [{"ebene": "wohnplatz", "gebiet_id": "00402", "stichtag": "2021-06-30",
                               "im_mart": False, "erwartet": True}]


def test_share_of_140_percent_is_a_range_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialmonitoring SET sgb2_quote = 140 "
                                        "WHERE gebiet_id = '00401' AND stichtag = DATE '2021-06-30'")
    result = run_suite("mart_sozialmonitoring", db, PARAMS)
    check = outcome(result, "wertebereich_anteile_0_bis_100")
    assert not check.success and check.severity == "error"
    assert len(check.examples) == 1
    row = check.examples[0]
    assert (row["gebiet_id"], row["stichtag"], row["indikator_id"], row["wert"]) == \
        ("00401", "2021-06-30", "sgb2_quote", 140.0)


def test_parts_not_adding_up_is_a_consistency_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_indikatoren SET zaehler = zaehler + 100, "
                                        "wert = wert + 100 WHERE gebiet_id = '05378004' "
                                        "AND indikator_id = 'einwohner' AND stichtag = DATE '2021-09-30'")
    result = run_suite("mart_indikatoren", db, PARAMS)
    check = outcome(result, "konsistenz_summen_zaehler")
    assert not check.success and check.severity == "error"
    assert {(r["gebiet_gesamt"], r["stichtag"], r["indikator_id"]) for r in check.examples} == {
        ("05378004", "2021-09-30", "einwohner"),  # the municipality exceeds its Wohnplätze
        ("05378", "2021-09-30", "einwohner"),     # and the district is now short of its municipalities
    }
    assert {r["zaehler_differenz"] for r in check.examples} == {100.0, -100.0}


def test_sum_with_suppressed_parts_is_checked_as_a_bound(good_db: Path, tmp_path: Path) -> None:
    # two of Bergisch Gladbach's three Wohnplätze suppressed (secondary rule kept), and the municipality's
    # numerator below the one part that is still published
    db = broken_copy(good_db, tmp_path,
                     "UPDATE marts.mart_indikatoren SET status = 'gesperrt', zaehler = NULL, wert = NULL "
                     "WHERE gebiet_id IN ('00401', '00402') AND indikator_id = 'hze_quote' "
                     "AND stichtag = DATE '2021-12-31'",
                     "UPDATE marts.mart_indikatoren SET zaehler = 3, wert = 3 / nenner * 1000 "
                     "WHERE gebiet_id = '05378004' AND indikator_id = 'hze_quote' AND stichtag = DATE '2021-12-31'")
    result = run_suite("mart_indikatoren", db, PARAMS)
    check = outcome(result, "konsistenz_summen_zaehler_obergrenze")
    assert not check.success and check.severity == "error"
    assert [(r["gebiet_gesamt"], r["indikator_id"], r["zaehler_teile"], r["zaehler_gesamt"])
            for r in check.examples] == [("05378004", "hze_quote", 6.0, 3.0)]


def test_published_count_of_two_is_a_suppression_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_indikatoren SET status = 'ok', status_grund = NULL, "
                                        "zaehler = 2, nenner = 20, wert = 10 WHERE gebiet_id = '00802' "
                                        "AND indikator_id = 'kinderarmut' AND stichtag = DATE '2021-12-31'")
    result = run_suite("mart_indikatoren", db, PARAMS)
    check = outcome(result, "geheimhaltung_fallzahl_1_2")
    assert not check.success and check.severity == "error"
    assert [(r["gebiet_id"], r["indikator_id"], r["zaehler"]) for r in check.examples] == \
        [("00802", "kinderarmut", 2.0)]
    # its neighbour 00801 is now the only suppressed cell under Burscheid's published total
    secondary = outcome(result, "geheimhaltung_sekundaersperrung_geschwister")
    assert not secondary.success
    assert [(r["gebiet_eltern"], r["teile_ohne_zahl"]) for r in secondary.examples] == [("05378008", 1)]


def test_rate_from_two_persons_in_a_wide_mart_is_found_through_the_fact_table(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path,
                     "UPDATE core.fct_indikator SET zaehler = 2 WHERE gebiet_id = '00402' "
                     "AND indikator_id = 'alleinlebende_80plus' AND stichtag = DATE '2021-03-31'")
    result = run_suite("mart_pflege", db, PARAMS)
    check = outcome(result, "geheimhaltung_fallzahl_1_2")
    assert not check.success and check.severity == "error"
    assert [(r["gebiet_id"], r["stichtag"], r["indikator_id"], r["zaehler_vor_sperrung"])
            for r in check.examples] == [("00402", "2021-03-31", "alleinlebende_80plus", 2.0)]


def test_published_age_band_of_two_children_is_a_suppression_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_jugendhilfe SET kinder_0_2 = 2 "
                                        "WHERE gebiet_id = '00402' AND stichtag = DATE '2021-12-31'")
    result = run_suite("mart_jugendhilfe", db, PARAMS)
    check = outcome(result, "geheimhaltung_zaehlwerte_fallzahl_1_2")
    assert not check.success and check.severity == "error"
    assert [(r["gebiet_id"], r["spalte"], r["wert"]) for r in check.examples] == [("00402", "kinder_0_2", 2.0)]
    assert "konsistenz_zaehlsummen" in failed_names(result)  # Bergisch Gladbach no longer adds up


def test_suppressed_total_over_published_parts_is_a_suppression_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_indikatoren SET status = 'gesperrt', "
                                        "status_grund = 'fallzahl_1_2', zaehler = NULL, nenner = NULL, wert = NULL "
                                        "WHERE gebiet_id = '05378004' AND indikator_id = 'einwohner' "
                                        "AND stichtag = DATE '2021-12-31'")
    result = run_suite("mart_indikatoren", db, PARAMS)
    check = outcome(result, "geheimhaltung_sekundaersperrung_eltern")
    assert not check.success and check.severity == "error"
    assert [(r["gebiet_eltern"], r["indikator_id"], r["teile_ohne_zahl"]) for r in check.examples] == \
        [("05378004", "einwohner", 0)]


def test_value_below_the_minimum_denominator_is_a_suppression_error(good_db: Path, tmp_path: Path) -> None:
    # kita_versorgung_u3 of 00802 has 4-8 children: published anyway
    db = broken_copy(good_db, tmp_path,
                     "UPDATE marts.mart_jugendhilfe SET kita_versorgung_u3 = 125.0, kita_versorgung_u3_status = 'ok' "
                     "WHERE gebiet_id = '00802' AND stichtag = DATE '2021-03-31'")
    result = run_suite("mart_jugendhilfe", db, PARAMS)
    check = outcome(result, "geheimhaltung_mindestnenner")
    assert not check.success and check.severity == "error"
    assert check.examples[0]["nenner_vor_sperrung"] < check.examples[0]["mindestnenner"]


def jump_warehouse(tmp_path: Path) -> Path:
    """60 more nursing-home places in Refrath at 2020-12-31 (and so in Bergisch Gladbach and the district):
    +21 places per 100 aged 80+ in the Wohnplatz (bound 20), about +8 in the municipality. Everything else
    stays consistent, so only the Wohnplatz plausibility check may object."""
    from datetime import date

    return build_warehouse(tmp_path / "sprung.duckdb", adjust=lambda fct: add_to_zaehler(
        fct, "pflegeheimplaetze_80plus", date(2020, 12, 31), "00401", 60))


def test_jump_in_a_wohnplatz_is_a_warning_only(tmp_path: Path) -> None:
    db = jump_warehouse(tmp_path)
    for mart in ("mart_indikatoren", "mart_pflege"):
        result = run_suite(mart, db, PARAMS)
        assert failed_names(result) == {"plausibilitaet_veraenderung_wohnplatz"}, mart
        check = outcome(result, "plausibilitaet_veraenderung_wohnplatz")
        assert check.severity == "warn" and result.success and result.worst_severity == "warn"
        assert [(r["gebiet_id"], r["indikator_id"], r["stichtag_vorher"], r["stichtag"]) for r in check.examples] \
            == [("00401", "pflegeheimplaetze_80plus", "2019-12-31", "2020-12-31")]
        assert check.examples[0]["aenderung"] > check.examples[0]["max_aenderung"] == 20


def test_break_of_the_district_in_the_newest_year_is_an_error(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialmonitoring SET einwohner = einwohner + 5000 "
                                        "WHERE ebene = 'kreis' AND stichtag >= DATE '2021-09-30'")
    result = run_suite("mart_sozialmonitoring", db, PARAMS)
    check = outcome(result, "plausibilitaet_bruch_kommune_kreis")
    assert not check.success and check.severity == "error" and not result.success
    assert [(r["gebiet_id"], r["stichtag"], r["aenderung"], r["bruchgrenze"]) for r in check.examples] == \
        [("05378", "2021-09-30", 5050.0, 4000.0)]  # +50 is the usual growth
    assert not outcome(result, "plausibilitaet_veraenderung_kommune_kreis").success  # and reported as a jump


def test_an_older_break_of_the_district_is_reported_not_blocking(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialmonitoring SET einwohner = einwohner + 5000 "
                                        "WHERE ebene = 'kreis' AND stichtag = DATE '2020-06-30'")
    result = run_suite("mart_sozialmonitoring", db, PARAMS)
    assert outcome(result, "plausibilitaet_bruch_kommune_kreis").success
    jump = outcome(result, "plausibilitaet_veraenderung_kommune_kreis")
    assert not jump.success and jump.severity == "warn"
    assert [(r["stichtag_vorher"], r["stichtag"]) for r in jump.examples] == [
        ("2020-06-30", "2020-09-30"), ("2020-03-31", "2020-06-30")]  # newest first


def test_area_reform_and_crosswalked_values_are_excepted_from_the_jump_check(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path,
                     # a level shift exactly at the reform (all old-scheme quarters of 00401 higher)
                     "UPDATE marts.mart_sozialmonitoring SET anteil_80plus = anteil_80plus + 5 "
                     "WHERE gebiet_id = '00401' AND stichtag < DATE '2021-01-01'",
                     # crosswalked values of the merged area jump between themselves
                     "UPDATE marts.mart_sozialmonitoring SET sgb2_quote = sgb2_quote + 10 "
                     "WHERE gebiet_id = '00405' AND stichtag = DATE '2020-06-30'")
    result = run_suite("mart_sozialmonitoring", db, PARAMS)
    assert "plausibilitaet_veraenderung_wohnplatz" not in failed_names(result)


def test_a_missing_yearly_delivery_is_reported_as_a_warning(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_indikatoren SET status = 'fehlt', "
                                        "status_grund = 'nicht_geliefert', zaehler = NULL, nenner = NULL, wert = NULL, "
                                        "lieferung_ids = NULL WHERE indikator_id = 'kita_versorgung_u3' "
                                        "AND stichtag = DATE '2021-03-31'")
    result = run_suite("mart_indikatoren", db, PARAMS)
    assert failed_names(result) == {"vollstaendigkeit_aktuelle_lieferungen"}
    check = outcome(result, "vollstaendigkeit_aktuelle_lieferungen")
    assert check.severity == "warn" and result.success
    assert check.examples == [{"indikator_id": "kita_versorgung_u3", "letzter_faelliger_stichtag": "2021-03-31",
                               "zellen": 8, "zellen_fehlend": 8}]


def test_stale_stichtag_is_a_blocking_freshness_error(good_db: Path) -> None:
    result = run_suite("mart_pflege", good_db, {"stichtag": "2022-03-31"})
    check = outcome(result, "aktualitaet_neuester_stichtag")
    assert not check.success and check.severity == "error" and not result.success
    assert check.observed == "2021-12-31"
    assert failed_names(result) == {"aktualitaet_neuester_stichtag"}


def test_trend_must_be_the_difference_of_published_values(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_pflege SET anteil_80plus_veraenderung_2j = 0.5 "
                                        "WHERE gebiet_id = '00801' AND stichtag = DATE '2021-06-30'")
    result = run_suite("mart_pflege", db, PARAMS)
    check = outcome(result, "konsistenz_veraenderung_2j")
    assert not check.success and check.severity == "error"
    assert [(r["gebiet_id"], r["stichtag"], r["spalte"]) for r in check.examples] == \
        [("00801", "2021-06-30", "anteil_80plus")]


def test_sozialindex_must_be_built_from_published_values_only(good_db: Path, tmp_path: Path) -> None:
    # the model must not feed Burscheid's suppressed child poverty into the z-values
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialindex_komponenten SET wert = 10.0 "
                                        "WHERE gebiet_id = '00802' AND indikator_id = 'kinderarmut' "
                                        "AND stichtag = DATE '2021-12-31'")
    result = run_suite("mart_sozialindex", db, PARAMS)
    check = outcome(result, "geheimhaltung_index_nur_aus_veroeffentlichten_werten")
    assert not check.success and check.severity == "error"
    assert check.examples[0]["gebiet_id"] == "00802" and check.examples[0]["wert_mart_indikatoren"] is None


def test_sozialindex_classes_must_follow_the_index(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "UPDATE marts.mart_sozialindex SET status_klasse = 'hoch' "
                                        "WHERE status_index = (SELECT max(status_index) FROM marts.mart_sozialindex "
                                        "WHERE stichtag = DATE '2021-12-31') AND stichtag = DATE '2021-12-31'")
    result = run_suite("mart_sozialindex", db, PARAMS)
    check = outcome(result, "konsistenz_klassen_folgen_dem_index")
    assert not check.success and check.severity == "error"
    assert check.examples[0]["stichtag"] == "2021-12-31" and check.examples[0]["klasse"] == "hoch"


# ------------------------------------------------------------------ the Sozialindex components and planning marts

# (mart, defect, check that must block, a row it must show); each defect is one broken row or column of the
# good fixture, as a bug in the model would leave it.
BROKEN_PLANNING_ROWS = [
    ("mart_sozialindex_komponenten",  # the change computed from the unsuppressed child poverty of 00801
     "UPDATE marts.mart_sozialindex_komponenten SET aenderung = 0.5 WHERE gebiet_id = '00801' "
     "AND indikator_id = 'kinderarmut' AND stichtag = DATE '2021-12-31'",
     "geheimhaltung_veraenderung_aus_veroeffentlichten_werten",
     {"gebiet_id": "00801", "indikator_id": "kinderarmut", "stichtag": "2021-12-31", "aenderung": 0.5}),
    ("mart_sozialindex_komponenten", "UPDATE marts.mart_sozialindex_komponenten SET aenderung = 0.5 "
     "WHERE gebiet_id = '00801' AND indikator_id = 'kinderarmut' AND stichtag = DATE '2021-12-31'",
     "geheimhaltung_keine_zahl_neben_sperre",
     {"gebiet_id": "00801", "indikator_id": "kinderarmut", "zahlen_trotz_sperre": "aenderung"}),
    ("mart_sozialindex_komponenten",  # the two strongest status indicators of Stadtmitte swapped
     "UPDATE marts.mart_sozialindex_komponenten SET rang_status = 3 - rang_status WHERE gebiet_id = '00405' "
     "AND stichtag = DATE '2021-12-31' AND rang_status IN (1, 2)",
     "konsistenz_rang_status", {"gebiet_id": "00405", "stichtag": "2021-12-31", "rang_status_stimmt": False}),
    ("mart_sozialindex_komponenten", "DELETE FROM marts.mart_sozialindex_komponenten WHERE gebiet_id = '00402' "
     "AND indikator_id = 'kinderarmut' AND stichtag = DATE '2020-06-30'",
     "vollstaendigkeit_raster", {"gebiet_id": "00402", "stichtag": "2020-06-30", "indikator_id": "kinderarmut"}),
    ("mart_sozialindex_komponenten", "UPDATE marts.mart_sozialindex_komponenten SET richtung = -1 "
     "WHERE indikator_id = 'sgb2_quote'",
     "konsistenz_richtung_aus_polaritaet", {"indikator_id": "sgb2_quote", "polaritaet_katalog": "negativ"}),
    ("mart_handlungsraeume",  # Bensberg's flag of 2021 lost
     "UPDATE marts.mart_handlungsraeume SET handlungsbedarf = false WHERE gebiet_id = '00402' AND berichtsjahr = 2021",
     "konsistenz_handlungsbedarf_wie_mart_sozialindex",
     {"gebiet_id": "00402", "berichtsjahr": 2021, "handlungsbedarf": False, "handlungsbedarf_mart_sozialindex": True}),
    ("mart_handlungsraeume", "UPDATE marts.mart_handlungsraeume SET handlungsbedarf_seit = 2020 "
     "WHERE gebiet_id = '00405' AND berichtsjahr = 2021",
     "konsistenz_handlungsbedarf_seit", {"gebiet_id": "00405", "berichtsjahr": 2021, "seit_erwartet": 2019}),
    ("mart_handlungsraeume", "UPDATE marts.mart_handlungsraeume SET bewegung = 'neu' "
     "WHERE gebiet_id = '00405' AND berichtsjahr = 2020",
     "konsistenz_bewegung", {"gebiet_id": "00405", "berichtsjahr": 2020, "bewegung_erwartet": "weiterhin"}),
    ("mart_handlungsraeume",  # drivers 1 and 2 swapped
     "UPDATE marts.mart_handlungsraeume SET treiber_1_id = treiber_2_id, treiber_2_id = treiber_1_id "
     "WHERE gebiet_id = '00405' AND berichtsjahr = 2021",
     "konsistenz_treiber_wie_komponenten", {"gebiet_id": "00405", "berichtsjahr": 2021, "nr": 1}),
    ("mart_handlungsraeume", "UPDATE marts.mart_handlungsraeume SET treiber_1_wert = 17.5 "
     "WHERE gebiet_id = '00405' AND berichtsjahr = 2021",
     "geheimhaltung_treiberwerte_veroeffentlicht", {"gebiet_id": "00405", "nr": 1, "wert": 17.5}),
    ("mart_handlungsraeume", "UPDATE marts.mart_handlungsraeume SET treiber_art = 'dynamik' "
     "WHERE gebiet_id = '00405' AND berichtsjahr = 2020",
     "konsistenz_treiberart_je_statusklasse", {"status_klasse": "niedrig", "treiberarten": 2}),
    ("mart_handlungsraeume", "UPDATE marts.mart_handlungsraeume SET verlassen_grund = 'Statusklasse niedrig → mittel' "
     "WHERE gebiet_id = '00401' AND berichtsjahr = 2021",
     "konsistenz_grund_nur_beim_verlassen", {"gebiet_id": "00401", "berichtsjahr": 2021}),
    ("mart_handlungsraeume", "DELETE FROM marts.mart_handlungsraeume WHERE gebiet_id = '00801' AND berichtsjahr = 2020",
     "vollstaendigkeit_raster", {"gebiet_id": "00801", "berichtsjahr": 2020, "im_mart": False}),
    ("mart_massnahmen", "UPDATE marts.mart_massnahmen SET differenz_der_differenzen_kreis = "
     "differenz_der_differenzen_kreis + 1 WHERE massnahme_nr = 'M001' AND indikator_id = 'sgb2_quote'",
     "konsistenz_differenzen",
     {"massnahme_nr": "M001", "indikator_id": "sgb2_quote", "spalte": "differenz_der_differenzen_kreis"}),
    ("mart_massnahmen",  # Burscheid's suppressed day-care coverage published after all
     "UPDATE marts.mart_massnahmen SET wert_ende = 53.6 WHERE massnahme_nr = 'M002' AND wohnplatz_id = '00801' "
     "AND indikator_id = 'kita_versorgung_u3'",
     "geheimhaltung_keine_zahl_neben_sperre",
     {"massnahme_nr": "M002", "wohnplatz_id": "00801", "status_ende": "gesperrt", "zahlen_trotz_sperre": "wert_ende"}),
    ("mart_massnahmen", "UPDATE marts.mart_massnahmen SET wert_ende = 53.6 WHERE massnahme_nr = 'M002' "
     "AND wohnplatz_id = '00801' AND indikator_id = 'kita_versorgung_u3'",
     "geheimhaltung_nur_veroeffentlichte_werte", {"massnahme_nr": "M002", "abweichende_spalten": "wert_ende"}),
    ("mart_massnahmen",  # a flagged Wohnplatz counted into the comparison group
     "UPDATE marts.mart_massnahmen SET vergleich_wohnplaetze = vergleich_wohnplaetze + 1 "
     "WHERE massnahme_nr = 'M001' AND indikator_id = 'sgb2_quote'",
     "konsistenz_vergleichsgebiete", {"massnahme_nr": "M001", "vergleich_wohnplaetze": 4,
                                      "vergleich_wohnplaetze_erwartet": 3}),
    ("mart_massnahmen", "UPDATE marts.mart_massnahmen SET einordnung = 'Wirkung nachgewiesen' "
     "WHERE massnahme_nr = 'M001' AND indikator_id = 'sgb2_quote'",
     "konsistenz_einordnung", {"massnahme_nr": "M001", "einordnung_erwartet": "günstiger als in den Vergleichsgebieten"}),
    ("mart_massnahmen", "UPDATE marts.mart_massnahmen SET hinweis = 'Die Maßnahme wirkt.' WHERE massnahme_nr = 'M003'",
     "konsistenz_hinweis_beschreibend", {"massnahme_nr": "M003"}),
    ("mart_massnahmen", "UPDATE marts.mart_massnahmen SET endstichtag = DATE '2021-09-30' "
     "WHERE massnahme_nr = 'M001' AND indikator_id = 'sgb2_quote'",
     "aktualitaet_endstichtag", {"massnahme_nr": "M001", "endstichtag": "2021-09-30",
                                 "endstichtag_erwartet": "2021-12-31"}),
    ("mart_massnahmen", "DELETE FROM marts.mart_massnahmen WHERE massnahme_nr = 'M003'",
     "vollstaendigkeit_raster", {"massnahme_nr": "M003", "wohnplatz_id": "00401", "im_mart": False}),
    ("mart_priorisierung",  # day-care coverage (polarity positiv) ranked highest first
     "UPDATE marts.mart_priorisierung SET rang = einrichtungen_mit_wert + 1 - rang WHERE art = 'kita' "
     "AND indikator_id = 'kita_versorgung_u3' AND wert IS NOT NULL",
     "konsistenz_rang_nach_wert_und_polaritaet", {"art": "kita", "indikator_id": "kita_versorgung_u3"}),
    ("mart_priorisierung",  # Hilgen-Nord's suppressed child poverty shown and ranked
     "UPDATE marts.mart_priorisierung SET wert = 10.0 WHERE einrichtung_id = 'KT0020' AND indikator_id = 'kinderarmut'",
     "geheimhaltung_keine_zahl_neben_sperre",
     {"einrichtung_id": "KT0020", "status": "gesperrt", "zahlen_trotz_sperre": "wert"}),
    ("mart_priorisierung", "UPDATE marts.mart_priorisierung SET wert = 10.0 "
     "WHERE einrichtung_id = 'KT0020' AND indikator_id = 'kinderarmut'",
     "geheimhaltung_nur_veroeffentlichte_werte", {"einrichtung_id": "KT0020", "wert": 10.0}),
    ("mart_priorisierung", "UPDATE marts.mart_priorisierung SET rang = 1 "
     "WHERE einrichtung_id = 'KT0020' AND indikator_id = 'kinderarmut'",
     "konsistenz_ohne_wert_zuletzt", {"einrichtung_id": "KT0020", "rang": 1, "zuletzt": False}),
    ("mart_priorisierung", "UPDATE marts.mart_priorisierung SET handlungsraum = NOT handlungsraum "
     "WHERE einrichtung_id = 'KT0012'",
     "konsistenz_handlungsraum_wie_mart_sozialindex", {"einrichtung_id": "KT0012", "wohnplatz_id": "00405"}),
    ("mart_priorisierung", "UPDATE marts.mart_priorisierung SET stichtag = DATE '2021-09-30' "
     "WHERE indikator_id = 'sgb2_quote'",
     "aktualitaet_stichtag_der_werte", {"indikator_id": "sgb2_quote", "stichtag_erwartet": "2021-12-31"}),
    ("mart_priorisierung", "DELETE FROM marts.mart_priorisierung WHERE einrichtung_id = 'SCH-0002' "
     "AND indikator_id = 'sgb2_quote'",
     "vollstaendigkeit_raster", {"einrichtung_id": "SCH-0002", "indikator_id": "sgb2_quote", "im_mart": False}),
]


@pytest.mark.parametrize("mart, statement, pruefung, example", BROKEN_PLANNING_ROWS,
                         ids=[f"{m}-{p}" for m, _, p, _ in BROKEN_PLANNING_ROWS])
def test_a_broken_row_of_a_planning_mart_blocks_publication(good_db: Path, tmp_path: Path, mart: str,
                                                            statement: str, pruefung: str, example: dict) -> None:
    result = run_suite(mart, broken_copy(good_db, tmp_path, statement), PARAMS)
    check = outcome(result, pruefung)
    assert not check.success and check.status == "verletzt", check.observed_text()
    assert check.severity == "error" and not result.success
    assert any(example.items() <= row.items() for row in check.examples), check.examples


def test_stale_sozialindex_components_are_a_blocking_freshness_error(good_db: Path) -> None:
    result = run_suite("mart_sozialindex_komponenten", good_db, {"stichtag": "2022-03-31"})
    check = outcome(result, "aktualitaet_neuester_stichtag")
    assert not check.success and check.severity == "error" and check.observed == "2021-12-31"
    # nothing else objects: the grid follows dim_stichtag, which ends with the newest built quarter
    assert failed_names(result) == {"aktualitaet_neuester_stichtag"}


def test_a_jump_of_a_status_z_value_is_a_warning_only(tmp_path: Path) -> None:
    """Refrath's SGB II count jumps for one quarter (consistently everywhere): its z-value moves by more than 1.5."""
    from datetime import date

    db = build_warehouse(tmp_path / "z_sprung.duckdb", adjust=lambda fct: add_to_zaehler(
        fct, "sgb2_quote", date(2020, 6, 30), "00401", 800))
    result = run_suite("mart_sozialindex_komponenten", db, PARAMS)
    assert failed_names(result) == {"plausibilitaet_z_wert_statusindikator"}
    check = outcome(result, "plausibilitaet_z_wert_statusindikator")
    assert check.severity == "warn" and result.success and result.worst_severity == "warn"
    assert ("00401", "sgb2_quote", "2020-03-31", "2020-06-30") in {
        (r["gebiet_id"], r["indikator_id"], r["stichtag_vorher"], r["stichtag"]) for r in check.examples}


def test_a_jump_of_the_status_index_between_reports_is_a_warning_only(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path,
                     "UPDATE marts.mart_sozialindex SET status_index = status_index + 2 "
                     "WHERE gebiet_id = '00401' AND stichtag = DATE '2020-09-30'",
                     "UPDATE marts.mart_handlungsraeume SET status_index = status_index + 2 "
                     "WHERE gebiet_id = '00401' AND berichtsjahr = 2020")
    result = run_suite("mart_handlungsraeume", db, PARAMS)
    assert failed_names(result) == {"plausibilitaet_statusindex_zwischen_berichten"}
    check = outcome(result, "plausibilitaet_statusindex_zwischen_berichten")
    assert check.severity == "warn" and result.success
    # 2020 -> 2021 crosses the area reform and is not compared
    assert [(r["gebiet_id"], r["jahr_vorher"], r["berichtsjahr"]) for r in check.examples] == [("00401", 2019, 2020)]


def test_small_comparison_groups_of_measures_are_a_warning_only(good_results: dict) -> None:
    result = good_results["mart_massnahmen"]
    check = outcome(result, "plausibilitaet_vergleichsgruppe")
    assert check.severity == "warn" and not check.success and result.success
    assert {(r["massnahme_nr"], r["indikator_id"], r["vergleich_wohnplaetze"]) for r in check.examples} == {
        ("M001", "sgb2_quote", 3), ("M001", "kinderarmut", 1), ("M002", "kita_versorgung_u3", 0)}
    # a count (einwohner) and a measure without baseline (M003) are not compared at all
    assert check.element_count == 4


def test_a_district_without_measures_register_publishes_an_empty_measures_mart(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "DELETE FROM intermediate.int_planung_massnahmen_eintraege",
                     "DELETE FROM marts.mart_massnahmen")
    result = run_suite("mart_massnahmen", db, PARAMS)
    assert result.failed == [] and all(r.element_count in (None, 0) for r in result.results)


def test_facilities_without_a_wohnplatz_beyond_five_percent_are_a_warning_only(tmp_path: Path) -> None:
    """Two of 21 day-care centres with an unknown street (9.5 %): ranked last everywhere, the list is published."""
    facilities = dict(EINRICHTUNGEN)
    name, art, _, plaetze, u3 = facilities["KT0001"]
    facilities["KT0001"] = (name, art, None, plaetze, u3)
    db = build_warehouse(tmp_path / "ohne_wohnplatz.duckdb", facilities=facilities)
    result = run_suite("mart_priorisierung", db, PARAMS)
    assert failed_names(result) == {"plausibilitaet_einrichtungen_ohne_wohnplatz"}
    check = outcome(result, "plausibilitaet_einrichtungen_ohne_wohnplatz")
    assert check.severity == "warn" and result.success
    assert [(r["quelle"], r["einrichtungen"], r["ohne_wohnplatz"]) for r in check.examples] == [("kita", 21, 2)]


def test_sozialindex_dynamics_window_matches_the_dbt_configuration() -> None:
    """The components suite compares with the value `dynamik_quartale` quarters earlier, as dbt does."""
    import re

    import yaml

    from orchestration.settings import get_settings

    project = yaml.safe_load((get_settings().dbt_project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    quartale = int(project["vars"]["sozialindex"]["dynamik_quartale"])
    text = suite_path("mart_sozialindex_komponenten").read_text(encoding="utf-8")
    assert set(re.findall(r"quartal_nr - (\d+)", text)) == {str(quartale)}


def test_a_batch_that_cannot_run_fails_with_the_severity_of_its_checks(good_db: Path, tmp_path: Path) -> None:
    db = broken_copy(good_db, tmp_path, "ALTER TABLE marts.mart_pflege RENAME COLUMN ebene TO ebene_alt")
    result = run_suite("mart_pflege", db, PARAMS)
    not_run = [r for r in result.results if r.status == "nicht_ausfuehrbar"]
    assert not_run and not result.success
    assert any("ebene" in (r.message or "") for r in not_run)
    assert {r.severity for r in not_run} == {"error", "warn"}


def test_a_batch_is_read_with_every_column_when_a_check_needs_the_whole_table() -> None:
    from orchestration.quality.batches import columns_checked

    def spec(**kwargs):
        return SimpleNamespace(kwargs=kwargs)

    assert columns_checked([spec(column="wert"), spec(column_A="max_aenderung", column_B="aenderung"),
                            spec(column_list=["ebene", "gebiet_id"]), spec(column="wert")]) == [
        "wert", "max_aenderung", "aenderung", "ebene", "gebiet_id"]
    assert columns_checked([spec(column="wert"), spec(column_set=["wert", "status"])]) is None
    assert columns_checked([spec(column="wert", row_condition='status=="ok"')]) is None


def test_an_expectation_on_a_column_its_batch_lacks_fails_alone(good_db: Path, tmp_path: Path) -> None:
    """A batch is read with only the columns its checks name; a misspelt column must fail that check (as
    not run, with the name), not the batch's other checks."""
    def misspell(document):
        document["expectations"].append({
            "type": "expect_column_values_to_not_be_null", "kwargs": {"column": "wert_falsch"},
            "meta": {"pruefung": "tippfehler", "batch": "faellige_werte", "severity": "error", "kategorie": "struktur",
                     "beschreibung": "Eine Spalte, die es nicht gibt."}})

    suite = load_suite_file(_write_suite(tmp_path, misspell))
    result = run_suite("mart_pflege", good_db, PARAMS, suite=suite)
    misspelt = outcome(result, "tippfehler")
    assert misspelt.status == "nicht_ausfuehrbar" and "wert_falsch" in misspelt.message
    assert [r.pruefung for r in result.failed] == ["tippfehler"]
    assert {r.status for r in result.results if r.batch == "faellige_werte" and r.pruefung != "tippfehler"} == {"bestanden"}


# ------------------------------------------------------------------------------------------ reporting


def test_datenqualitaet_rows_describe_every_check(good_db: Path, tmp_path: Path) -> None:
    from orchestration.publish.publication import DATENQUALITAET_COLUMNS as PUBLISHED_COLUMNS

    assert DATENQUALITAET_COLUMNS == tuple(PUBLISHED_COLUMNS)  # the publication writes these columns
    db = broken_copy(good_db, tmp_path, "DELETE FROM marts.mart_sozialmonitoring "
                                        "WHERE gebiet_id = '00402' AND stichtag = DATE '2021-06-30'")
    result = run_suite("mart_sozialmonitoring", db, PARAMS)
    rows = datenqualitaet_rows([result], publikation_id="lauf-123")
    assert len(rows) == len(result.results)
    assert all(tuple(row) == DATENQUALITAET_COLUMNS for row in rows)
    row = next(r for r in rows if r["pruefung"] == "vollstaendigkeit_raster")
    assert (row["publikation_id"], row["ebene"], row["objekt"], row["schweregrad"], row["status"]) == \
        ("lauf-123", "gx", "marts/mart_sozialmonitoring", "error", "fehler")
    assert PUBLISHED_STICHTAG in row["details"]
    assert "gebiet_id=00402" in row["details"] and "stichtag=2021-06-30" in row["details"]
    assert {r["status"] for r in rows} == {"bestanden", "fehler"}


# ------------------------------------------------------------------------------------------ Dagster


def test_warn_only_failure_is_a_non_blocking_warn_check_result(good_db: Path, tmp_path: Path) -> None:
    import dagster as dg

    from orchestration.quality.checks import asset_check_result

    check = asset_check_result(run_suite("mart_sozialmonitoring", jump_warehouse(tmp_path), PARAMS))
    assert check.passed is False and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["fehler"].value == 0 and check.metadata["warnungen"].value == 1
    assert "plausibilitaet_veraenderung_wohnplatz" in check.metadata["fehlgeschlagen"].value
    assert "| 00401 |" in check.metadata["fehlgeschlagen"].value  # example rows in the markdown
    failures = check.metadata["fehlgeschlagen_json"].value
    assert failures[0]["severity"] == "warn" and failures[0]["beispiele"][0]["gebiet_id"] == "00401"
    rows = check.metadata["ergebnisse_json"].value  # what the publication copies into mart_datenqualitaet
    assert {r["status"] for r in rows} == {"bestanden", "warnung"}
    assert len(rows) == len(load_suite("mart_sozialmonitoring").expectations)


def test_error_failure_is_an_error_check_result_and_success_passes(good_db: Path, good_results: dict) -> None:
    import dagster as dg

    from orchestration.quality.checks import asset_check_result

    passed = asset_check_result(good_results["mart_pflege"])
    assert passed.passed is True and "fehlgeschlagen" not in passed.metadata
    stale = asset_check_result(run_suite("mart_pflege", good_db, {"stichtag": "2022-03-31"}))
    assert stale.passed is False and stale.severity == dg.AssetCheckSeverity.ERROR


def test_suites_in_worker_processes_give_what_one_process_gives(good_results: dict, good_db: Path) -> None:
    """The refresh validates the suites in parallel processes; the verdicts must not depend on that."""
    from orchestration.quality.checks import run_suites_in_processes

    parallel = run_suites_in_processes(list(PUBLISHED_MARTS), PARAMS["stichtag"], db_path=good_db, workers=2)
    assert list(parallel) == list(PUBLISHED_MARTS)
    for mart in PUBLISHED_MARTS:
        assert parallel[mart].results == good_results[mart].results, mart


def test_blocking_check_stops_publication_on_error_but_not_on_warn(good_db: Path, tmp_path: Path,
                                                                  data_dir: Path) -> None:
    # data_dir (conftest): an empty data directory, so no earlier publication raises the expected Stichtag
    import dagster as dg

    from orchestration.defs.resources import WorkerProcesses
    from orchestration.partitions import quarterly_partitions
    from orchestration.quality.checks import STICHTAG_TAG, build_mart_asset_check

    mart_key = dg.AssetKey(["marts", "mart_sozialmonitoring"])

    def run(db: Path, partitions_def=None, **run_args):
        @dg.asset(key=mart_key, partitions_def=partitions_def)
        def mart() -> None:
            """Stands in for the dbt model."""

        @dg.asset(deps=[mart_key], partitions_def=partitions_def)
        def veroeffentlichung() -> None:
            """Stands in for the publication."""

        # the check itself is unpartitioned: it judges the whole mart, and still sees the run's partition
        check = build_mart_asset_check("mart_sozialmonitoring", db_path=db)
        return dg.materialize([mart, veroeffentlichung, check], instance=dg.DagsterInstance.ephemeral(),
                              resources={"worker_processes": WorkerProcesses(workers=1)}, raise_on_error=False,
                              **run_args)

    def published(result) -> bool:
        return any(e.asset_key == dg.AssetKey("veroeffentlichung")
                   for e in result.get_asset_materialization_events() if e.asset_key)

    # partitioned like the dbt assets: the Stichtag comes from the partition (2021-Q4 -> 2021-12-31)
    warned = run(jump_warehouse(tmp_path), quarterly_partitions, partition_key="2021-10-01")
    evaluation, = warned.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["stichtag"].value == "2021-12-31"
    assert warned.success and published(warned)

    # unpartitioned run with the Stichtag as a tag; the mart holds nothing for 2022-Q1: freshness error
    stale = run(good_db, tags={STICHTAG_TAG: "2022-Q1"})
    evaluation, = stale.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert not stale.success and not published(stale)


def test_a_correction_of_an_old_quarter_is_held_to_the_newest_published_stichtag(tmp_path: Path) -> None:
    from orchestration.quality.checks import expected_newest_stichtag, published_stichtag

    assert published_stichtag(tmp_path / "fehlt.duckdb") is None
    published = tmp_path / "monitoring.duckdb"
    con = duckdb.connect(str(published))
    con.execute("CREATE TABLE publikation AS SELECT DATE '2021-09-30' AS stichtag UNION ALL "
                "SELECT DATE '2021-12-31'")
    con.close()
    assert published_stichtag(published) == "2021-12-31"
    assert expected_newest_stichtag("2021-06-30", "2021-12-31") == "2021-12-31"  # correction of 2021-Q2
    assert expected_newest_stichtag("2022-03-31", "2021-12-31") == "2022-03-31"  # the next quarter
    assert expected_newest_stichtag("2021-12-31", None) == "2021-12-31"           # first publication


def test_person_count_exemptions_match_the_suppression_macro() -> None:
    """The suites exempt the same indicators from the 1-2 rule as dbt's suppression macro does."""
    import re

    from orchestration.settings import get_settings

    macro = (get_settings().dbt_project_dir / "macros" / "suppression" / "sperrung.sql").read_text(encoding="utf-8")
    body = macro[macro.index("macro sperrung_zaehler_ohne_personenbezug"):]
    body = body[body.index("return(["):body.index("])")]
    in_macro = set(re.findall(r"'([a-z0-9_]+)'", body))
    assert in_macro
    for mart in PUBLISHED_MARTS:
        text = suite_path(mart).read_text(encoding="utf-8")
        for listed in re.findall(r"NOT IN \(([^)]*)\) AS personenzahl", text):
            assert set(re.findall(r"'([a-z0-9_]+)'", listed)) == in_macro, mart
