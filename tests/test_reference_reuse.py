"""A refresh leaves out the dbt models built from reference data only, and only when nothing they are built
from changed (orchestration/dbt/reference_state.py)."""
import copy

import duckdb
import pytest

from tests.conftest import pipeline_without_reports
from tests.test_gate_failures import published_marts

from orchestration.dbt.reference_state import (ReferenceChanged, ReferenceModels, clear_record, read_record,
                                               reference_only_nodes, reference_tables)
from orchestration.periods import Quarter

LATEST = Quarter(2026, 3)


def node(resource_type, parents=(), raw_code="select 1", macros=()):
    return {"resource_type": resource_type, "raw_code": raw_code,
            "depends_on": {"nodes": list(parents), "macros": list(macros)}}


def test_reference_only_means_reference_sources_and_seeds_and_nothing_volatile():
    manifest = {
        "sources": {"source.p.ref.strassen": {"name": "strassen"}, "source.p.q.register": {"name": "register"}},
        "macros": {"macro.p.fenster": {"macro_sql": "{{ env_var('SOZIALMONITOR_BIS_STICHTAG') }}",
                                       "depends_on": {"macros": []}},
                   "macro.p.indirekt": {"macro_sql": "{{ fenster() }}",
                                        "depends_on": {"macros": ["macro.p.fenster"]}}},
        "nodes": {
            "seed.p.kennzahlen": node("seed"),
            "model.p.stg_strassen": node("model", ["source.p.ref.strassen"]),
            "model.p.dim": node("model", ["model.p.stg_strassen", "seed.p.kennzahlen"]),
            "model.p.stg_register": node("model", ["source.p.q.register"]),
            "model.p.personen": node("model", ["model.p.stg_register", "model.p.dim"]),
            "model.p.heute": node("model", ["model.p.dim"], raw_code="select current_date"),
            "model.p.im_fenster": node("model", ["model.p.dim"], macros=["macro.p.indirekt"]),
            "test.p.unique_dim": node("test", ["model.p.dim"]),
            "test.p.relationships_personen_dim": node("test", ["model.p.personen", "model.p.dim"]),
        },
    }
    assert reference_only_nodes(manifest, {"strassen"}) == {
        "seed.p.kennzahlen", "model.p.stg_strassen", "model.p.dim", "test.p.unique_dim"}


@pytest.fixture(scope="module")
def reference_models():
    from orchestration.defs.dbt import reference_models

    return reference_models()


def test_what_a_refresh_may_leave_out_reads_only_reference_data(reference_models):
    from orchestration.defs.dbt import dbt_monitoring

    keys = {k.to_user_string() for k in reference_models.keys}
    assert {"core/dim_wohnplatz", "staging/stg_strassenverzeichnis", "intermediate/int_hauskoordinaten"} <= keys
    assert not any(k.startswith("marts/") for k in keys)
    tables = reference_tables()
    assert tables == {"wohnplatz_grenzen", "strassenverzeichnis", "hauskoordinaten", "gebietsreform", "massnahmen"}
    manifest = reference_models.manifest
    everything = {**manifest["nodes"], **manifest["sources"]}

    def sources_of(unique_id):
        item = everything[unique_id]
        if item["resource_type"] == "source":
            return {item["name"]}
        return set().union(*[sources_of(p) for p in item.get("depends_on", {}).get("nodes", [])] or [set()])

    for unique_id in reference_models.nodes:  # the models, seeds and every test attached to them
        assert sources_of(unique_id) <= tables, unique_id
    # and nothing downstream of a quarterly delivery
    register = next(s.key for s in dbt_monitoring.specs if s.key.path[-1] == "stg_melderegister_bestand")
    assert register not in reference_models.keys


def warehouse(world, read_only=True):
    return duckdb.connect(str(world.warehouse), read_only=read_only)


def recorded(world):
    con = warehouse(world)
    try:
        return read_record(con)
    finally:
        con.close()


