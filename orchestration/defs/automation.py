"""Automation: the quarterly schedule, the inbox sensor and the freshness checks per source."""
import json
import os
from datetime import date, datetime

import dagster as dg

from orchestration.freshness import freshness
from orchestration.periods import FIRST_QUARTER, Quarter, last_complete_quarter
from orchestration.settings import get_settings
from orchestration.sources.contract import all_contracts
from orchestration.sources.extraction import discover, file_sha256, period_of
from orchestration.defs.sources import raw_asset_key

JOB_NAME = "quarterly_refresh"


# ------------------------------------------------------------------ schedule


def refresh_day() -> tuple[int, int]:
    """Day of the month after the quarter (and hour) of the scheduled refresh; after the delivery deadlines."""
    return (int(os.environ.get("SOZIALMONITOR_REFRESH_DAY", "15")),
            int(os.environ.get("SOZIALMONITOR_REFRESH_HOUR", "6")))


def quarter_to_refresh(scheduled: datetime) -> Quarter:
    """The quarter that ended before the tick: a tick on 15 Jan 2027 refreshes 2026-Q4."""
    return last_complete_quarter(scheduled.date())


def build_refresh_schedule(day: int, hour: int) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="quartalsaktualisierung",
        cron_schedule=f"0 {hour} {day} 1,4,7,10 *",
        execution_timezone="Europe/Berlin",
        job_name=JOB_NAME,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Refresh the quarter that just ended on day {day} of the following month, {hour:02d}:00 "
        "(after the offices' delivery deadlines). Configure with SOZIALMONITOR_REFRESH_DAY / _HOUR.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        quarter = quarter_to_refresh(context.scheduled_execution_time)
        return dg.RunRequest(run_key=f"quartal-{quarter.label}", partition_key=quarter.partition_key,
                             tags={"sozialmonitor/quelle": "schedule", "sozialmonitor/stichtag": quarter.label})

    return _schedule


# ------------------------------------------------------------------ inbox sensor


def scan_inbox(inbox, previous: dict[str, list]) -> dict[str, list]:
    """path -> [size, mtime_ns, sha256]; a file is only hashed again when its size or mtime changed."""
    state: dict[str, list] = {}
    for contract in all_contracts():
        folder = inbox / contract.id
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_"))):
            stat = path.stat()
            key = str(path.relative_to(inbox))
            old = previous.get(key)
            if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
                state[key] = old
            else:
                state[key] = [stat.st_size, stat.st_mtime_ns, file_sha256(path)]
    return state


def loaded_hashes_readonly() -> set[str]:
    """Hashes already in the warehouse (to seed a fresh cursor); empty when the warehouse is busy or absent."""
    import duckdb

    settings = get_settings()
    if not settings.warehouse.exists():
        return set()
    try:
        con = duckdb.connect(str(settings.warehouse), read_only=True)
    except duckdb.Error:
        return set()
    try:
        return {r[0] for r in con.execute("SELECT lieferung_id FROM raw.lieferungen").fetchall()}
    except duckdb.Error:
        return set()
    finally:
        con.close()


def changed_deliveries(inbox, state: dict[str, list], seen_hashes: set[str]) -> dict[str, set]:
    """source id -> quarters (None for reference data) of files whose content is new."""
    affected: dict[str, set] = {}
    for contract in all_contracts():
        deliveries, _ = discover(contract, inbox)
        for delivery in deliveries:
            key = str(delivery.path.relative_to(inbox))
            sha = state.get(key, [None, None, delivery.sha256])[2]
            if sha in seen_hashes:
                continue
            affected.setdefault(contract.id, set()).add(delivery.quarter)
    return affected


def run_request_for(affected: dict[str, set], today: date) -> dg.RunRequest | None:
    """One run for all changes: the affected extraction assets and everything downstream of them."""
    if not affected:
        return None
    latest = last_complete_quarter(today)
    quarters = {q for qs in affected.values() for q in qs if q is not None}
    if any(None in qs for qs in affected.values()):
        # new reference data (boundaries, street directory, ...) changes the assignment of every quarter
        quarters |= {FIRST_QUARTER, latest}
    quarters = {min(q, latest) for q in quarters}
    first, last = min(quarters), max(quarters)
    tags = {"sozialmonitor/quelle": "sensor", "sozialmonitor/quellen": ",".join(sorted(affected)),
            "sozialmonitor/stichtag": last.label}
    if first == last:
        tags["dagster/partition"] = first.partition_key
    else:
        tags["dagster/asset_partition_range_start"] = first.partition_key
        tags["dagster/asset_partition_range_end"] = last.partition_key
    selection = dg.AssetSelection.assets(*[raw_asset_key(s) for s in sorted(affected)]).downstream()
    return dg.RunRequest(tags=tags, asset_selection=_resolve(selection),
                         run_key=None)


