"""The dbt project as Dagster sees it: where it is, its manifest (built when missing or stale), its env."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.settings import Settings, get_settings

SOURCE_DIRS = ("models", "macros", "seeds", "tests", "analyses")


def dbt_executable() -> str:
    """dbt from this virtual environment (dagster-dbt starts it as a subprocess)."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if not found:
        raise RuntimeError("dbt is not installed in this environment; run `make install`")
    return found


def dbt_env(settings: Settings | None = None) -> dict[str, str]:
    """Environment dbt needs: the warehouse path and the offline extension directory; no telemetry."""
    settings = settings or get_settings()
    return {
        "SOZIALMONITOR_WAREHOUSE": str(settings.warehouse),
        "SOZIALMONITOR_EXTENSION_DIR": str(settings.extension_dir),
        "SOZIALMONITOR_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
    }


def apply_dbt_env(settings: Settings | None = None) -> None:
    os.environ.update(dbt_env(settings))


def manifest_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).dbt_target_dir / "manifest.json"


def _newest_source_mtime(project_dir: Path) -> float:
    newest = (project_dir / "dbt_project.yml").stat().st_mtime
    for folder in SOURCE_DIRS:
        for path in (project_dir / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    path = manifest_path(settings)
    return not path.exists() or path.stat().st_mtime < _newest_source_mtime(settings.dbt_project_dir)


def ensure_manifest(settings: Settings | None = None, *, force: bool = False) -> Path:
    """`dbt parse` when the manifest is missing or older than the project's files (CI, tests, first run)."""
    settings = settings or get_settings()
    path = manifest_path(settings)
    if force or manifest_is_stale(settings):
        settings.extension_dir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(settings.dbt_project_dir),
             "--profiles-dir", str(settings.dbt_project_dir), "--target-path", str(settings.dbt_target_dir)],
            env={**os.environ, **dbt_env(settings)}, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"`dbt parse` failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
        path.touch()
    return path


RUN_TARGETS_KEPT = 10


def prune_run_targets(target_dir: Path, prefix: str, keep: int = RUN_TARGETS_KEPT) -> list[Path]:
    """Delete all but the newest `keep` per-run target folders (`<prefix>-<run>-<hash>`, ~30 MB each, written
    by dagster-dbt for every run). The newest are kept so a failed run's compiled SQL stays readable."""
    runs = sorted((p for p in target_dir.glob(f"{prefix}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime,
                  reverse=True)
    removed = runs[keep:]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


PARTIAL_PARSE = "partial_parse.msgpack"


def keep_partial_parse(run_target: Path, project_target: Path) -> bool:
    """Make a run's parse state the project's: dagster-dbt copies `target/partial_parse.msgpack` into each
    run's own target folder, so the next run re-parses only what changed since this one. Otherwise every run
    compares with the parse of `sozialmonitor setup`, whose profile (the warehouse path) may differ, and
    parses all ~380 nodes again (~4 s of every dbt step)."""
    source = run_target / PARTIAL_PARSE
    if not source.exists():
        return False
    partial = project_target / (PARTIAL_PARSE + ".tmp")
    shutil.copyfile(source, partial)
    os.replace(partial, project_target / PARTIAL_PARSE)  # atomic: a reader never sees half a file
    return True
