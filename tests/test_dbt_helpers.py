"""The small helpers between Dagster and dbt: partition windows -> dbt window and arguments, asset keys."""
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from orchestration.dbt.partition_vars import (dbt_build_args, environment, partition_vars, window_environment,
                                              window_quarters)
from orchestration.dbt.translator import SozialmonitorTranslator, layer_of
from orchestration.periods import Quarter

BERLIN = ZoneInfo("Europe/Berlin")


def test_one_partition_is_one_quarter():
    first, last = window_quarters(datetime(2026, 7, 1, tzinfo=BERLIN), datetime(2026, 10, 1, tzinfo=BERLIN))
    assert (first, last) == (Quarter(2026, 3), Quarter(2026, 3))
    assert partition_vars(first, last) == {"von_stichtag": "2026-09-30", "bis_stichtag": "2026-09-30"}


def test_a_backfill_arrives_as_one_window():
    first, last = window_quarters(datetime(2015, 1, 1, tzinfo=BERLIN), datetime(2026, 10, 1, tzinfo=BERLIN))
    assert partition_vars(first, last) == {"von_stichtag": "2015-03-31", "bis_stichtag": "2026-09-30"}


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError):
        partition_vars(Quarter(2026, 3), Quarter(2026, 2))


def test_build_arguments_leave_unit_tests_to_ci_and_the_window_to_the_environment():
    args = dbt_build_args()
    assert args[0] == "build"
    # --vars would make dbt re-parse the whole project whenever the quarter changes
    assert "--vars" not in args
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert "--full-refresh" in dbt_build_args(full_refresh=True)
    window = window_environment(partition_vars(Quarter(2015, 1), Quarter(2026, 3)))
    assert window == {"SOZIALMONITOR_VON_STICHTAG": "2015-03-31", "SOZIALMONITOR_BIS_STICHTAG": "2026-09-30"}


def test_the_window_is_set_for_dbt_and_restored_afterwards(monkeypatch):
    monkeypatch.setenv("SOZIALMONITOR_VON_STICHTAG", "2020-03-31")
    monkeypatch.delenv("SOZIALMONITOR_BIS_STICHTAG", raising=False)
    with environment(window_environment(partition_vars(Quarter(2026, 3), Quarter(2026, 3)))):
        assert (os.environ["SOZIALMONITOR_VON_STICHTAG"], os.environ["SOZIALMONITOR_BIS_STICHTAG"]) == (
            "2026-09-30", "2026-09-30")
    assert os.environ["SOZIALMONITOR_VON_STICHTAG"] == "2020-03-31"
    assert "SOZIALMONITOR_BIS_STICHTAG" not in os.environ


def test_dbt_sources_map_onto_one_extraction_asset_per_source():
    translator = SozialmonitorTranslator()
    key = translator.get_asset_key({"resource_type": "source", "name": "melderegister_bewegungen"})
    assert key.path == ["raw", "melderegister"]
    model = {"resource_type": "model", "name": "fct_indikator", "config": {"schema": "core"}, "fqn": []}
    assert translator.get_asset_key(model).path == ["core", "fct_indikator"]
    assert translator.get_group_name(model) == "core"
    assert layer_of({"resource_type": "seed", "config": {"schema": "core"}}) == "core"


def test_old_run_target_folders_are_pruned_newest_kept(tmp_path):
    import os

    from orchestration.dbt.project import prune_run_targets

    for i in range(13):
        run = tmp_path / f"dbt_monitoring-{i:07d}-abcdef0"
        run.mkdir()
        (run / "run_results.json").write_text("{}")
        os.utime(run, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "manifest.json").write_text("{}")  # the project's own target files are never touched
    removed = prune_run_targets(tmp_path, "dbt_monitoring", keep=10)
    assert sorted(p.name for p in removed) == [f"dbt_monitoring-{i:07d}-abcdef0" for i in range(3)]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 11 and "manifest.json" in left and "dbt_monitoring-0000012-abcdef0" in left