def _resolve(selection: dg.AssetSelection) -> list[dg.AssetKey]:
    from orchestration.definitions import defs

    return sorted(selection.resolve(defs.resolve_asset_graph()), key=lambda k: k.to_user_string())


@dg.sensor(name="posteingang", job_name=JOB_NAME, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts a refresh when a new or changed delivery lands in data/inbox/ (content hash; "
           "an unchanged file never triggers twice).")
def inbox_sensor(context: dg.SensorEvaluationContext):
    settings = get_settings()
    cursor = json.loads(context.cursor) if context.cursor else None
    previous_state = cursor["dateien"] if cursor else {}
    seen = set(cursor["hashes"]) if cursor else loaded_hashes_readonly()
    state = scan_inbox(settings.inbox, previous_state)
    affected = changed_deliveries(settings.inbox, state, seen)
    new_cursor = json.dumps({"dateien": state, "hashes": sorted(seen | {v[2] for v in state.values()})})
    request = run_request_for(affected, date.today())
    context.update_cursor(new_cursor)
    if request is None:
        return dg.SkipReason("no new or changed delivery in the inbox")
    context.log.info(f"new deliveries: {', '.join(f'{s} {sorted(str(q) for q in qs if q)}' for s, qs in affected.items())}")
    return request


# ------------------------------------------------------------------ freshness checks


def delivered_periods_readonly() -> dict[str, set[str]] | None:
    import duckdb

    settings = get_settings()
    if not settings.warehouse.exists():
        return {}
    try:
        con = duckdb.connect(str(settings.warehouse), read_only=True)
    except duckdb.Error:
        return None
    try:
        rows = con.execute("SELECT quelle, list(DISTINCT periode) FROM raw.lieferungen GROUP BY 1").fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    return {r[0]: set(r[1]) for r in rows}


FRESHNESS_CHECK = "lieferung_aktuell"


def freshness_result(contract, periods: dict[str, set[str]] | None, today: date) -> dg.AssetCheckResult:
    """The deadline check of one source: a warning when its office has not delivered the due quarter."""
    key = {"asset_key": raw_asset_key(contract.id), "check_name": FRESHNESS_CHECK}
    if periods is None:
        return dg.AssetCheckResult(**key, passed=True, severity=dg.AssetCheckSeverity.WARN,
                                   metadata={"hinweis": "warehouse busy; checked at the next run"})
    state = freshness(contract, periods.get(contract.id, set()), today)
    meta = {
        "faellig": str(state.due_quarter) if state.due_quarter else "nichts fällig",
        "frist": state.deadline.isoformat() if state.deadline else "",
        "zuletzt_geliefert": state.latest_delivered or "nie",
        "tage_ueberfaellig": state.overdue_days,
    }
    return dg.AssetCheckResult(**key, passed=not state.overdue, severity=dg.AssetCheckSeverity.WARN, metadata=meta,
                               description=(f"Lieferung {state.due_quarter} überfällig seit {state.overdue_days} Tagen"
                                            if state.overdue else "Lieferung aktuell"))


def build_freshness_checks(contracts) -> dg.AssetChecksDefinition:
    """The check `lieferung_aktuell` on every `raw/<source>` of `contracts`, as one step.

    One read of raw.lieferungen answers all of them; as one step per source, each opening the warehouse,
    they cost a refresh ten steps of ~40 ms. A run that selects only some of them (the inbox sensor's run
    for one source) runs only those.
    """
    by_key = {dg.AssetCheckKey(raw_asset_key(c.id), FRESHNESS_CHECK): c for c in contracts}
    specs = [dg.AssetCheckSpec(FRESHNESS_CHECK, asset=raw_asset_key(c.id), blocking=False,
                               description=f"Fails (warning) when {c.amt} has not delivered the due quarter "
                               f"{c.lieferfrist_tage} days after its Stichtag.") for c in contracts]

    @dg.multi_asset_check(specs=specs, name="lieferfristen", can_subset=True,
                          description="Delivery deadlines of every quarterly source (no data is changed).")
    def _checks(context: dg.AssetCheckExecutionContext):
        periods = delivered_periods_readonly()
        today = date.today()
        for key, contract in by_key.items():
            if key in context.selected_asset_check_keys:
                yield freshness_result(contract, periods, today)

    return _checks


freshness_checks = [build_freshness_checks([c for c in all_contracts() if c.partitioned])]

freshness_job = dg.define_asset_job(
    name="lieferfristen_pruefen",
    selection=dg.AssetSelection.checks(*freshness_checks),
    description="Checks every office's delivery deadline (no data is changed).",
)

freshness_schedule = dg.ScheduleDefinition(
    name="lieferfristen_taeglich", job=freshness_job, cron_schedule="0 7 * * *",
    execution_timezone="Europe/Berlin", default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily check of the delivery deadlines, so an overdue office shows in the UI without a refresh.")

refresh_schedule = build_refresh_schedule(*refresh_day())
