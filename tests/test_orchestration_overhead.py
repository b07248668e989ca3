"""What was done to cut Dagster's fixed cost per run (docs/performance.md), held to the behaviour it must keep:
the event log from dagster.yaml stores and returns a run's events like Dagster's own, the dbt resource
reports the dbt version the executable would, GX still validates without its batch fingerprint, and the
run's worker processes are ready (GX imported, low priority) before the checks need them."""
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def project_instance(tmp_path, monkeypatch):
    """A Dagster instance configured by the project's own dagster.yaml, in a fresh DAGSTER_HOME."""
    shutil.copyfile(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        yield instance


def test_dagster_yaml_configures_the_pooled_event_log(project_instance, tmp_path):
    from orchestration.event_log import PooledSqliteEventLogStorage

    assert isinstance(project_instance.event_log_storage, PooledSqliteEventLogStorage)
    # the same files as Dagster's default storage, so existing run history stays readable
    assert Path(project_instance.event_log_storage._base_dir) == tmp_path / "history" / "runs"


def _many_assets_job(n: int) -> dg.JobDefinition:
    @dg.multi_asset(specs=[dg.AssetSpec(f"a{i}") for i in range(n)])
    def many():
        for i in range(n):
            yield dg.MaterializeResult(asset_key=f"a{i}", metadata={"i": i})

    defs = dg.Definitions(assets=[many], jobs=[dg.define_asset_job("many", executor_def=dg.in_process_executor)])
    return defs.resolve_job_def("many")


def test_runs_store_and_read_back_every_event_and_keep_few_connections_open(project_instance):
    from orchestration.event_log import RUN_SHARDS_KEPT_OPEN

    results = [_many_assets_job(30).execute_in_process(instance=project_instance) for _ in range(RUN_SHARDS_KEPT_OPEN + 2)]
    assert all(r.success for r in results)
    for result in results:  # every run's events are in its shard, the materialisations in the index too
        logs = project_instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        assert sorted(e.dagster_event.asset_key.path[0] for e in logs) == sorted(f"a{i}" for i in range(30))
    latest = project_instance.get_latest_materialization_event(dg.AssetKey("a7"))
    assert latest.run_id == results[-1].run_id and latest.asset_materialization.metadata["i"].value == 7
    open_shards = list(project_instance.event_log_storage._engines)
    assert "index" in open_shards and len(open_shards) <= RUN_SHARDS_KEPT_OPEN + 1


def test_wipe_closes_connections_before_the_files_go(project_instance):
    assert _many_assets_job(3).execute_in_process(instance=project_instance).success
    project_instance.wipe()  # deletes the run shards' files, then empties the index
    assert list(project_instance.event_log_storage._engines) == ["index"]
    assert _many_assets_job(3).execute_in_process(instance=project_instance).success  # usable after the wipe


def test_event_log_connections_sync_at_checkpoints_in_wal_mode(project_instance):
    assert _many_assets_job(2).execute_in_process(instance=project_instance).success
    storage = project_instance.event_log_storage
    with storage.index_connection() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"  # Dagster's own choice, kept
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL would be 2)


def _job_with_checks(n: int) -> dg.JobDefinition:
    @dg.multi_asset(specs=[dg.AssetSpec("geprueft")],
                    check_specs=[dg.AssetCheckSpec(f"c{i}", asset="geprueft") for i in range(n)])
    def geprueft():
        yield dg.MaterializeResult(asset_key="geprueft")
        for i in range(n):
            yield dg.AssetCheckResult(check_name=f"c{i}", asset_key="geprueft", passed=i % 2 == 0)

    defs = dg.Definitions(assets=[geprueft], jobs=[dg.define_asset_job("checks", executor_def=dg.in_process_executor)])
    return defs.resolve_job_def("checks")


def test_asset_check_events_are_stored_without_asking_sqlite_for_the_table_each_time(project_instance, monkeypatch):
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    asked = []
    dagsters_has_table = SqliteEventLogStorage.has_table
    monkeypatch.setattr(SqliteEventLogStorage, "has_table",
                        lambda self, name: asked.append(name) or dagsters_has_table(self, name))
    result = _job_with_checks(12).execute_in_process(instance=project_instance)
    assert result.success
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {f"c{i}": i % 2 == 0 for i in range(12)}
    stored = project_instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey("geprueft"), "c3"), limit=5)
    assert [r.status.value for r in stored] == ["FAILED"]  # stored and read back as Dagster does
    assert asked.count("asset_check_executions") <= 1  # 24 planned and evaluated events, one question


