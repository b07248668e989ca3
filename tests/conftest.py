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
