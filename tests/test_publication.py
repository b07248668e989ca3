"""Write-audit-publish on a small warehouse: atomic swap, history, rollback, kills, readers, one writer."""
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.publication import history_entries, publish, rollback
from orchestration.settings import get_settings
from tests.conftest import PROJECT_ROOT


def make_warehouse(path: Path, version: int, rows: int = 2000) -> None:
    """A warehouse with a marts schema and core dims; `version` marks whose data a file holds."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA IF NOT EXISTS marts; CREATE SCHEMA IF NOT EXISTS core; CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"""CREATE OR REPLACE TABLE marts.mart_sozialmonitoring AS
        SELECT 'wohnplatz' AS ebene, lpad(CAST(i % 81 AS VARCHAR), 5, '0') AS gebiet_id,
               DATE '2015-03-31' + INTERVAL (i // 81 * 3) MONTH AS stichtag, {version} AS version,
               random() AS sgb2_quote FROM range({rows}) t(i)""")
    con.execute(f"CREATE OR REPLACE TABLE core.dim_wohnplatz AS SELECT {version} AS version, 'x' AS name")
    con.execute("CREATE OR REPLACE TABLE core.fct_indikator AS SELECT 1 AS secret")  # must never be published
    con.execute("""CREATE OR REPLACE TABLE raw.lieferungen AS SELECT 'abc' AS lieferung_id, 'sgb2' AS quelle,
        'sgb2' AS tabelle, 'f.csv' AS datei, '2024-Q4' AS periode, DATE '2024-12-31' AS stichtag,
        DATE '2024-12-31' AS bezugsdatum, '' AS teil, 1 AS zeilen, now()::TIMESTAMP AS geladen_am, 'r' AS lauf_id""")
    con.close()


def publication_row(pid: str) -> dict:
    return {"publikation_id": pid, "veroeffentlicht_am": None, "stichtag": "2024-12-31", "quartal": "2024-Q4",
            "lauf_id": pid, "code_version": "test", "pruefungen": 1, "pruefungen_bestanden": 1, "warnungen": 0}


def published_version(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT max(version) FROM mart_sozialmonitoring").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def warehouse(data_dir: Path) -> Path:
    make_warehouse(get_settings().warehouse, version=1)
    return get_settings().warehouse


def test_publication_holds_marts_and_dims_but_no_facts_or_raw(warehouse):
    result = publish(None, publication_row("run-1"), [{"pruefung": "x", "status": "bestanden"}])
    con = duckdb.connect(str(result.path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert {"mart_sozialmonitoring", "dim_wohnplatz", "mart_datenqualitaet", "publikation"} <= tables
    assert "fct_indikator" not in tables and "lieferungen" not in tables
    assert not os.access(result.path, os.W_OK) or os.geteuid() == 0  # read-only for planners
    assert oct(result.path.stat().st_mode & 0o777) == "0o444"


def test_history_keeps_the_last_eight_and_rollback_restores_the_previous(warehouse):
    settings = get_settings()
    for i in range(1, 11):
        make_warehouse(settings.warehouse, version=i)
        publish(settings, publication_row(f"run-{i:02d}-aaaaaaaa"), [])
    assert published_version(settings.published_db) == 10
    assert len(history_entries(settings)) == 8
    chosen = rollback(settings)
    assert published_version(settings.published_db) == 9, chosen
    # the log travels with the file: every publication so far is listed
    con = duckdb.connect(str(settings.published_db), read_only=True)
    assert con.execute("SELECT count(*) FROM publikation").fetchone()[0] == 9
    con.close()


def test_rollback_to_a_named_run(warehouse):
    settings = get_settings()
    for i in (1, 2, 3):
        make_warehouse(settings.warehouse, version=i)
        publish(settings, publication_row(f"r{i}aaaaaa-0000"), [])
    rollback(settings, to="r1aaaaaa")
    assert published_version(settings.published_db) == 1


CHILD = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from orchestration.publish.publication import publish
    from tests.test_publication import publication_row
    publish(None, publication_row("run-new"), [{{"pruefung": "x"}}] * 200)
    print("DONE", flush=True)
""")


def run_child(data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "SOZIALMONITOR_DATA": str(data_dir)}
    return subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(PROJECT_ROOT))], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)


