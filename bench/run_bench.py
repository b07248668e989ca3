"""What a refresh costs and how it grows: `make bench` (or `python bench/run_bench.py --help`).

Every figure is a whole process measured from outside (wall time, peak resident memory of the largest
process of its tree), on demo deliveries generated here. The script prints a table of medians (min–max)
and the ratios, and writes them as JSON to bench/results/. Ratios are what to quote: both sides of a
ratio are measured in the same run on the same machine.

Measurements
  full_x1         whole history 2015-Q1..2026-Q3 from an empty warehouse (sozialmonitor refresh, no report)
  quarter_x1      one new quarter (2026-Q3) on top of a warehouse holding 2015-Q1..2026-Q2
  first_q_x1/10/60  one quarter (2026-Q3) from an empty warehouse at population x1, x10, x60
  dbt_cli         `dbt build` of one quarter's window on the full warehouse, alone
  dbt_dagster     the same dbt build (models + dbt tests) run through Dagster
  dbt_cli_history / dbt_dagster_history  the same two for the whole history's window (2015-Q1..2026-Q3)
  plain_sql       population by Wohnplatz, Stichtag, age, sex, citizenship from raw, in one DuckDB SQL
  dbt_models      the dbt models computing the same (fct_bevoelkerung and its parents), full refresh
  dbt_sql_replayed  the SQL dbt compiled for those models, run as plain statements in one connection
                  (dbt's own work without dbt: start-up, parsing, materialisation macros)
For plain_sql, dbt_models and dbt_sql_replayed the time inside the database engine is reported too
(statement time; for dbt the models' execution time from run_results.json).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

# the refresh's own dbt arguments and window
from orchestration.dbt.partition_vars import dbt_build_args, environment, partition_vars, window_environment
from orchestration.periods import Quarter

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CLI = str(Path(PY).parent / "sozialmonitor")
KEY = "bench-schluessel-0123456789abcdef"


def env_for(data: Path) -> dict:
    return {**os.environ, "SOZIALMONITOR_DATA": str(data), "SOZIALMONITOR_PSEUDONYM_KEY": KEY,
            "DAGSTER_HOME": str(data / "dagster_home"), "GX_ANALYTICS_ENABLED": "false"}


def phase_of(step: str) -> str:
    """Where a refresh step's time goes: the job's steps grouped as the asset graph reads."""
    if step == "dbt_monitoring":
        return "dbt"
    if step.endswith("_gx_suite") or step == "gx_suites":
        return "gx"
    if step.endswith("_lieferung_aktuell") or step == "lieferfristen":
        return "freshness"
    if step.startswith("raw__"):
        return "extraction"
    if step == "publikation__monitoring":
        return "publication"
    if step == "publikation__exporte":
        return "exports"
    return "other"


def phases(summary: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for step, seconds in summary["step_seconds"].items():
        out[phase_of(step)] = round(out.get(phase_of(step), 0.0) + seconds, 2)
    out["refresh_total"] = summary["seconds"]
    return out


def gate_only(summary_path: Path) -> bool:
    """True when a refresh failed only because the quality gate blocked the publication (every failure a
    blocking check); everything up to the checks ran and was measured."""
    if not summary_path.exists():
        return False
    failures = json.loads(summary_path.read_text()).get("failures") or []
    # each failed blocking check, and the check step's own failure that lists them
    return bool(failures) and all(f.startswith("blocking check") or "DagsterAssetCheckFailedError" in f
                                  for f in failures)


class BenchFailure(RuntimeError):
    """A measured command failed for another reason than the gate; what was measured so far is still written."""


ENGINE_LINE = "ENGINE_SECONDS "


def engine_seconds(log: Path) -> float | None:
    """Seconds spent in the database engine, where the command reports them (see PLAIN_SQL, REPLAY_SQL)."""
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith(ENGINE_LINE)]
    return float(lines[-1][len(ENGINE_LINE):]) if lines else None


def dbt_model_seconds(run_results: Path) -> float:
    """dbt's own account of the time its models ran (run_results.json), without its start-up and parsing."""
    results = json.loads(run_results.read_text())["results"]
    return round(sum(r["execution_time"] for r in results if r["unique_id"].startswith("model.")), 2)


