"""dagster-dbt's CLI resource without two start-up costs this project does not need (~2.6 s per run).

`DbtCliResource.cli` asks the dbt executable for its version (`dbt --version`: a second dbt process,
1.8 s here) and builds a dbt adapter in the Dagster process (~0.8 s). The adapter only serves
`fetch_row_counts()` / `fetch_column_metadata()`, which this project does not use, and the executable
is this virtual environment's own dbt (`dbt_executable()`), whose version is the installed dbt-core's.
Where dbt comes from elsewhere on PATH, the resource asks the executable as dagster-dbt does.
"""
from __future__ import annotations

import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


def is_this_environments_dbt(executable: str) -> bool:
    return Path(executable).resolve() == (Path(sys.executable).parent / "dbt").resolve()


class ProjectDbtCliResource(DbtCliResource):
    """`DbtCliResource` for this environment's dbt-core (see module docstring)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if is_this_environments_dbt(self.dbt_executable):
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Any) -> None:
        return None  # no in-process adapter: row counts and column metadata are not fetched here
