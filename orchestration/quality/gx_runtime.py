"""Great Expectations, imported lazily and configured for offline, project-less use.

Importing GX costs about two seconds, so nothing imports it at module level: the Dagster code
location loads fast and only a check that actually runs pays for it. Analytics are forced off
before the first import (GX reads the variable at import time), and every run gets an ephemeral
context: no `gx/` project folder, no stores on disk, no network.
"""
from __future__ import annotations

import os
from types import ModuleType
from typing import Any

_GX: ModuleType | None = None


def gx() -> ModuleType:
    """The `great_expectations` module, imported on first use with analytics disabled."""
    global _GX
    if _GX is None:
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        import great_expectations

        _skip_batch_fingerprint()
        _GX = great_expectations
    return _GX


def _skip_batch_fingerprint() -> None:
    """Stop GX from hashing every DataFrame it is handed.

    GX's pandas engine fingerprints each batch (`hash_pandas_dataframe`: a pandas hash of every cell, then
    md5) only to store it as a batch marker, which nothing here reads; and it does so again for every
    expectation validated on the batch. On the marts that was a quarter of all GX time (4.5 of 18 s for the
    nine suites, cProfile). The marker now holds the frame's shape instead. GX is pinned (requirements.lock);
    tests/test_quality.py checks that the function is still there to replace.
    """
    from great_expectations.execution_engine import pandas_execution_engine

    def shape_only(df: Any) -> str:
        return f"{len(df)}x{len(df.columns)}"

    pandas_execution_engine.hash_pandas_dataframe = shape_only


def ephemeral_context() -> Any:
    """A fresh in-memory GX data context without progress bars (they would flood Dagster logs)."""
    module = gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = module.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


class DataFrameValidator:
    """Validates pandas DataFrames with single expectations inside one ephemeral context."""

    def __init__(self) -> None:
        context = ephemeral_context()
        source = context.data_sources.add_pandas("warehouse_batches")
        asset = source.add_dataframe_asset("batch")
        self._batch_definition = asset.add_batch_definition_whole_dataframe("whole_dataframe")

    def batch(self, frame: Any) -> Any:
        return self._batch_definition.get_batch(batch_parameters={"dataframe": frame})
