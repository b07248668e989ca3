"""The data rows of the workbooks' table sheets are written as sheet XML (export_excel.SheetRows), not cell
by cell through openpyxl. These tests hold that writer to what openpyxl itself writes: the same values,
types, number formats and styles when the file is read back, and a clear error for what a cell cannot hold."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from orchestration.publish.export_excel import (
    FIRST_DATA_ROW, Column, TableSheet, _cell, _header_cells, _write_frame, render, workbook_bytes,
)

DOCUMENT_TIME = datetime(2026, 10, 15, 8, 30)

COLUMNS = [
    Column("name", "Wohnplatz"),
    Column("notiz", "Notiz", wrap=True),
    Column("einwohner", "Einwohner", kind="count", status_key="einwohner_status", measure=True),
    Column("quote", "SGB-II-Quote", kind="percent", status_key="quote_status", measure=True),
    Column("dichte", "Dichte", kind="rate"),
    Column("faktor", "Faktor", kind="decimal"),
    Column("stichtag", "Stichtag", kind="date"),
    Column("geliefert", "Geliefert am", kind="datetime"),
    Column("im_index", "Im Index", kind="bool"),
]

ROWS = [
    {"name": "Bensberg", "notiz": "zwei\nZeilen", "einwohner": 12345, "einwohner_status": "ok",
     "quote": 12.3456, "quote_status": "ok", "dichte": 1234.56789, "faktor": 0.5, "stichtag": date(2026, 9, 30),
     "geliefert": datetime(2026, 10, 2, 14, 5), "im_index": True},
    {"name": "  Moitzfeld <Süd> & Herkenrath ", "notiz": "=SUMME(A1:A9)", "einwohner": 3.0,
     "einwohner_status": "geschaetzt", "quote": None, "quote_status": "gesperrt", "dichte": None, "faktor": -0.125,
     "stichtag": date(1900, 2, 28), "geliefert": None, "im_index": False},
    {"name": "Refrath", "notiz": None, "einwohner": None, "einwohner_status": "fehlt", "quote": None,
     "quote_status": None, "dichte": 10**15 + 0.5, "faktor": None, "stichtag": None, "geliefert": None,
     "im_index": None},
]


def read_back(data: bytes):
    return load_workbook(io.BytesIO(data))


def cell_signature(cell):
    return (cell.value, cell.data_type, cell.number_format, repr(cell.font), repr(cell.alignment),
            repr(cell.fill), cell.has_style)


def openpyxl_reference(columns, rows) -> bytes:
    """The same sheet written the way the exports did before: every data cell through openpyxl."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tabelle")
    _write_frame(ws, "Titel")
    ws.append(_header_cells(ws, columns))
    for rendered in render(columns, rows):
        ws.append([_cell(ws, value, fmt, style, col.wrap) for col, (value, fmt, style) in zip(columns, rendered)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_data_rows_read_back_as_openpyxl_writes_them():
    ours = read_back(workbook_bytes([TableSheet("Tabelle", "Titel", COLUMNS, ROWS)], DOCUMENT_TIME, "Test"))
    reference = read_back(openpyxl_reference(COLUMNS, ROWS))
    ws, ref = ours["Tabelle"], reference["Tabelle"]
    assert ws.max_row == ref.max_row == FIRST_DATA_ROW + len(ROWS) - 1
    for row, ref_row in zip(ws.iter_rows(min_row=FIRST_DATA_ROW), ref.iter_rows(min_row=FIRST_DATA_ROW)):
        for cell, ref_cell in zip(row, ref_row):
            if ref_cell.data_type == "f":  # openpyxl would have made this text a formula
                continue
            assert cell_signature(cell) == cell_signature(ref_cell), cell.coordinate


def test_values_types_and_formats_as_planners_see_them():
    ws = read_back(workbook_bytes([TableSheet("Tabelle", "Titel", COLUMNS, ROWS)], DOCUMENT_TIME, "Test"))["Tabelle"]
    first, second, third = (FIRST_DATA_ROW + i for i in range(3))
    assert ws[f"A{first}"].value == "Bensberg"
    assert ws[f"B{first}"].value == "zwei\nZeilen" and ws[f"B{first}"].alignment.wrap_text
    assert ws[f"C{first}"].value == 12345 and ws[f"C{first}"].number_format == "#,##0"
    assert ws[f"D{first}"].value == pytest.approx(0.123456) and ws[f"D{first}"].number_format == "0.0%"
    assert ws[f"G{first}"].value == datetime(2026, 9, 30) and ws[f"G{first}"].number_format == "DD.MM.YYYY"
    assert ws[f"H{first}"].value == datetime(2026, 10, 2, 14, 5)
    assert ws[f"I{first}"].value == "ja"
    # leading and trailing blanks and XML's special characters survive
    assert ws[f"A{second}"].value == "  Moitzfeld <Süd> & Herkenrath "
    # text that looks like a formula stays text (openpyxl alone would have written a formula)
    assert ws[f"B{second}"].value == "=SUMME(A1:A9)" and ws[f"B{second}"].data_type == "s"
    # estimated: the number stays a number, the format carries the marker
    assert ws[f"C{second}"].value == 3 and ws[f"C{second}"].number_format.startswith('"≈ "')
    assert ws[f"C{second}"].font.i
    assert ws[f"D{second}"].value == "gesperrt" and ws[f"D{second}"].font.i
    assert ws[f"G{second}"].value == datetime(1900, 2, 28)  # before Excel's phantom 29.02.1900
    assert ws[f"C{third}"].value == "fehlt"
    assert ws[f"D{third}"].value == "–"  # measured, but not collected at this Stichtag
    assert ws[f"E{third}"].value == pytest.approx(10**15 + 0.5)
    assert ws[f"F{third}"].value is None and ws[f"G{third}"].value is None  # not a measure: left empty


def test_same_rows_same_bytes():
    sheet = TableSheet("Tabelle", "Titel", COLUMNS, ROWS)
    assert workbook_bytes([sheet], DOCUMENT_TIME, "Test") == workbook_bytes([sheet], DOCUMENT_TIME, "Test")


def test_a_control_character_is_refused_naming_sheet_row_and_column():
    rows = [ROWS[0], {**ROWS[0], "notiz": "Zeile\x07mit Klingel"}]
    with pytest.raises(ValueError) as err:
        workbook_bytes([TableSheet("Demografie", "Titel", COLUMNS, rows)], DOCUMENT_TIME, "Test")
    message = str(err.value)
    assert "'Demografie'" in message and f"row {FIRST_DATA_ROW + 1}" in message
    assert "'Notiz'" in message and "control character" in message


def test_a_time_zone_is_refused_naming_sheet_row_and_column():
    from datetime import timezone
    rows = [{**ROWS[0], "geliefert": datetime(2026, 10, 2, 14, 5, tzinfo=timezone.utc)}]
    with pytest.raises(ValueError, match=r"'Tabelle', row 4, column 'Geliefert am' \(geliefert\): .* time zone"):
        workbook_bytes([TableSheet("Tabelle", "Titel", COLUMNS, rows)], DOCUMENT_TIME, "Test")
