"""Priority lists from mart_priorisierung, the workbook, and the two CLI commands."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from orchestration.planning.commands import prioritaet, steckbrief
from orchestration.planning.priority import PriorisierungMissing, priority_list, write_priority_xlsx
from test_planning_fixture import build_publication


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return build_publication(tmp_path_factory.mktemp("prio") / "monitoring.duckdb", dt.date(2025, 12, 31),
                             "lauf-prio", dt.datetime(2026, 2, 2, 8))


def test_order_matches_a_direct_query_with_suppressed_last(published):
    frame = priority_list(published, "kita", "sgb2_quote")
    con = duckdb.connect(str(published), read_only=True)
    try:  # independent of the mart's rank column: by value, highest first (sgb2_quote is 'negativ')
        expected = [r[0] for r in con.execute("""
            SELECT einrichtung_name FROM mart_priorisierung
            WHERE einrichtung_art = 'kita' AND indikator_id = 'sgb2_quote'
            ORDER BY (status NOT IN ('ok', 'geschaetzt') OR wert IS NULL), wert DESC, einrichtung_name""").fetchall()]
        suppressed = {r[0] for r in con.execute("""SELECT einrichtung_name FROM mart_priorisierung
            WHERE einrichtung_art = 'kita' AND indikator_id = 'sgb2_quote' AND status = 'gesperrt'""").fetchall()}
    finally:
        con.close()
    assert list(frame["einrichtung"]) == expected
    assert suppressed == {"Waldkita Dürscheid"}
    last = frame.iloc[-1]
    assert last["einrichtung"] == "Waldkita Dürscheid" and last["status"] == "gesperrt"
    assert pd_missing(last["rang"]) and pd_missing(last["wert"]) and pd_missing(last["quintil"])
    assert "gesperrt" in last["hinweis"] and "ans Ende" in last["hinweis"]
    ranked = frame.iloc[:-1]
    assert list(ranked["rang"]) == sorted(ranked["rang"]) and ranked["wert"].is_monotonic_decreasing
    assert frame.attrs["ohne_rang"] == 1 and frame.attrs["indikator_name"] == "SGB-II-Quote"
    # two Kitas in the same Wohnplatz share value and rank
    nord = frame[frame["wohnplatz_id"] == "00801"]
    assert len(nord) == 2 and nord["rang"].nunique() == 1


def pd_missing(value) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def test_top_other_indicator_and_kind(published):
    assert len(priority_list(published, "kita", "sgb2_quote", top=3)) == 3
    schools = priority_list(published, "Schule", "kinderarmut")
    assert set(schools["einrichtung"]) == {"Grundschule Burscheid", "Grundschule Bechen"}
    with pytest.raises(ValueError, match="kinds: kita, pflegeheim, schule"):
        priority_list(published, "hort")
    with pytest.raises(ValueError, match="ranks 'kita' by kinderarmut, sgb2_quote, not by 'hze_quote'"):
        priority_list(published, "kita", "hze_quote")


def test_missing_mart_is_a_clear_error(tmp_path):
    path = build_publication(tmp_path / "ohne.duckdb", dt.date(2025, 12, 31), "l", dt.datetime(2026, 2, 1),
                             with_priorisierung=False)
    with pytest.raises(PriorisierungMissing, match="mart_priorisierung is not in the published file"):
        priority_list(path)


def test_workbook_has_german_headers_frozen_header_and_legend(published, tmp_path):
    frame = priority_list(published, "kita", "sgb2_quote")
    path = write_priority_xlsx(frame, tmp_path / "liste.xlsx")
    book = load_workbook(path)
    sheet = book["Prioritätenliste"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["Rang", "Einrichtung", "Art", "Plätze", "Wohnplatz", "Wohnplatz-Nr.", "Kommune",
                       "SGB-II-Quote (%)", "Status", "Quintil", "Handlungsraum", "Hinweis"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(frame)
    assert rows[0][0] == 1 and isinstance(rows[0][7], float)
    assert rows[-1][1] == "Waldkita Dürscheid" and rows[-1][7] == "gesperrt" and rows[-1][0] is None
    assert rows[-1][8] == "gesperrt"
    legend = {r[0]: r[1] for r in book["Legende"].iter_rows(min_row=2, values_only=True)}
    assert "nicht 0" in legend["gesperrt"] and "31.12.2025" == legend["Stichtag"]
    assert "Regelleistungsberechtigte" in legend["Indikator"] and "lauf-prio" in legend["Veröffentlichung"]


@pytest.fixture
def cli(published, tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "published").mkdir(parents=True)
    shutil.copy(published, data / "published" / "monitoring.duckdb")
    monkeypatch.setenv("SOZIALMONITOR_DATA", str(data))
    monkeypatch.setenv("COLUMNS", "200")
    app = typer.Typer()
    app.command()(prioritaet)
    app.command()(steckbrief)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args)), data


def test_cli_prioritaet(cli, tmp_path):
    run, _ = cli
    result = run("prioritaet", "--einrichtung", "kita", "--indikator", "sgb2_quote", "--top", "10",
                 "--xlsx", str(tmp_path / "kita.xlsx"))
    assert result.exit_code == 0, result.output
    assert "Prioritätenliste kita nach SGB-II-Quote" in result.output and "Kita Bechen" in result.output
    assert "1 von 8 Einrichtungen ohne Rang" in result.output
    assert (tmp_path / "kita.xlsx").exists()
    assert run("prioritaet", "--indikator", "gibtsnicht").exit_code == 2
    assert run("prioritaet", "--top", "0").exit_code == 2


def test_cli_prioritaet_without_the_mart(cli, tmp_path):
    run, data = cli
    build_publication(data / "published" / "monitoring.duckdb", dt.date(2025, 12, 31), "l", dt.datetime(2026, 2, 1),
                      with_priorisierung=False)
    result = run("prioritaet")
    assert result.exit_code == 1 and "mart_priorisierung is not in the published file" in result.output


def test_cli_steckbrief(cli, tmp_path):
    run, data = cli
    result = run("steckbrief", "Zentrum Nord")
    assert result.exit_code == 0, result.output
    assert (data / "steckbriefe" / "steckbrief_00801_zentrum-nord.html").exists()
    result = run("steckbrief", "--alle", "--out", str(tmp_path / "alle"))
    assert result.exit_code == 0 and "6 Steckbriefe geschrieben" in result.output
    assert len(list((tmp_path / "alle").glob("*.html"))) == 6
    assert run("steckbrief").exit_code == 2
    assert run("steckbrief", "00801", "--alle").exit_code == 2
    unknown = run("steckbrief", "Nirgendwo")
    assert unknown.exit_code == 2 and "no current Wohnplatz 'Nirgendwo'" in unknown.output


def test_cli_steckbrief_pdf_without_chromium(cli, tmp_path, monkeypatch):
    run, data = cli
    monkeypatch.setenv("SOZIALMONITOR_CHROMIUM", str(tmp_path / "fehlt"))
    result = run("steckbrief", "00802", "--pdf")
    assert result.exit_code == 1 and "Chromium is not installed" in result.output
    assert (data / "steckbriefe" / "steckbrief_00802_zentrum-sued.html").exists()