def test_dbt_resource_reports_the_version_the_executable_prints():
    from orchestration.dbt.project import dbt_executable
    from orchestration.dbt.resource import ProjectDbtCliResource

    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, timeout=120).stdout
    resource = ProjectDbtCliResource(project_dir=str(ROOT / "dbt_project"), dbt_executable=dbt_executable())
    assert f"installed: {resource._cli_version}" in printed


def test_progress_display_gets_each_step_event_once(project_instance):
    """The poller reads new events with a cursor; a run's steps reach the display exactly once."""
    import threading

    from dagster._core.utils import make_new_run_id

    from orchestration.runner import _poll_events

    seen = []
    stop = threading.Event()
    job = _many_assets_job(5)
    run_id = make_new_run_id()
    poller = threading.Thread(target=_poll_events, args=(project_instance, run_id, seen.append, stop))
    poller.start()
    try:
        assert job.execute_in_process(instance=project_instance, run_id=run_id).success
    finally:
        stop.set()
        poller.join(timeout=30)
    kinds = [(e.kind, e.step) for e in seen]
    assert kinds.count(("STEP_START", "many")) == 1 and kinds.count(("STEP_SUCCESS", "many")) == 1
    assert sorted(s for k, s in kinds if k == "ASSET_MATERIALIZATION") == [f"a{i}" for i in range(5)]


def test_gx_batch_fingerprint_is_replaced_and_validation_still_works():
    """GX is pinned; if an upgrade renames the fingerprint function, this fails instead of slowing down."""
    import pandas as pd

    from orchestration.quality.gx_runtime import DataFrameValidator, gx

    module = gx()
    from great_expectations.execution_engine import pandas_execution_engine

    assert pandas_execution_engine.hash_pandas_dataframe.__name__ == "shape_only"
    batch = DataFrameValidator().batch(pd.DataFrame({"anteil": [10.0, 50.0, 120.0]}))
    outcome = batch.validate(module.expectations.ExpectColumnValuesToBeBetween(column="anteil", min_value=0,
                                                                             max_value=100))
    assert not outcome.success and outcome.result["unexpected_count"] == 1


def test_duckdb_memory_is_capped_in_the_extraction_and_in_dbt(tmp_path, monkeypatch):
    """DuckDB would take 80% of the machine; a state-sized quarter then peaked above 4 GB (docs/performance.md)."""
    from orchestration.dbt.project import dbt_env
    from orchestration.warehouse import connect

    def limit() -> str:
        con = connect(tmp_path / "w.duckdb")
        try:
            return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        finally:
            con.close()

    monkeypatch.delenv("SOZIALMONITOR_DUCKDB_MEMORY_LIMIT", raising=False)
    assert limit() == "2.7 GiB" and dbt_env()["SOZIALMONITOR_DUCKDB_MEMORY_LIMIT"] == "3GB"  # the default, 3 GB
    monkeypatch.setenv("SOZIALMONITOR_DUCKDB_MEMORY_LIMIT", "1GB")
    assert limit() == "953.6 MiB" and dbt_env()["SOZIALMONITOR_DUCKDB_MEMORY_LIMIT"] == "1GB"
    assert dbt_connection_setting(tmp_path / "dbt.duckdb", "memory_limit") == "953.6 MiB"


