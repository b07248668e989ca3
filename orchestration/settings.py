"""Where everything lives, read once from the environment.

All run-time files sit under one data directory (default ``<project>/data``) so that a fresh clone,
a test and the benchmark each get their own world by pointing ``SOZIALMONITOR_DATA`` elsewhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO_PSEUDONYM_KEY = "demo-schluessel-nur-fuer-synthetische-daten"
# DuckDB's own default is 80% of the machine's memory; with it a state-sized quarter (x60) peaked at 4.0-4.2 GB.
# Beyond the limit DuckDB spills to `<database>.tmp` beside the file (docs/performance.md).
DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"


@dataclass(frozen=True)
class Settings:
    project_root: Path
    data_dir: Path

    @property
    def inbox(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def quarantine(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_db(self) -> Path:
        return self.published_dir / "monitoring.duckdb"

    @property
    def publication_history(self) -> Path:
        return self.published_dir / "history"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def extension_dir(self) -> Path:
        # shared by all data directories of a machine unless set: the extensions only depend on DuckDB
        return Path(os.environ.get("SOZIALMONITOR_EXTENSION_DIR", self.project_root / "data" / ".duckdb_extensions"))

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_root / "dbt_project"

    @property
    def dbt_target_dir(self) -> Path:
        return self.project_root / "dbt_project" / "target"

    @property
    def reports_dir(self) -> Path:
        return self.project_root / "reports"

    @property
    def expectations_dir(self) -> Path:
        return self.project_root / "expectations"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / ".refresh.lock"

    @property
    def duckdb_memory_limit(self) -> str:
        """Memory DuckDB may use per process (extraction, dbt), e.g. "3GB"; raise it on a bigger server."""
        return os.environ.get("SOZIALMONITOR_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT)


def get_settings() -> Settings:
    root = Path(os.environ.get("SOZIALMONITOR_HOME", PROJECT_ROOT)).resolve()
    data = Path(os.environ.get("SOZIALMONITOR_DATA", root / "data")).resolve()
    return Settings(project_root=root, data_dir=data)


class MissingPseudonymKey(RuntimeError):
    pass


def pseudonym_key() -> bytes:
    """The secret for the keyed hash. Never written anywhere; only read from the environment."""
    key = os.environ.get("SOZIALMONITOR_PSEUDONYM_KEY", "")
    if len(key) < 16:
        raise MissingPseudonymKey(
            "SOZIALMONITOR_PSEUDONYM_KEY is not set (or shorter than 16 characters). Person and case ids "
            "are pseudonymised with a keyed hash whose key must come from the environment; "
            "`sozialmonitor demo` sets a demo key, real deliveries need the district's own key "
            "(see docs/operations.md, 'Pseudonymisation key')."
        )
    return key.encode("utf-8")
