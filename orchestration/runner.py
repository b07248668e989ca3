"""Run the quarterly refresh in this process, against the project's Dagster instance.

Used by the command line, the tests and the benchmark, so that all three run exactly what the schedule
runs, and every run shows up in the Dagster UI afterwards.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from orchestration.dbt.reference_state import RUN_TAG as REFERENCE_RUN_TAG, ReuseDecision
from orchestration.gc_tuning import long_lived_objects_frozen
from orchestration.periods import Quarter
from orchestration.settings import Settings, get_settings

STEP_EVENTS = {"STEP_START", "STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED", "ASSET_CHECK_EVALUATION",
               "ASSET_MATERIALIZATION"}


def ensure_dagster_home(settings: Settings | None = None) -> Path:
    """DAGSTER_HOME inside the data directory, with the project's dagster.yaml (telemetry off, one run)."""
    settings = settings or get_settings()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    source = settings.project_root / "dagster.yaml"
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


@dataclass
class StepEvent:
    kind: str  # STEP_START, STEP_SUCCESS, ...
    step: str
    message: str = ""
    seconds: float | None = None


@dataclass
class RefreshResult:
    run_id: str
    success: bool
    first: Quarter
    last: Quarter
    seconds: float
    step_seconds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # actionable messages of failed steps
    failed_checks: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)  # asset keys, e.g. 'publikation/monitoring'
    log_path: Path | None = None
    reference: ReuseDecision | None = None  # were the reference models left out of the run, and why (not)


def partition_tags(first: Quarter, last: Quarter) -> dict[str, str]:
    """Dagster's partition tags, plus the Stichtag being published (the GX freshness expectation reads it)."""
    tags = {"sozialmonitor/stichtag": last.label}
    if first == last:
        return {**tags, "dagster/partition": first.partition_key}
    return {**tags, "dagster/asset_partition_range_start": first.partition_key,
            "dagster/asset_partition_range_end": last.partition_key}


def _failure_text(event) -> str:
    data = event.event_specific_data
    user = getattr(data, "user_failure_data", None)
    if user is not None and user.description:
        return user.description
    error = getattr(data, "error", None)
    if error is None:
        return event.message or "step failed"
    # the innermost cause is what a person can act on, not the framework's wrapper
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip()


def blocking_check_message(name: str, evaluation) -> str:
    """A failed blocking check in words: which check, what it saw, what to do."""
    lines = [f"blocking check {name} failed: {evaluation.description or ''}".rstrip()]
    failed = evaluation.metadata.get("fehlgeschlagen_json")
    for item in (getattr(failed, "value", None) or [])[:5]:
        if item.get("severity") == "error":
            example = (item.get("beispiele") or [{}])[0]
            where = ", ".join(f"{k}={example[k]}" for k in ("ebene", "gebiet_id", "indikator_id", "stichtag")
                              if example.get(k) is not None)
            lines.append(f"  - {item.get('pruefung')}: {item.get('beschreibung')} — {item.get('beobachtet') or ''}"
                         + (f" (z. B. {where})" if where else ""))
    lines.append("  Nothing was published; the last publication stays. What to do: look at the example rows "
                 "(Dagster UI, asset check metadata); fix the delivery, or the bound in expectations/ in a "
                 "reviewed commit, then refresh again.")
    return "\n".join(lines)


