"""The quarterly schedule, the inbox sensor and the delivery deadlines."""
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.freshness import freshness, newest_due_quarter
from orchestration.periods import Quarter
from orchestration.sources.contract import load_contract
from tests.test_extraction_engine import sgb2_text, write_boundaries, write_sgb2

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("when, expected", [
    (datetime(2027, 1, 15, 6, 0, tzinfo=BERLIN), "2026-10-01"),   # Q4 2026 after its deadline
    (datetime(2026, 10, 15, 6, 0, tzinfo=BERLIN), "2026-07-01"),  # Q3 2026
    (datetime(2026, 4, 15, 6, 0, tzinfo=BERLIN), "2026-01-01"),   # Q1 2026
    (datetime(2016, 1, 15, 6, 0, tzinfo=BERLIN), "2015-10-01"),
])
def test_schedule_requests_the_quarter_that_just_ended(when, expected):
    from orchestration.defs.automation import build_refresh_schedule

    schedule = build_refresh_schedule(15, 6)
    context = dg.build_schedule_context(scheduled_execution_time=when)
    request = schedule(context)
    assert request.partition_key == expected
    assert schedule.cron_schedule == "0 6 15 1,4,7,10 *"
    assert schedule.execution_timezone == "Europe/Berlin"


def test_schedule_day_is_configurable(monkeypatch):
    from orchestration.defs.automation import build_refresh_schedule, refresh_day

    monkeypatch.setenv("SOZIALMONITOR_REFRESH_DAY", "20")
    monkeypatch.setenv("SOZIALMONITOR_REFRESH_HOUR", "5")
    assert refresh_day() == (20, 5)
    assert build_refresh_schedule(*refresh_day()).cron_schedule == "0 5 20 1,4,7,10 *"


def evaluate_sensor(cursor=None):
    from orchestration.defs.automation import inbox_sensor

    context = dg.build_sensor_context(cursor=cursor, instance=dg.DagsterInstance.ephemeral())
    result = inbox_sensor(context)
    return result, context.cursor


def test_inbox_sensor_starts_a_run_for_a_new_delivery_once(data_dir):
    inbox = data_dir / "inbox"
    write_sgb2(inbox, sgb2_text())
    result, cursor = evaluate_sensor()
    assert isinstance(result, dg.RunRequest)
    assert result.tags["dagster/partition"] == "2024-10-01"
    keys = {k.to_user_string() for k in result.asset_selection}
    assert "raw/sgb2" in keys and "raw/melderegister" not in keys
    assert any(k.startswith("staging/stg_sgb2") for k in keys)  # and everything downstream of it
    # unchanged file: nothing, even when touched
    again, cursor = evaluate_sensor(cursor)
    assert isinstance(again, dg.SkipReason)
    path = inbox / "sgb2" / "SGB2_Wohnplaetze_2024-12_SYNTHETISCH.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
    touched, cursor = evaluate_sensor(cursor)
    assert isinstance(touched, dg.SkipReason)
    # a changed file (a correction) starts a run again
    write_sgb2(inbox, sgb2_text(rows=["Wohnplatz;00801;Zentrum Nord;1;2;3;4;1,0"]))
    changed, _ = evaluate_sensor(cursor)
    assert isinstance(changed, dg.RunRequest) and changed.tags["dagster/partition"] == "2024-10-01"


def test_inbox_sensor_covers_several_quarters_in_one_run_and_reference_data_everything(data_dir):
    inbox = data_dir / "inbox"
    write_sgb2(inbox, sgb2_text())
    write_sgb2(inbox, sgb2_text("Dezember 2020"), name="SGB2_Wohnplaetze_2020-12_SYNTHETISCH.csv")
    result, cursor = evaluate_sensor()
    assert result.tags["dagster/asset_partition_range_start"] == "2020-10-01"
    assert result.tags["dagster/asset_partition_range_end"] == "2024-10-01"
    write_boundaries(inbox)
    reference, _ = evaluate_sensor(cursor)
    assert reference.tags["dagster/asset_partition_range_start"] == "2015-01-01"
    assert "raw/wohnplatz_grenzen" in {k.to_user_string() for k in reference.asset_selection}


def test_freshness_flags_an_overdue_office_only_after_its_deadline():
    sgb2 = load_contract("sgb2")  # 60 days after the Stichtag
    assert newest_due_quarter(sgb2, date(2026, 11, 25))[0] == Quarter(2026, 2)
    assert newest_due_quarter(sgb2, date(2026, 11, 29))[0] == Quarter(2026, 3)
    on_time = freshness(sgb2, {"2026-Q2", "2026-Q1"}, date(2026, 11, 25))
    assert not on_time.overdue
    late = freshness(sgb2, {"2026-Q1"}, date(2026, 11, 25))
    assert late.overdue and late.due_quarter == Quarter(2026, 2) and late.overdue_days == 88  # deadline 29.08.2026


def test_yearly_source_is_due_only_for_its_reference_quarter():
    kita = load_contract("kita")  # 1 March, 90 days
    due, deadline = newest_due_quarter(kita, date(2026, 11, 25))
    assert due == Quarter(2026, 1) and deadline == date(2026, 6, 29)
    assert not freshness(kita, {"2026-Q1"}, date(2026, 11, 25)).overdue