def measure(name: str, command: list[str], data: Path, logs: Path, gate_may_block: bool = False) -> dict:
    stamp = int(time.time() * 1000)
    log = logs / f"{name}-{stamp}.log"
    summary = logs / f"{name}-{stamp}.json"
    if command[:2] == [CLI, "refresh"]:
        command = [*command, "--summary-json", str(summary)]
    out = subprocess.run([PY, str(ROOT / "bench" / "measure.py"), str(log), "--", *command],
                         env=env_for(data), capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if summary.exists():
        result["phases_s"] = phases(json.loads(summary.read_text()))
    engine = engine_seconds(log)
    if engine is not None:
        result["engine_s"] = engine
    if result["returncode"] != 0 and gate_may_block and gate_only(summary):
        result["gate"] = "blocked"  # recorded in the results; publication and exports did not run
        status = f"ok, gate blocked publication (see {log})"
    else:
        status = "ok" if result["returncode"] == 0 else f"FAILED rc={result['returncode']} (see {log})"
    detail = "  " + " ".join(f"{k}={v:.0f}s" for k, v in result.get("phases_s", {}).items()) if "phases_s" in result else ""
    print(f"  {name:<14} {result['seconds']:8.1f} s  {result['peak_mb']:8.0f} MB  {status}{detail}", flush=True)
    if result["returncode"] != 0 and result.get("gate") != "blocked":
        raise BenchFailure(f"{name} failed; log: {log}")
    return result


def generate(inbox: Path, scale: float, write_from: str | None, logs: Path) -> dict:
    args = [PY, "-m", "orchestration.demo", "--inbox", str(inbox), "--scale", str(scale), "--quiet"]
    if write_from:
        args += ["--write-from", write_from]
    return measure(f"generate_x{scale:g}", args, inbox.parent, logs)


def refresh_args(first: str, last: str) -> list[str]:
    return [CLI, "refresh", "--from", first, "--to", last, "--no-report"]


def fresh_data(work: Path, name: str, inbox: Path) -> Path:
    data = work / name
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    (data / "inbox").symlink_to(inbox)
    return data


def snapshot(src: Path, dst: Path, inbox: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)


def parse_where_the_last_refresh_ran(data: Path) -> None:
    """Unmeasured `dbt parse` for the snapshot's warehouse path. A real quarterly refresh finds the parse state
    its predecessor left for the same data directory (orchestration/dbt/project.keep_partial_parse); a
    snapshot lives at another path, and dbt re-parses everything (~4 s) when the profile's path changes."""
    subprocess.run([PY, "-c", "from orchestration.dbt.project import ensure_manifest; ensure_manifest(force=True)"],
                   env=env_for(data), check=True, capture_output=True)


DBT_ONLY = textwrap.dedent("""
    import sys, dagster as dg
    from orchestration.periods import Quarter
    from orchestration.runner import ensure_dagster_home, partition_tags
    ensure_dagster_home()
    first, last = Quarter.parse(sys.argv[1]), Quarter.parse(sys.argv[2])
    from orchestration.definitions import defs, dbt_monitoring
    from orchestration.partitions import quarterly_partitions
    selection = (dg.AssetSelection.assets(dbt_monitoring).without_checks()
                 | dg.AssetSelection.checks(*[s.key for s in dbt_monitoring.check_specs]))
    job = dg.define_asset_job("bench_dbt_only", selection=selection, partitions_def=quarterly_partitions,
                              executor_def=dg.in_process_executor)
    bench = dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
    # the console logger, and the garbage collector's settings, as `sozialmonitor refresh` sets them
    from orchestration.gc_tuning import long_lived_objects_frozen, skip_collections_at_exit
    with long_lived_objects_frozen():
        result = bench.resolve_job_def("bench_dbt_only").execute_in_process(
            instance=dg.DagsterInstance.get(), tags=partition_tags(first, last), raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
    skip_collections_at_exit()
    sys.exit(0 if result.success else 1)
""")

PLAIN_SQL = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    t0 = time.perf_counter()
    con.execute('''
    CREATE OR REPLACE TABLE main.bench_bevoelkerung AS
    WITH verzeichnis AS (
        SELECT ags, strassenschluessel, hausnummer_von, hausnummer_bis, seite, wohnplatz_id
        FROM raw.strassenverzeichnis WHERE _stichtag = (SELECT max(_stichtag) FROM raw.strassenverzeichnis)),
    personen AS (
        SELECT _stichtag AS stichtag, ags, strassenschluessel, hausnummer, geburtsjahr, geburtsmonat, geschlecht,
               staatsangehoerigkeit = '000' AS deutsch
        FROM raw.melderegister_bestand WHERE wohnungsstatus = 'H')
    SELECT v.wohnplatz_id, p.stichtag,
           least(99, year(p.stichtag) - p.geburtsjahr - CASE WHEN p.geburtsmonat > month(p.stichtag) THEN 1 ELSE 0 END) AS alter_jahre,
           p.geschlecht, p.deutsch, count(*) AS einwohner
    FROM personen p JOIN verzeichnis v
      ON v.ags = p.ags AND v.strassenschluessel = p.strassenschluessel
     AND p.hausnummer BETWEEN v.hausnummer_von AND v.hausnummer_bis
     AND (v.seite = 'beide' OR (v.seite = 'gerade') = (p.hausnummer % 2 = 0))
    GROUP BY ALL''')
    print("ENGINE_SECONDS", round(time.perf_counter() - t0, 3))
    print(con.execute('SELECT sum(einwohner) FROM main.bench_bevoelkerung').fetchone()[0])
""")

# The SQL dbt compiled for `+fct_bevoelkerung`, replayed as plain statements in one DuckDB connection, in the
# order dbt finished the models: the same work without dbt (its start-up, parsing, materialisation macros).
REPLAY_SQL = textwrap.dedent("""
    import json, sys, time, duckdb
    db, run_results, manifest, extensions = sys.argv[1:5]
    con = duckdb.connect(db, config={"extension_directory": extensions})
    con.execute("SET enable_progress_bar = false")
    con.execute("LOAD spatial")
    nodes = json.load(open(manifest))["nodes"]
    t0 = time.perf_counter()
    for r in json.load(open(run_results))["results"]:
        if not r["unique_id"].startswith("model."):
            continue
        kind = "VIEW" if nodes[r["unique_id"]]["config"]["materialized"] == "view" else "TABLE"
        con.execute(f"CREATE OR REPLACE {kind} {r['relation_name']} AS ({r['compiled_code']})")
    print("ENGINE_SECONDS", round(time.perf_counter() - t0, 3))
""")


def dbt_command(*args: str) -> list[str]:
    return [str(Path(PY).parent / "dbt"), *args, "--project-dir", str(ROOT / "dbt_project"),
            "--profiles-dir", str(ROOT / "dbt_project")]


def dbt_env(data: Path) -> None:
    os.environ["SOZIALMONITOR_WAREHOUSE"] = str(data / "warehouse.duckdb")
    os.environ["SOZIALMONITOR_EXTENSION_DIR"] = str(ROOT / "data" / ".duckdb_extensions")


def summarise(samples: list[dict]) -> dict:
    seconds = [s["seconds"] for s in samples]
    peaks = [s["peak_mb"] for s in samples]
    row = {"median_s": round(statistics.median(seconds), 2), "min_s": min(seconds), "max_s": max(seconds),
           "peak_mb": max(peaks), "runs": len(samples)}
    if any(s.get("gate") for s in samples):
        row["gate_blocked_runs"] = sum(s.get("gate") == "blocked" for s in samples)
    if all("phases_s" in s for s in samples):
        names = {k for s in samples for k in s["phases_s"]}
        row["phases_median_s"] = {k: round(statistics.median(s["phases_s"].get(k, 0.0) for s in samples), 2)
                                  for k in sorted(names)}
    if all("engine_s" in s for s in samples):
        row["engine_median_s"] = round(statistics.median(s["engine_s"] for s in samples), 3)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per cheap measurement (median reported)")
    parser.add_argument("--full-runs", type=int, default=1, help="runs of the whole-history refresh")
    parser.add_argument("--scales", default="10,60", help="population multipliers for the one-quarter runs")
    parser.add_argument("--parts", default="history,scaling",
                        help="history: x1 full/incremental/dbt/plain SQL; scaling: one quarter at x1 and --scales")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work", help="scratch folder (deleted)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    work: Path = args.work
    if work.exists():
        shutil.rmtree(work)
    logs = work / "logs"
    logs.mkdir(parents=True)
    results: dict[str, list[dict]] = {}
    t_start = time.perf_counter()

    failed = None
    try:
        if "history" in parts:
            print("== demo deliveries x1 (2015-Q1..2026-Q3)")
            inbox = work / "inbox_x1" / "inbox"
            inbox.parent.mkdir(parents=True)
            results["generate_x1"] = [generate(inbox, 1, None, logs)]

            print("== whole history from an empty warehouse")
            for i in range(args.full_runs):
                data = fresh_data(work, "full", inbox)
                results.setdefault("full_x1", []).append(measure("full_x1", refresh_args("2015-Q1", "2026-Q3"), data, logs))
            full = work / "full"

            print("== one new quarter on top (2026-Q3 onto 2015-Q1..2026-Q2)")
            base = fresh_data(work, "base", inbox)
            measure("base_to_q2", refresh_args("2015-Q1", "2026-Q2"), base, logs)
            for i in range(args.runs):
                data = work / "incremental"
                snapshot(base, data, inbox)
                parse_where_the_last_refresh_ran(data)
                results.setdefault("quarter_x1", []).append(measure("quarter_x1", refresh_args("2026-Q3", "2026-Q3"), data, logs))

            print("== dbt alone vs dbt through Dagster (one quarter's window on the full warehouse)")
            dbt_env(full)
            # the same arguments and window environment as the refresh's dbt step (unit tests left to CI); an
            # unmeasured `dbt parse` first, so both sides start from a parse state of this window and profile,
            # as every refresh after the first does (orchestration/dbt/project.keep_partial_parse)
            quarter = window_environment(partition_vars(Quarter(2026, 3), Quarter(2026, 3)))
            with environment(quarter):
                measure("dbt_parse_warmup", dbt_command("parse"), full, logs)
                for i in range(args.runs):
                    results.setdefault("dbt_cli", []).append(measure("dbt_cli", dbt_command(*dbt_build_args()), full, logs))
                    results.setdefault("dbt_dagster", []).append(
                        measure("dbt_dagster", [PY, "-c", DBT_ONLY, "2026-Q3", "2026-Q3"], full, logs))
            # the same comparison on the whole history's build: is the overhead fixed or proportional?
            with environment(window_environment(partition_vars(Quarter(2015, 1), Quarter(2026, 3)))):
                measure("dbt_parse_warmup", dbt_command("parse"), full, logs)
                for i in range(args.full_runs):
                    results.setdefault("dbt_cli_history", []).append(
                        measure("dbt_cli_history", dbt_command(*dbt_build_args()), full, logs))
                    results.setdefault("dbt_dagster_history", []).append(
                        measure("dbt_dagster_history", [PY, "-c", DBT_ONLY, "2015-Q1", "2026-Q3"], full, logs))

            print("== plain SQL lower bound vs the dbt models doing the same (and dbt's compiled SQL without dbt)")
            target = work / "dbt_models_target"
            for i in range(args.runs):
                results.setdefault("plain_sql", []).append(
                    measure("plain_sql", [PY, "-c", PLAIN_SQL, str(full / "warehouse.duckdb")], full, logs))
                sample = measure("dbt_models", dbt_command(
                    "run", "--select", "+fct_bevoelkerung", "--full-refresh", "--exclude", "resource_type:seed",
                    "--target-path", str(target)), full, logs)
                sample["engine_s"] = dbt_model_seconds(target / "run_results.json")
                results.setdefault("dbt_models", []).append(sample)
                results.setdefault("dbt_sql_replayed", []).append(measure("dbt_sql_replayed", [
                    PY, "-c", REPLAY_SQL, str(full / "warehouse.duckdb"), str(target / "run_results.json"),
                    str(target / "manifest.json"), os.environ["SOZIALMONITOR_EXTENSION_DIR"]], full, logs))

        if "scaling" in parts:
            print("== one quarter from an empty warehouse, by population")
            for scale in [1.0, *[float(s) for s in args.scales.split(",") if s]]:
                label = f"x{scale:g}"
                q_inbox = work / f"inbox_{label}_q3" / "inbox"
                q_inbox.parent.mkdir(parents=True, exist_ok=True)
                results[f"generate_q3_{label}"] = [generate(q_inbox, scale, "2026-Q3", logs)]
                runs = args.runs if scale <= 1 else 1
                for i in range(runs):
                    data = fresh_data(work, f"first_q_{label}", q_inbox)
                    results.setdefault(f"first_q_{label}", []).append(
                        measure(f"first_q_{label}", refresh_args("2026-Q3", "2026-Q3"), data, logs, gate_may_block=True))
                shutil.rmtree(q_inbox.parent)
    except BenchFailure as err:  # the table and the JSON still show everything measured before it
        failed = str(err)
        print(f"\nSTOPPED: {failed}", flush=True)

    table = {name: summarise(samples) for name, samples in results.items()}

    def ratio(a: str, b: str, column: str = "median_s") -> float | None:
        if a in table and b in table and table[a].get(column) is not None and table[b].get(column):
            return round(table[a][column] / table[b][column], 3)
        return None

    ratios = {
        "incremental/full": ratio("quarter_x1", "full_x1"),
        "x10/x1 (one quarter, empty warehouse)": ratio("first_q_x10", "first_q_x1"),
        "x60/x1 (one quarter, empty warehouse)": ratio("first_q_x60", "first_q_x1"),
        "dagster/dbt": ratio("dbt_dagster", "dbt_cli"),
        "dagster/dbt, whole history's build": ratio("dbt_dagster_history", "dbt_cli_history"),
        "dbt/plain SQL": ratio("dbt_models", "plain_sql"),
        "dbt/plain SQL, time in the engine": ratio("dbt_models", "plain_sql", "engine_median_s"),
        "dbt/its own SQL replayed without dbt": ratio("dbt_models", "dbt_sql_replayed"),
        "replayed dbt SQL/plain SQL, time in the engine": ratio("dbt_sql_replayed", "plain_sql", "engine_median_s"),
    }
    targets = {"incremental/full": 0.15, "dagster/dbt": 1.30, "dbt/plain SQL": 2.0}
    print("\n| measurement | median s | min–max s | peak MB | runs | in the engine s |\n|---|---|---|---|---|---|")
    for name, row in table.items():
        gate = " (gate blocked the publication)" if row.get("gate_blocked_runs") else ""
        engine = f"{row['engine_median_s']:.2f}" if "engine_median_s" in row else ""
        print(f"| {name}{gate} | {row['median_s']:.1f} | {row['min_s']:.1f}–{row['max_s']:.1f} | {row['peak_mb']:.0f} "
              f"| {row['runs']} | {engine} |")
    print("\n| ratio | value | target |\n|---|---|---|")
    for name, value in ratios.items():
        target = targets.get(name)
        print(f"| {name} | {value if value is not None else '—'} | {('< ' + str(target)) if target else ''} |")
    print("\n| measurement | where the time goes (median s) |\n|---|---|")
    for name, row in table.items():
        if "phases_median_s" in row:
            print(f"| {name} | " + ", ".join(f"{k} {v:.1f}" for k, v in row["phases_median_s"].items()) + " |")
    x60 = table.get("first_q_x60")
    if x60:
        print(f"\nx60 one-quarter refresh: {x60['median_s']:.0f} s (target < 300 s), peak {x60['peak_mb']:.0f} MB (target < 4096 MB)")
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
               "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
    out = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine,
           "table": table, "ratios": ratios, "samples": results, "seconds_total": round(time.perf_counter() - t_start),
           "stopped_by": failed}
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"bench-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(out, indent=2))
    (results_dir / "latest.json").write_text(json.dumps(out, indent=2))
    print(f"\nwritten: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
