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


def test_deadline_checks_answer_for_every_quarterly_source_from_its_own_deliveries(data_dir):
    """The `lieferung_aktuell` checks run as one step; each source's result must come from its own rows of
    raw.lieferungen, and a run that selects one check runs only that one."""
    import duckdb

    from orchestration.definitions import defs
    from orchestration.periods import last_complete_quarter
    from orchestration.sources.contract import all_contracts

    quarter, sgb2 = Quarter(2024, 1), []
    newest = last_complete_quarter(date.today()).next()  # delivered early: due for no deadline yet
    while quarter <= newest:
        sgb2.append(quarter.label)
        quarter = quarter.next()
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.lieferungen (quelle VARCHAR, periode VARCHAR)")
    con.executemany("INSERT INTO raw.lieferungen VALUES (?, ?)", [("sgb2", p) for p in sgb2] + [("kita", "2016-Q1")])
    con.close()

    job = defs.resolve_job_def("lieferfristen_pruefen")
    evaluations = {e.asset_key.path[-1]: e for e in
                   job.execute_in_process(instance=dg.DagsterInstance.ephemeral()).get_asset_check_evaluations()}
    assert set(evaluations) == {c.id for c in all_contracts() if c.partitioned}
    assert {e.check_name for e in evaluations.values()} == {"lieferung_aktuell"}
    assert evaluations["sgb2"].passed and evaluations["sgb2"].metadata["zuletzt_geliefert"].value == newest.label
    assert not evaluations["kita"].passed and evaluations["kita"].metadata["zuletzt_geliefert"].value == "2016-Q1"
    assert not evaluations["hze"].passed and evaluations["hze"].metadata["zuletzt_geliefert"].value == "nie"
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in evaluations.values())

    only_hze = dg.AssetCheckKey(dg.AssetKey(["raw", "hze"]), "lieferung_aktuell")
    subset = job.get_subset(asset_check_selection={only_hze})
    ran = subset.execute_in_process(instance=dg.DagsterInstance.ephemeral()).get_asset_check_evaluations()
    assert [(e.asset_key, e.passed) for e in ran] == [(only_hze.asset_key, False)]
