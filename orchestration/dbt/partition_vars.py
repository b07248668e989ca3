"""Turn a run's quarters into the dbt vars and CLI arguments of one `dbt build`.

A backfill of many quarters arrives as one window (von..bis): the incremental models replace exactly the
Stichtage of that window; everything small is rebuilt whole.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from orchestration.periods import Quarter


def window_quarters(start: datetime | date, end: datetime | date) -> tuple[Quarter, Quarter]:
    """A Dagster time window [start, end) of quarter partitions -> (first quarter, last quarter)."""
    start_day = start.date() if isinstance(start, datetime) else start
    end_day = end.date() if isinstance(end, datetime) else end
    return Quarter.containing(start_day), Quarter.containing(end_day - timedelta(days=1))


def partition_vars(first: Quarter, last: Quarter) -> dict[str, str]:
    if last < first:
        raise ValueError(f"empty window {first}..{last}")
    return {"von_stichtag": first.stichtag.isoformat(), "bis_stichtag": last.stichtag.isoformat()}


def dbt_build_args(vars: dict[str, str], *, threads: int | None = None, full_refresh: bool = False) -> list[str]:
    # dbt unit tests check the SQL, not the data: they run in CI (pytest), not in every refresh
    args = ["build", "--vars", json.dumps(vars, sort_keys=True), "--exclude-resource-type", "unit_test"]
    if threads:
        args += ["--threads", str(threads)]
    if full_refresh:
        args.append("--full-refresh")
    return args
