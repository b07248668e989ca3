"""The GX suites as blocking Dagster asset checks, one per published mart.

Each check runs its mart's suite on the warehouse (read-only) and reports:
- passed, severity ERROR when an `error` expectation failed: Dagster stops everything downstream
  of the mart (the publication), because the check is `blocking=True`;
- not passed, severity WARN when only `warn` expectations failed: reported, publication goes on;
- passed when every expectation held.
The failing expectations with example rows go into the check's metadata (a markdown table for
people, JSON for scripts), and every expectation's outcome as `ergebnisse_json`: the rows of
`mart_datenqualitaet` that the publication asset copies from the latest evaluation.

The Stichtag being published (freshness) comes from the run's partition (the last quarter of the
range), else from the run tag `sozialmonitor/stichtag`, else it is the last complete quarter; a run
that corrects an older quarter is held to the newest Stichtag already published instead.
The checks are unpartitioned: a suite judges the whole mart (all Stichtage), and an unpartitioned check
on a partitioned mart still sees the partition (range) of the run it is in. All marts' checks are one
step (`gx_suites`) that validates the suites in parallel worker processes.
"""
# no `from __future__ import annotations`: Dagster inspects the real type of `context`
import os
from concurrent.futures import Executor
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import dagster as dg

from orchestration.defs.resources import WorkerProcesses
from orchestration.quality.suites import PUBLISHED_MARTS, suite_path

CHECK_NAME = "gx_suite"
STICHTAG_TAG = "sozialmonitor/stichtag"
MART_KEY_PREFIX: tuple[str, ...] = ("marts",)

StichtagResolver = Callable[[dg.AssetCheckExecutionContext], str]


def mart_asset_key(mart: str, prefix: Sequence[str] = MART_KEY_PREFIX) -> dg.AssetKey:
    return dg.AssetKey([*prefix, mart])


def run_stichtag(context: dg.AssetCheckExecutionContext) -> str:
    """The run's quarter as a Stichtag: partition range end, else run tag, else last complete quarter."""
    from orchestration.periods import Quarter, last_complete_quarter

    if context.has_partition_key_range:  # a backfill of several quarters in one run publishes the last
        return Quarter.parse(context.partition_key_range.end).stichtag.isoformat()
    if context.has_partition_key:
        return Quarter.parse(context.partition_key).stichtag.isoformat()
    tagged = context.run.tags.get(STICHTAG_TAG)
    if tagged:
        return Quarter.parse(tagged).stichtag.isoformat()
    return last_complete_quarter(date.today()).stichtag.isoformat()


def published_stichtag(published_db: Path | None = None) -> str | None:
    """Newest Stichtag of the file planners read now (its publication log), None before the first one."""
    import duckdb

    from orchestration.settings import get_settings

    path = Path(published_db) if published_db is not None else get_settings().published_db
    if not path.exists():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT max(stichtag) FROM publikation").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None  # an unreadable old publication says nothing about the new one
    return row[0].isoformat() if row and row[0] else None


def expected_newest_stichtag(run: str, published: str | None) -> str:
    """The newest Stichtag the new publication must hold.

    Normally the run's quarter. A run that corrects an older quarter republishes everything up to the
    newest quarter already published, so then that one: the gate still catches a mart that lost its
    newest quarter (or was not rebuilt for a new one) and a mart that runs ahead into the future.
    """
    return max(run, published) if published else run


def stichtag_of_run(context: dg.AssetCheckExecutionContext) -> str:
    """The parameter `stichtag` of the suites for this run (see expected_newest_stichtag)."""
    return expected_newest_stichtag(run_stichtag(context), published_stichtag())


def asset_check_result(result: Any, *, asset_key: dg.AssetKey | None = None,
                       check_name: str | None = None) -> dg.AssetCheckResult:
    """Translate a SuiteResult into Dagster's verdict: ERROR blocks, WARN is reported."""
    from orchestration.quality.report import datenqualitaet_rows, failure_markdown, failures_json

    worst = result.worst_severity
    severity = dg.AssetCheckSeverity.WARN if worst == "warn" else dg.AssetCheckSeverity.ERROR
    metadata: dict[str, Any] = {
        "stichtag": result.parameters.get("stichtag", ""),
        "erwartungen": len(result.results),
        "bestanden": len(result.results) - len(result.failed),
        "fehler": len(result.failed_errors),
        "warnungen": len(result.failed_warnings),
        "sekunden": result.seconds,
        "suite": result.suite,
    }
    # every expectation's outcome, for mart_datenqualitaet at publication (SuiteResult.from_dict)
    metadata["ergebnis_json"] = dg.MetadataValue.json(result.to_dict())
    if result.failed:
        metadata["fehlgeschlagen"] = dg.MetadataValue.md(failure_markdown(result))
        metadata["fehlgeschlagen_json"] = dg.MetadataValue.json(failures_json(result))
    # every expectation as a mart_datenqualitaet row; the publication reads this from the latest evaluation
    metadata["ergebnisse_json"] = dg.MetadataValue.json(datenqualitaet_rows([result], publikation_id=None))
    return dg.AssetCheckResult(
        passed=not result.failed,
        severity=severity,
        asset_key=asset_key,
        check_name=check_name,
        description=result.summary(),
        metadata=metadata,
    )


