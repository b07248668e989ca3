"""The whole pipeline on the demo district: what was loaded, built, checked and published."""
import json

import duckdb
import pytest


pytestmark = pytest.mark.slow


def query(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_source_is_in_raw_for_every_period_it_is_due(demo_world):
    from orchestration.periods import Quarter, quarter_range
    from orchestration.sources.contract import all_contracts
    from orchestration.sources.extraction import is_due

    loaded = {(q, p) for q, p in query(demo_world.warehouse, "SELECT DISTINCT quelle, periode FROM raw.lieferungen")}
    for contract in all_contracts():
        if not contract.partitioned:
            assert any(q == contract.id for q, _ in loaded), contract.id
            continue
        for quarter in quarter_range(Quarter(2015, 1), Quarter(2026, 3)):
            if is_due(contract, quarter):
                assert (contract.id, quarter.label) in loaded, (contract.id, quarter.label)
    assert not list((demo_world.data / "quarantine").glob("*/*.grund.json")), "a demo delivery was rejected"


def test_register_population_matches_the_generators_truth(demo_world):
    """Raw holds exactly the generator's main residents; the monitoring counts those it can assign."""
    truth = json.loads((demo_world.data / "inbox" / "_demo" / "manifest.json").read_text())["population"]
    in_raw = dict(query(demo_world.warehouse, """
        SELECT ags, count(*) FROM raw.melderegister_bestand
        WHERE _periode = '2026-Q3' AND wohnungsstatus = 'H' GROUP BY ags"""))
    assert in_raw == truth["municipality"]["2026-Q3"]
    counted = dict(query(demo_world.warehouse, """
        SELECT gebiet_id, CAST(zaehler AS INTEGER) FROM core.fct_indikator
        WHERE ebene = 'kommune' AND indikator_id = 'einwohner' AND stichtag = DATE '2026-09-30'"""))
    expected = {ags: n - truth["unmatched_address"]["2026-Q3"][ags] for ags, n in truth["municipality"]["2026-Q3"].items()}
    assert counted == expected


def test_latest_stichtag_has_one_row_per_wohnplatz_municipality_and_district(demo_world):
    rows = dict(query(demo_world.published, """
        SELECT ebene, count(*) FROM mart_sozialmonitoring
        WHERE stichtag = (SELECT max(stichtag) FROM mart_sozialmonitoring) GROUP BY ebene"""))
    assert rows == {"wohnplatz": 81, "kommune": 8, "kreis": 1}


def test_district_population_is_the_sum_of_its_wohnplaetze(demo_world):
    (kreis, summe), = query(demo_world.warehouse, """
        SELECT max(CASE WHEN ebene = 'kreis' THEN zaehler END), sum(CASE WHEN ebene = 'wohnplatz' THEN zaehler END)
        FROM core.fct_indikator WHERE indikator_id = 'einwohner' AND stichtag = DATE '2026-09-30'""")
    assert kreis == summe and kreis > 0


def test_publication_log_gate_and_quality_table(demo_world):
    (stichtag, pruefungen, bestanden, lauf), = query(demo_world.published,
        "SELECT stichtag, pruefungen, pruefungen_bestanden, lauf_id FROM publikation")
    assert str(stichtag) == "2026-09-30" and lauf == demo_world.refresh.run_id
    assert pruefungen > 100 and bestanden <= pruefungen
    ebenen = dict(query(demo_world.published, "SELECT ebene, count(*) FROM mart_datenqualitaet GROUP BY 1"))
    assert {"gx", "dbt"} <= set(ebenen), ebenen
    assert not query(demo_world.published, "SELECT * FROM mart_datenqualitaet WHERE status = 'fehler'")


def test_every_number_is_traceable_to_its_delivery_files(demo_world):
    (missing,), = query(demo_world.published, """
        SELECT count(*) FROM mart_indikatoren m
        WHERE m.status IN ('ok', 'geschaetzt') AND (m.lieferung_ids IS NULL OR m.lieferung_ids = '')""")
    assert missing == 0
    (unknown,), = query(demo_world.published, """
        SELECT count(*) FROM (SELECT DISTINCT unnest(string_split(lieferung_ids, ',')) AS id FROM mart_indikatoren
                              WHERE lieferung_ids <> '') x
        WHERE trim(id) NOT IN (SELECT lieferung_id FROM dim_lieferung)""")
    assert unknown == 0


# columns of person- or case-level records (public facility addresses may be published; persons' may not)
IDENTIFYING_COLUMNS = ("vorname", "vornamen", "nachname", "familienname", "geburtsdatum", "geburtsjahr",
                       "geburtsmonat", "person_pseudonym", "haushalt_pseudonym", "fall_pseudonym", "fall_id",
                       "untersuchung_pseudonym", "untersuchungsnummer", "ordnungsmerkmal", "haushaltsnummer")


def test_no_published_table_holds_anything_that_could_identify_a_person(demo_world):
    tables = [r[0] for r in query(demo_world.published, "SELECT table_name FROM information_schema.tables")]
    columns = query(demo_world.published, "SELECT table_name, column_name FROM information_schema.columns")
    for table, column in columns:
        assert column.lower() not in IDENTIFYING_COLUMNS, f"{table}.{column}"
    # no value looks like a register id, a birth date or a pseudonym (20 hex chars)
    for table in tables:
        text_columns = [c for t, c in columns if t == table]
        for column in text_columns:
            (hits,), = query(demo_world.published, f"""
                SELECT count(*) FROM "{table}" WHERE regexp_matches(CAST("{column}" AS VARCHAR),
                  '^(\\d{{10}}|[0-9a-f]{{20}}|\\d{{2}}\\.\\d{{2}}\\.(19|20)\\d{{2}}|F\\d{{7}}|SEU-\\d{{4}}-\\d{{5}})$')""")
            assert hits == 0, f"{table}.{column}"


def test_published_counts_obey_the_cell_rule(demo_world):
    (small,), = query(demo_world.published, """
        SELECT count(*) FROM mart_indikatoren i JOIN dim_indikator d USING (indikator_id)
        WHERE i.status IN ('ok', 'geschaetzt') AND d.einheit = 'Anzahl' AND i.wert IN (1, 2)""")
    assert small == 0
    (under,), = query(demo_world.published, """
        SELECT count(*) FROM mart_indikatoren i JOIN dim_indikator d USING (indikator_id)
        WHERE i.status IN ('ok', 'geschaetzt') AND d.einheit <> 'Anzahl' AND i.nenner < d.mindestnenner""")
    assert under == 0


def test_zentrum_nord_is_a_flagged_handlungsraum(demo_world):
    rows = query(demo_world.published, """
        SELECT s.handlungsbedarf FROM mart_sozialindex s JOIN dim_wohnplatz w
          ON w.wohnplatz_id = s.gebiet_id AND w.ist_aktuell
        WHERE w.name = 'Zentrum Nord' AND s.stichtag = (SELECT max(stichtag) FROM mart_sozialindex)""")
    assert rows == [(True,)]


def test_exports_and_digest_are_beside_the_publication(demo_world):
    out = demo_world.data / "published"
    for name in ("Sozialmonitoring.xlsx", "Pflegeplanung.xlsx", "Jugendhilfeplanung.xlsx", "wohnplaetze.geojson",
                 "veraenderungen.md"):
        assert (out / name).stat().st_size > 0, name
    geo = json.loads((out / "wohnplaetze.geojson").read_text())
    assert len(geo["features"]) == 81