def test_sigkill_at_any_point_leaves_the_old_or_the_new_file(data_dir):
    settings = get_settings()
    make_warehouse(settings.warehouse, version=1, rows=200_000)
    publish(settings, publication_row("run-old"), [])
    make_warehouse(settings.warehouse, version=2, rows=200_000)
    # how long does a publication take? kill at random points inside that span
    t0 = time.perf_counter()
    child = run_child(data_dir)
    child.wait(timeout=120)
    duration = time.perf_counter() - t0
    rollback(settings)  # back to version 1 for the kill rounds
    assert published_version(settings.published_db) == 1
    rng = random.Random(7)
    seen = set()
    for _ in range(12):
        child = run_child(data_dir)
        time.sleep(rng.uniform(0.05, duration))
        child.send_signal(signal.SIGKILL)
        child.wait()
        version = published_version(settings.published_db)  # never missing, never a mix
        assert version in (1, 2)
        seen.add(version)
        if version == 2:
            rollback(settings)
    assert 1 in seen
    # a later publication cleans up what killed runs left behind
    publish(settings, publication_row("run-after"), [])
    assert not list(settings.published_dir.glob(".monitoring.tmp.*"))


def test_reader_keeps_old_data_during_publication_and_new_reader_sees_new(data_dir):
    settings = get_settings()
    make_warehouse(settings.warehouse, version=1)
    publish(settings, publication_row("run-1"), [])
    reader = duckdb.connect(str(settings.published_db), read_only=True)
    before = reader.execute("SELECT count(*), max(version), sum(sgb2_quote) FROM mart_sozialmonitoring").fetchone()
    make_warehouse(settings.warehouse, version=2)
    child = run_child(data_dir)
    while child.poll() is None:  # reading all along the publication
        assert reader.execute("SELECT count(*), max(version), sum(sgb2_quote) FROM mart_sozialmonitoring").fetchone() == before
    assert child.returncode == 0, child.stderr.read().decode()
    assert reader.execute("SELECT max(version) FROM mart_sozialmonitoring").fetchone()[0] == 1
    reader.close()
    fresh = subprocess.run([sys.executable, "-c", "import duckdb,sys; print(duckdb.connect(sys.argv[1], read_only=True)"
                            ".execute('SELECT max(version) FROM mart_sozialmonitoring').fetchone()[0])",
                            str(settings.published_db)], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "2"


def test_second_refresh_is_refused_while_one_runs(data_dir):
    from orchestration.defs.resources import RefreshAlreadyRunning, acquire_refresh_lock, release_refresh_lock

    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(PROJECT_ROOT)!r})
        from orchestration.defs.resources import acquire_refresh_lock
        acquire_refresh_lock(__import__('pathlib').Path({str(get_settings().lock_file)!r}), 'run-first')
        print('LOCKED', flush=True); time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "LOCKED"
        with pytest.raises(RefreshAlreadyRunning, match="another refresh is running \\(run run-first"):
            acquire_refresh_lock(get_settings().lock_file, "run-second")
    finally:
        holder.kill()
        holder.wait()
    # the kernel released the lock with the killed process: no stale lock
    release_refresh_lock(acquire_refresh_lock(get_settings().lock_file, "run-third"))


def test_status_shows_the_latest_publication_and_its_checks(warehouse, capsys, monkeypatch):
    import sys

    from typer.testing import CliRunner

    from orchestration import cli
    from orchestration.cli import app

    # the rich console is bound to the stdout of the moment `orchestration.cli` was first imported (by
    # whichever test came first); bind it to this test's captured stdout
    monkeypatch.setattr(cli.console, "file", sys.stdout)

    row = {**publication_row("run-status-1"), "pruefungen": 12, "pruefungen_bestanden": 11, "warnungen": 1,
           "pruefungen_zusammenfassung": json.dumps({"bestanden": 11, "warnungen": ["marts/mart_pflege:gx_suite"]})}
    publish(get_settings(), row, [])
    result = CliRunner().invoke(app, ["status"], env={"COLUMNS": "200"})
    output = result.output + capsys.readouterr().out
    assert result.exit_code == 0, output
    assert "Published: Stichtag 31.12.2024 (2024-Q4), run run-status-1" in output
    assert "Checks: 11/12 passed, 1 warnings (marts/mart_pflege:gx_suite)" in output
