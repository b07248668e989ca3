"""The Great Expectations quality gate in front of every publication.

- `suites`: loads `expectations/<mart>.json` and refuses a suite whose expectations GX dropped;
- `runner.run_suite(mart, db_path, parameters) -> SuiteResult`: validates pandas DataFrames of the
  suite's named SQL batches, read through a read-only DuckDB connection;
- `checks.build_mart_asset_checks()`: one blocking Dagster asset check per published mart
  (imported from `orchestration.quality.checks`, so this package does not pull in Dagster);
- `report.datenqualitaet_rows()`: the rows of `mart_datenqualitaet`.

GX itself is imported lazily (see `gx_runtime`): importing this package is cheap.
"""
from orchestration.quality.report import DATENQUALITAET_COLUMNS, datenqualitaet_frame, datenqualitaet_rows
from orchestration.quality.runner import ExpectationResult, SuiteResult, run_all_suites, run_suite
from orchestration.quality.suites import PUBLISHED_MARTS, Suite, SuiteError, load_all_suites, load_suite

__all__ = [
    "DATENQUALITAET_COLUMNS",
    "PUBLISHED_MARTS",
    "ExpectationResult",
    "Suite",
    "SuiteError",
    "SuiteResult",
    "datenqualitaet_frame",
    "datenqualitaet_rows",
    "load_all_suites",
    "load_suite",
    "run_all_suites",
    "run_suite",
]