@pytest.mark.slow
def test_reuse_is_refused_whenever_anything_they_are_built_from_changed(demo_copy, reference_models):
    inbox = demo_copy.data / "inbox"

    def decide(models=reference_models):
        return models.decide(demo_copy.warehouse, inbox)

    assert decide().reused  # the demo world's full build recorded their state
    assert decide().nodes == len(reference_models.nodes) > 50

    # new reference data waiting in the inbox
    newest = sorted((inbox / "strassenverzeichnis").glob("Strassenverzeichnis_Gebietsstand_*"))[-1]
    waiting = newest.with_name(newest.name.replace("2021-01-01", "2026-07-01"))
    waiting.write_bytes(newest.read_bytes() + b"\0")
    assert not decide().reused and waiting.name in decide().reason
    waiting.unlink()

    # their code changed (a model's SQL, as a new manifest would have it)
    changed = copy.deepcopy(reference_models.manifest)
    dim = next(u for u in changed["nodes"] if u.endswith(".dim_wohnplatz"))
    changed["nodes"][dim]["raw_code"] += "\n-- geändert"
    from orchestration.defs.dbt import dbt_monitoring

    other = ReferenceModels(dbt_monitoring, changed, reference_models.project_file)
    assert not decide(other).reused and "dbt code" in decide(other).reason

    # their tables were changed after the build (by hand, or by a dbt run outside the orchestration)
    con = warehouse(demo_copy, read_only=False)
    con.execute("CREATE TABLE core.dim_wohnplatz_copy AS SELECT * FROM core.dim_wohnplatz")
    con.execute("DELETE FROM core.dim_wohnplatz "
                "WHERE wohnplatz_id = (SELECT min(wohnplatz_id) FROM core.dim_wohnplatz)")
    con.close()
    assert not decide().reused and "tables were changed" in decide().reason
    con = warehouse(demo_copy, read_only=False)
    con.execute("INSERT INTO core.dim_wohnplatz "
                "SELECT * FROM core.dim_wohnplatz_copy EXCEPT SELECT * FROM core.dim_wohnplatz")
    con.execute("DROP TABLE core.dim_wohnplatz_copy")
    con.close()
    assert decide().reused  # the same rows again (row order does not matter)

    # the reference data in raw changed
    con = warehouse(demo_copy, read_only=False)
    con.execute("UPDATE raw.hauskoordinaten SET hausnummer = hausnummer + 1 WHERE rowid = 0")
    con.close()
    assert not decide().reused and "reference data in raw changed" in decide().reason

    # no record of a complete build
    con = warehouse(demo_copy, read_only=False)
    clear_record(con)
    con.close()
    assert not decide().reused and "no complete build" in decide().reason


@pytest.mark.slow
def test_the_dbt_step_refuses_to_go_on_when_inputs_changed_after_the_decision(demo_copy, reference_models):
    decision = reference_models.decide(demo_copy.warehouse, demo_copy.data / "inbox")
    tag = f"wiederverwendet:{decision.fingerprint}"
    con = warehouse(demo_copy, read_only=False)
    try:
        reference_models.before_build(con, set(), tag)  # unchanged: goes on
        con.execute("UPDATE raw.wohnplatz_grenzen SET wohnplatz_name = wohnplatz_name || ' (neu)' WHERE rowid = 0")
        with pytest.raises(ReferenceChanged, match="reference data in raw changed.*Run the refresh again"):
            reference_models.before_build(con, set(), tag)
        # a build that rebuilds any of them forgets the recorded state first (a failed build is not complete)
        reference_models.before_build(con, {next(iter(reference_models.keys))}, None)
        assert read_record(con) is None
    finally:
        con.close()


def reference_checks(published) -> list[tuple]:
    """The dbt test rows of the quality table for the reference models, with the dbt invocation that ran them."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        return con.execute("SELECT objekt, pruefung, status, json_extract_string(details, '$.invocation_id') "
                           "FROM mart_datenqualitaet WHERE ebene = 'dbt' AND objekt IN ('core/dim_wohnplatz', "
                           "'staging/stg_strassenverzeichnis') ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_a_refresh_leaves_them_out_and_publishes_the_same_with_their_checks(demo_copy):
    from orchestration.runner import run_refresh

    marts_before, checks_before = published_marts(demo_copy.published), reference_checks(demo_copy.published)
    record_before = recorded(demo_copy)
    assert len(checks_before) >= 5 and {c[2] for c in checks_before} == {"bestanden"}

    result = run_refresh(LATEST, LATEST, asset_selection=pipeline_without_reports())

    assert result.success, result.failures
    assert result.reference.reused and result.reference.run_id == demo_copy.refresh.run_id
    assert "core/dim_wohnplatz" not in result.materialized and "marts/mart_sozialmonitoring" in result.materialized
    # nothing new waits for the reference sources (a condition of the reuse): their extraction is left out too
    extracted = {k for k in result.materialized if k.startswith("raw/")}
    assert "raw/melderegister" in extracted and not extracted & {
        "raw/strassenverzeichnis", "raw/hauskoordinaten", "raw/wohnplatz_grenzen", "raw/gebietsreform", "raw/massnahmen"}
    assert "publikation/monitoring" in result.materialized
    assert published_marts(demo_copy.published) == marts_before
    # the gate still sees their tests: the latest results, from the build that made the tables
    assert reference_checks(demo_copy.published) == checks_before
    assert recorded(demo_copy) == record_before


@pytest.mark.parametrize("option, reuse", [([], True), (["--rebuild-reference"], False)])
def test_the_cli_rebuilds_them_on_request(data_dir, monkeypatch, option, reuse):
    from typer.testing import CliRunner

    import orchestration.runner
    from orchestration.cli import app
    from orchestration.runner import RefreshResult

    calls = []

    def fake_refresh(first, last, **kwargs):
        calls.append(kwargs)
        return RefreshResult("lauf", False, first, last, 1.0, failures=["nur ein Test"])

    monkeypatch.setattr(orchestration.runner, "run_refresh", fake_refresh)
    CliRunner().invoke(app, ["refresh", "--quarter", "2026-Q3", "--no-report", *option])
    assert [c["reuse_reference"] for c in calls] == [reuse]