# the suites with the most expectations on the biggest marts first, so the other worker fills up meanwhile
EXPECTED_COST_ORDER = ("mart_indikatoren", "mart_sozialmonitoring", "mart_handlungsraeume", "mart_jugendhilfe",
                       "mart_pflege")


def run_suites_in_processes(marts: Sequence[str], stichtag: str, *, db_path: Path | str | None = None,
                            expectations_dir: Path | str | None = None, workers: int | None = None,
                            pool: Executor | None = None) -> dict:
    """{mart: SuiteResult} for `marts`, validated by up to `workers` spawned processes (default: the CPUs).

    The suites only read (each opens the warehouse read-only), pandas and GX hold the GIL, and GX is not
    thread-safe (one project context per process), so processes: the nine suites of a refresh take about
    half the time on two cores. One mart, or one worker, runs in this process, unless the run has started
    its worker processes already (`pool`: they have imported GX meanwhile).
    """
    from functools import partial

    from orchestration.parallel import map_in_processes
    from orchestration.quality.runner import run_suite

    cpus = os.cpu_count() or 1
    workers = min(len(marts), workers or cpus)
    # one DuckDB thread per core between the processes: more threads than cores only queue (~9 % of the step)
    validate = partial(run_suite, db_path=db_path, parameters={"stichtag": stichtag},
                       expectations_dir=expectations_dir, duckdb_threads=max(1, cpus // workers))
    if workers <= 1 and pool is None:
        return {mart: validate(mart) for mart in marts}
    return map_in_processes(validate, list(marts), workers=workers, first=EXPECTED_COST_ORDER, pool=pool)


def build_mart_asset_checks(
    marts: Iterable[str] = PUBLISHED_MARTS,
    *,
    db_path: Path | str | None = None,
    expectations_dir: Path | str | None = None,
    stichtag_resolver: StichtagResolver = stichtag_of_run,
    asset_key_prefix: Sequence[str] = MART_KEY_PREFIX,
    name: str = CHECK_NAME,
) -> list[dg.AssetChecksDefinition]:
    """The blocking GX check of every published mart (check `gx_suite` on ["marts", <mart>]).

    One check per mart as Dagster shows them, computed in one step that validates the suites in parallel
    processes (`run_suites_in_processes`); a run that selects only some of the checks runs only those.
    """
    marts = list(marts)
    suites = {mart: suite_path(mart, expectations_dir) for mart in marts}
    specs = [
        dg.AssetCheckSpec(
            name=name,
            asset=mart_asset_key(mart, asset_key_prefix),
            blocking=True,
            description=f"Great-Expectations-Suite {path.name}: Vollständigkeit, Wertebereiche, Konsistenz, "
                        "Plausibilität, Geheimhaltung und Aktualität (error blockiert die Veröffentlichung).",
            metadata={"suite": dg.MetadataValue.path(str(path))},
        )
        for mart, path in suites.items()
    ]
    mart_of = {spec.key: mart for spec, mart in zip(specs, marts)}

    @dg.multi_asset_check(specs=specs, name="gx_suites" if len(marts) > 1 else f"{marts[0]}_gx_suite",
                          can_subset=True)
    def _checks(context: dg.AssetCheckExecutionContext, worker_processes: WorkerProcesses):
        selected = [mart_of[key] for key in mart_of if key in context.selected_asset_check_keys]
        stichtag = stichtag_resolver(context)
        results = run_suites_in_processes(selected, stichtag, db_path=db_path, expectations_dir=expectations_dir,
                                          pool=worker_processes.pool)
        for mart in selected:
            result = results[mart]
            context.log.info(result.summary())
            for failed in result.failed:
                context.log.warning(f"{failed.severity}: {failed.pruefung}: {failed.beschreibung} "
                                    f"({failed.observed_text()})")
            yield asset_check_result(result, asset_key=mart_asset_key(mart, asset_key_prefix), check_name=name)

    return [_checks]


def build_mart_asset_check(mart: str, **kwargs: Any) -> dg.AssetChecksDefinition:
    """The blocking GX check of one mart (for tests and single-mart jobs)."""
    return build_mart_asset_checks([mart], **kwargs)[0]