def dbt_connection_setting(database: Path, name: str) -> str:
    """A DuckDB setting as dbt-duckdb's own connection setup applies our profile (rendered like dbt, env_var only)."""
    import jinja2
    from dbt.adapters.duckdb.credentials import DuckDBCredentials
    from dbt.adapters.duckdb.environments import Environment

    from orchestration.dbt.project import dbt_env

    environment = {**os.environ, **dbt_env()}  # what the orchestration hands to dbt's process

    def render(value):
        if isinstance(value, str):
            return jinja2.Environment().from_string(value).render(env_var=lambda k, d=None: environment.get(k, d))
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        return [render(v) for v in value] if isinstance(value, list) else value

    profile = yaml.safe_load((ROOT / "dbt_project" / "profiles.yml").read_text())
    output = render(profile["sozialmonitor"]["outputs"]["warehouse"])
    del output["type"], output["threads"]
    credentials = DuckDBCredentials.from_dict({**output, "path": str(database), "database": "dbt", "schema": "main"})
    connection = Environment.initialize_db(credentials)
    try:
        cursor = Environment.initialize_cursor(credentials, connection.cursor())
        return cursor.execute(f"SELECT current_setting('{name}')").fetchone()[0]
    finally:
        connection.close()


def test_loading_the_definitions_leaves_the_heavy_libraries_to_the_steps_that_use_them():
    """The UI, the daemon's sensors and every run's process load the definitions first; pandas (0.3 s),
    openpyxl and GX (2 s) are imported by the extraction, export and check steps that need them."""
    code = ("import sys, orchestration.definitions; "
            "print(sorted(m for m in ('pandas', 'openpyxl', 'great_expectations') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _worker_state(_: int) -> tuple[int, bool, int]:
    return os.getpid(), "great_expectations" in sys.modules, os.nice(0)


def test_run_workers_start_at_once_with_gx_imported_at_low_priority_and_serve_several_steps():
    from orchestration.defs.resources import WORKER_PRELOAD
    from orchestration.parallel import map_in_processes, start_workers

    pool = start_workers(2, WORKER_PRELOAD, nice=5)
    try:
        # both processes exist before any real task arrives (they import GX while the run's first steps run)
        assert len(pool._processes) == 2
        checks = map_in_processes(_worker_state, [1, 2, 3, 4], workers=2, pool=pool)
        assert all(gx_loaded for _, gx_loaded, _ in checks.values())
        assert all(niceness >= min(19, os.nice(0) + 5) for _, _, niceness in checks.values())  # 19: the floor
        # the pool stays open for the next step (the exports after the checks), with the same processes
        exports = map_in_processes(_worker_state, [5, 6], workers=2, pool=pool)
        assert {pid for pid, _, _ in exports.values()} <= set(pool._processes)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _print_unflushed(text: str) -> int:
    sys.stdout.write(text)  # no newline, no flush: still in the worker's buffer when the pool shuts down
    return os.getpid()


def _leave_a_mark_at_teardown() -> None:
    """A warm-up step that registers an atexit handler, as imported libraries do."""
    import atexit

    atexit.register(lambda: Path(os.environ["TEARDOWN_MARK"]).write_text("torn down", encoding="utf-8"))


def test_workers_end_without_tearing_down_their_modules_and_lose_no_output(tmp_path):
    """When the pool shuts down, a worker ends without the interpreter's teardown (0.7 s with GX loaded):
    handlers the preloaded libraries registered do not run; every result and all its output arrive."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from orchestration.defs.resources import WORKER_PRELOAD
        from orchestration.parallel import map_in_processes, start_workers
        from test_orchestration_overhead import _print_unflushed

        if __name__ == "__main__":
            pool = start_workers(2, (*WORKER_PRELOAD, "test_orchestration_overhead:_leave_a_mark_at_teardown"))
            map_in_processes(_print_unflushed, ["eins;", "zwei;"], workers=2, pool=pool)
            processes = list(pool._processes.values())
            pool.shutdown(wait=True)
            print("|", [p.exitcode for p in processes], flush=True)
    """)
    script, mark = tmp_path / "pool.py", tmp_path / "mark.txt"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parent.parent, env={**os.environ, "TEARDOWN_MARK": str(mark)})
    assert done.returncode == 0, done.stderr
    assert "eins;" in done.stdout and "zwei;" in done.stdout
    assert done.stdout.rstrip().endswith("| [0, 0]")
    assert not mark.exists()


def test_a_failing_warm_up_import_leaves_the_workers_usable():
    from orchestration.parallel import map_in_processes, start_workers

    pool = start_workers(1, ("no_such_module_for_the_warm_up", "orchestration.quality.gx_runtime:no_such_function"))
    try:
        (pid, _, _), = map_in_processes(_worker_state, [1], workers=1, pool=pool).values()
        assert pid in pool._processes
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