def run_refresh(first: Quarter, last: Quarter, *, on_event: Callable[[StepEvent], None] | None = None,
                asset_selection=None, extra_tags: dict[str, str] | None = None,
                reuse_reference: bool = True) -> RefreshResult:
    """One run of the quarterly refresh job for first..last, in this process.

    `reuse_reference`: leave out the dbt models built from reference data only when nothing they are built
    from changed since their recorded build (orchestration/dbt/reference_state.py); False rebuilds them.
    """
    import dagster as dg
    from dagster._core.utils import make_new_run_id

    settings = get_settings()
    ensure_dagster_home(settings)
    from orchestration.definitions import defs

    job = defs.resolve_job_def("quarterly_refresh")
    instance = dg.DagsterInstance.get()
    run_id = make_new_run_id()
    tags = {**partition_tags(first, last), "sozialmonitor/quelle": "cli", **(extra_tags or {})}
    reference = None
    if reuse_reference:
        asset_selection, reference = without_unchanged_reference_models(defs, asset_selection, settings)
        if reference.reused:
            tags[REFERENCE_RUN_TAG] = f"wiederverwendet:{reference.fingerprint}"
    stop = threading.Event()
    poller = threading.Thread(target=_poll_events, args=(instance, run_id, on_event, stop), daemon=True)
    if on_event is not None:
        poller.start()
    t0 = time.perf_counter()
    log_path = settings.data_dir / "logs" / f"refresh-{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # with a progress display the console logger would only scroll it away; failures are summarised after
        run_config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}} if on_event else None
        with contextlib.ExitStack() as stack:
            if on_event:  # with a progress display, dbt's own output (dagster-dbt echoes it) goes to a log
                stack.enter_context(contextlib.redirect_stdout(stack.enter_context(log_path.open("w", encoding="utf-8"))))
            stack.enter_context(long_lived_objects_frozen())
            result = job.execute_in_process(instance=instance, run_id=run_id, tags=tags, raise_on_error=False,
                                            asset_selection=asset_selection, run_config=run_config)
    finally:
        stop.set()
        if poller.is_alive():
            poller.join(timeout=5)
    outcome = RefreshResult(run_id, result.success, first, last, time.perf_counter() - t0,
                            log_path=log_path if on_event else None, reference=reference)
    starts: dict[str, float] = {}
    for record in instance.all_logs(run_id):  # log records carry the timestamps
        event = record.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind == "STEP_START":
            starts[event.step_key] = record.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in starts:
            outcome.step_seconds[event.step_key] = record.timestamp - starts[event.step_key]
        if kind == "STEP_FAILURE":
            outcome.failures.append(f"{event.step_key}: {_failure_text(event)}")
        elif kind == "STEP_SKIPPED":
            outcome.skipped.append(event.step_key)
        elif kind == "ASSET_MATERIALIZATION":
            outcome.materialized.append(event.asset_key.to_user_string())
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                severity = getattr(evaluation.severity, "value", str(evaluation.severity))
                name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                outcome.failed_checks.append(f"{name} ({severity})")
                if severity == "ERROR":
                    outcome.failures.append(blocking_check_message(name, evaluation))
    return outcome


def without_unchanged_reference_models(defs, asset_selection, settings: Settings):
    """(selection, decision): the run's asset keys without the reference models when they may be left out,
    and without the extraction of the reference sources, which would find nothing new (no reference delivery
    waiting in the inbox is a condition of leaving the models out)."""
    from orchestration.defs.dbt import reference_models

    try:
        decision = reference_models().decide(settings.warehouse, settings.inbox)
    except Exception as exc:  # a shortcut must never stop a refresh: then everything is built, as without it
        decision = ReuseDecision(
            reason=f"whether they changed could not be determined ({type(exc).__name__}: {exc})")
    if not decision.reused:
        return asset_selection, decision
    keys = asset_selection if asset_selection is not None else defs.resolve_asset_graph().materializable_asset_keys
    skip = decision.skip | reference_extraction_keys()
    return [k for k in keys if k not in skip], decision


def reference_extraction_keys() -> frozenset:
    """The raw assets of the reference sources (street directory, house coordinates, boundaries, ...)."""
    from orchestration.dbt.reference_state import reference_contracts
    from orchestration.defs.sources import raw_asset_key

    return frozenset(raw_asset_key(c.id) for c in reference_contracts())


def _poll_events(instance, run_id: str, on_event: Callable[[StepEvent], None], stop: threading.Event) -> None:
    """Forward step events to the progress display while the run executes in the main thread.

    Reads only the new step events since the last poll (a cursor and an event-type filter in SQL): a run
    stores thousands of events (every dbt test is an asset check), and re-reading all of them twice a
    second cost the run's own CPU quadratically.
    """
    from dagster import DagsterEventType

    of_type = {DagsterEventType(kind) for kind in STEP_EVENTS}
    cursor = None
    starts: dict[str, float] = {}
    while True:
        finished = stop.wait(0.5)
        try:
            page = instance.get_records_for_run(run_id, cursor=cursor, of_type=of_type)
            records, cursor = [r.event_log_entry for r in page.records], page.cursor
        except Exception:  # the run may not be registered yet
            records = []
        for record in records:
            event = record.dagster_event
            if event is None:
                continue
            step = event.step_key or ""
            if event.event_type_value == "STEP_START":
                starts[step] = record.timestamp
            seconds = record.timestamp - starts[step] if step in starts and event.event_type_value != "STEP_START" else None
            message = ""
            if event.event_type_value == "ASSET_CHECK_EVALUATION":
                evaluation = event.event_specific_data
                step = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                message = "passed" if evaluation.passed else f"FAILED ({getattr(evaluation.severity, 'value', '')})"
            elif event.event_type_value == "ASSET_MATERIALIZATION":
                step = event.asset_key.to_user_string()
            elif event.event_type_value == "STEP_FAILURE":
                message = _failure_text(event).splitlines()[0]
            on_event(StepEvent(event.event_type_value, step, message, seconds))
        if finished:
            return
