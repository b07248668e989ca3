"""Turn a run's quarters into the window and the CLI arguments of one `dbt build`.

A backfill of many quarters arrives as one window (von..bis): the incremental models replace exactly the
Stichtage of that window; everything small is rebuilt whole. The window travels in the environment, not as
`--vars`: dbt re-parses the whole project (~4 s) whenever `--vars` differ from its last parse, but only the
few files that read a changed environment variable (dbt_project/macros/stichtag_fenster.sql).
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


# dbt var -> the environment variable dbt's macros read it from when the var is not given
WINDOW_ENVIRONMENT = {"von_stichtag": "SOZIALMONITOR_VON_STICHTAG", "bis_stichtag": "SOZIALMONITOR_BIS_STICHTAG"}


def window_environment(vars: Mapping[str, str]) -> dict[str, str]:
    """The window as the environment variables dbt reads (`partition_vars` -> SOZIALMONITOR_*_STICHTAG)."""
    return {WINDOW_ENVIRONMENT[name]: value for name, value in vars.items()}


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for what starts inside the block (dbt's subprocess), then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_build_args(*, threads: int | None = None, full_refresh: bool = False) -> list[str]:
    # dbt unit tests check the SQL, not the data: they run in CI (pytest), not in every refresh
    args = ["build", "--exclude-resource-type", "unit_test"]
    if threads:
        args += ["--threads", str(threads)]
    if full_refresh:
        args.append("--full-refresh")
    return args
