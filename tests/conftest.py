"""Shared test set-up: every test that touches data gets its own data directory."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

TEST_KEY = "test-schluessel-0123456789abcdef"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An empty data directory (inbox, warehouse, quarantine, published) for one test."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("SOZIALMONITOR_DATA", str(data))
    monkeypatch.setenv("SOZIALMONITOR_PSEUDONYM_KEY", TEST_KEY)
    # the DuckDB extensions are installed once per machine; reuse them instead of copying per test
    monkeypatch.setenv("SOZIALMONITOR_EXTENSION_DIR", str(PROJECT_ROOT / "data" / ".duckdb_extensions"))
    return data


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# ---------------------------------------------------------------- the demo world, built once per session

TEST_SCALE = float(os.environ.get("SOZIALMONITOR_TEST_SCALE", "0.3"))


class DemoWorld:
    """A generated, refreshed and published demo district in its own data directory."""

    def __init__(self, data: Path, refresh):
        self.data = data
        self.refresh = refresh

    @property
    def published(self) -> Path:
        return self.data / "published" / "monitoring.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    def env(self) -> dict:
        return {"SOZIALMONITOR_DATA": str(self.data), "SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY,
                "DAGSTER_HOME": str(self.data / "dagster_home")}


def pipeline_without_reports():
    from orchestration.definitions import defs

    return [k for k in defs.resolve_asset_graph().materializable_asset_keys if k.path[0] != "berichte"]


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory) -> DemoWorld:
    """Generate the demo deliveries (scaled down), refresh 2015-Q1..2026-Q3 and publish — once."""
    from orchestration.demo import generate_demo
    from orchestration.periods import Quarter
    from orchestration.runner import run_refresh

    data = tmp_path_factory.mktemp("demo") / "data"
    saved = {k: os.environ.get(k) for k in ("SOZIALMONITOR_DATA", "SOZIALMONITOR_PSEUDONYM_KEY", "DAGSTER_HOME")}
    os.environ.update({"SOZIALMONITOR_DATA": str(data), "SOZIALMONITOR_PSEUDONYM_KEY": TEST_KEY})
    try:
        generate_demo(data / "inbox", scale=TEST_SCALE)
        # the report site is built and tested on its own (tests/test_reports_site.py), in a copy of reports/
        result = run_refresh(Quarter(2015, 1), Quarter(2026, 3), asset_selection=pipeline_without_reports())
        assert result.success, "\n".join(result.failures)
        yield DemoWorld(data, result)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def demo_copy(demo_world, tmp_path, monkeypatch) -> DemoWorld:
    """A private copy of the demo world for a test that changes it (bad deliveries, failing checks)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(demo_world.data, data, symlinks=True,
                    ignore=shutil.ignore_patterns(".refresh.lock"))
    for key, value in DemoWorld(data, demo_world.refresh).env().items():
        monkeypatch.setenv(key, value)
    return DemoWorld(data, demo_world.refresh)
