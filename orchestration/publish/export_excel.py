"""Writing the planners' Excel workbooks: layout, cell markers, number formats, byte-stable files.

Every sheet has the same frame: a title row, a legend row (the markers below), the German header row
(frozen, with an autofilter) and the data. A cell of an indicator is either a number in the unit's
format or a marker, never 0 or empty for something that is not a number:

    gesperrt  suppressed for data protection (the marts' `gesperrt`)
    fehlt     due but not delivered
    ≈ 12,3 %  estimated: carried from the old area scheme (number kept, format shows "≈ ")
    –         not collected at this Stichtag (a yearly indicator in another quarter)

Workbooks are written in openpyxl's write-only mode: openpyxl writes the frame of each sheet (widths,
frozen panes, autofilter, title, legend and header rows) and the styles. The data rows of a table sheet
(400,000 cells in Sozialmonitoring.xlsx) are written as sheet XML by `SheetRows` and put into the sheet
when the zip is repacked: openpyxl builds a cell object and an lxml element per cell, which took two thirds
of the export's time. The cells are those openpyxl would write (inline strings, numbers as "%.16g", dates
as Excel serials, the same style ids), except that text starting with "=" stays text, never a formula.
The repack also fixes the zip timestamps and the document dates, so the same published data give the
same bytes.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

# -- markers and legend ---------------------------------------------------------------------------------
GESPERRT = "gesperrt"
FEHLT = "fehlt"
NICHT_ERHOBEN = "–"
GESCHAETZT_PREFIX = "≈ "
LEGENDE = (
    "Zeichen: gesperrt = aus Datenschutzgründen gesperrt · fehlt = nicht geliefert · "
    "≈ (geschätzt) = aus dem alten Gebietsstand umgerechnet · – = an diesem Stichtag nicht erhoben"
)
LEGENDE_EINTRAEGE = {
    GESPERRT: "aus Datenschutzgründen gesperrt",
    FEHLT: "nicht geliefert",
    "geschätzt": "aus dem alten Gebietsstand umgerechnet",
    NICHT_ERHOBEN: "an diesem Stichtag nicht erhoben",
}
STATUS_MARKER = {"gesperrt": GESPERRT, "fehlt": FEHLT}
STATUS_GESCHAETZT = "geschaetzt"

# -- number formats (format codes are locale independent; Excel shows "12,3 %" in a German locale) -----
FORMATS = {
    "count": "#,##0",
    "percent": "0.0%",
    "rate": "#,##0.0",
    "decimal": "0.00",
    "number": "#,##0.0",
    "integer": "0",
    "date": "DD.MM.YYYY",
    "datetime": "DD.MM.YYYY HH:MM",
}
NUMERIC_KINDS = {"count", "percent", "rate", "decimal", "number", "integer"}

TITLE_ROW, LEGEND_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1

_TITLE_FONT = Font(bold=True, size=12)
_LEGEND_FONT = Font(italic=True, size=9, color="595959")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
_MARKER_FONT = Font(italic=True, color="7F7F7F")
_RIGHT = Alignment(horizontal="right")
_WRAP = Alignment(wrap_text=True, vertical="top")
_ESTIMATE_FONT = Font(italic=True)

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0


@dataclass(frozen=True)
class Column:
    """One column of a sheet: where its value comes from, its German header and how it is shown.

    kind: text | date | datetime | bool | count | percent | rate | decimal | number | integer.
    status_key: the row field holding the cell's status ('ok', 'gesperrt', 'fehlt', 'geschaetzt');
    measure: True for values that can be missing for a reason (shown as a marker, never empty).
    percent values arrive as in the marts (12.3 for 12.3 %) and are written as fractions (0.123) so
    that Excel's percent format and formulas work.
    """
    key: str
    header: str
    kind: str = "text"
    status_key: str | None = None
    measure: bool = False
    wrap: bool = False
    max_width: float | None = None
    indikator_id: str | None = None  # the catalogue's indicator the column shows or derives from


@dataclass
class TableSheet:
    """A sheet with one table under the title and legend rows."""
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    frozen_columns: int = 0  # identifying columns that stay visible while scrolling right


@dataclass
class Block:
    """A titled part of a free-form sheet (Datenstand): a small table or key/value list."""
    heading: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]


@dataclass
class BlockSheet:
    name: str
    title: str
    blocks: Sequence[Block] = field(default_factory=list)


# -- rendering one value ---------------------------------------------------------------------------------
def display(value: Any, status: str | None, column: Column) -> tuple[Any, str | None, str]:
    """(cell value, number format, style) for a value and its status; style: plain|marker|estimate."""
    if status in STATUS_MARKER:
        return STATUS_MARKER[status], None, "marker"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if column.measure or column.status_key:
            return NICHT_ERHOBEN, None, "marker"
        return None, None, "plain"
    kind = column.kind
    if kind == "bool":
        return ("ja" if value else "nein"), None, "plain"
    if kind in NUMERIC_KINDS:
        number = stored_number(value, kind)
        fmt = FORMATS[kind]
        if status == STATUS_GESCHAETZT:
            return number, f'"{GESCHAETZT_PREFIX}"{fmt}', "estimate"
        return number, fmt, "plain"
    if kind in ("date", "datetime"):
        return value, FORMATS[kind], "plain"
    return (value if isinstance(value, str) else str(value)), None, "plain"


def stored_number(value: Any, kind: str) -> float | int:
    """The number written to the cell: percent as a fraction; four decimals beyond the unit are kept
    (far more than any source is precise to, and the file stays small); whole counts as integers."""
    number = float(value)
    if kind == "percent":
        return round(number / 100.0, 6)
    if kind in ("count", "integer") and number.is_integer():
        return int(number)
    return round(number, 4)


def display_width(value: Any, fmt: str | None, kind: str) -> int:
    """Rough number of characters Excel needs for a rendered value."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(part) for part in value.split("\n")), default=0)
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    prefix = len(GESCHAETZT_PREFIX) if fmt and fmt.startswith('"') else 0
    if kind == "percent":
        return len(f"{value * 100:,.1f}") + 2 + prefix
    if kind == "count":
        return len(f"{value:,.0f}") + prefix
    if kind == "decimal":
        return len(f"{value:,.2f}") + prefix
    if kind == "integer":
        return len(str(int(value))) + prefix
    return len(f"{value:,.1f}") + prefix


def _cell(ws, value: Any, fmt: str | None = None, style: str = "plain", wrap: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if fmt:
        cell.number_format = fmt
    if style == "marker":
        cell.font = _MARKER_FONT
        cell.alignment = _RIGHT
    elif style == "estimate":
        cell.font = _ESTIMATE_FONT
    elif wrap:
        cell.alignment = _WRAP
    return cell


# -- widths and heights ----------------------------------------------------------------------------------
Rendered = tuple  # (value, number format, style) of one cell, from display()


def render(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> list[list[Rendered]]:
    return [[display(row.get(c.key), row.get(c.status_key) if c.status_key else None, c) for c in columns]
            for row in rows]


def column_widths(columns: Sequence[Column], rendered: Sequence[Sequence[Rendered]]) -> list[float]:
    """Widths from the longest rendered value; long headers wrap instead of widening the column."""
    widths = []
    for i, col in enumerate(columns):
        longest = max((display_width(r[i][0], r[i][1], col.kind) for r in rendered), default=0)
        header_words = max((len(w) for w in col.header.split()), default=0)
        header_share = min(len(col.header), 18)  # a header may take up to ~3 lines over a narrow column
        width = max(longest, header_words, header_share) + 2
        widths.append(min(max(width, MIN_WIDTH), col.max_width or MAX_WIDTH))
    return widths


def header_height(columns: Sequence[Column], widths: Sequence[float]) -> float:
    lines = 1
    for col, width in zip(columns, widths):
        lines = max(lines, _wrapped_lines(col.header, width - 1))
    return 15.0 * lines


def _wrapped_lines(text: str, width: float) -> int:
    lines, current = 1, 0
    for word in text.split():
        if current and current + 1 + len(word) > width:
            lines, current = lines + 1, len(word)
        else:
            current = current + (1 if current else 0) + len(word)
    return lines


# -- sheets ----------------------------------------------------------------------------------------------
def _write_frame(ws, title: str) -> None:
    ws.append([_styled(ws, title, _TITLE_FONT)])
    ws.append([_styled(ws, LEGENDE, _LEGEND_FONT)])


def _styled(ws, value: Any, font: Font | None = None, fill: PatternFill | None = None,
            alignment: Alignment | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def _header_cells(ws, columns: Sequence[Column]) -> list[WriteOnlyCell]:
    return [_styled(ws, c.header, _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN) for c in columns]


class CellMaker:
    """Cells of one sheet; each combination of format and style is built once and its style copied
    (setting fonts and formats cell by cell costs more than writing the cell)."""

    def __init__(self, ws):
        self.ws, self._styles = ws, {}

    def __call__(self, value: Any, fmt: str | None, style: str, wrap: bool):
        key = (fmt, style, wrap)
        if key not in self._styles:
            proto = _cell(self.ws, None, fmt, style, wrap)
            self._styles[key] = proto._style if proto.has_style else None
        styled = self._styles[key]
        if styled is None:
            return value  # openpyxl writes a plain value as an unstyled cell
        cell = WriteOnlyCell(self.ws, value=value)
        cell._style = StyleArray(styled)
        return cell

    def row(self, columns: Sequence[Column], rendered: Sequence[Rendered]) -> list:
        return [self(value, fmt, style, col.wrap) for col, (value, fmt, style) in zip(columns, rendered)]


class SheetRows:
    """The XML of a table sheet's data rows (`<row>` elements of `<sheetData>`), written as text.

    Each combination of number format and style is registered with openpyxl once, through a prototype
    cell, so the rows use the style ids openpyxl writes into styles.xml."""

    def __init__(self, ws, sheet_name: str):
        self.ws, self.sheet_name, self._style_attrs = ws, sheet_name, {}

    def style_attr(self, fmt: str | None, style: str, wrap: bool) -> str:
        key = (fmt, style, wrap)
        if key not in self._style_attrs:
            proto = _cell(self.ws, None, fmt, style, wrap)
            self._style_attrs[key] = f' s="{proto.style_id}"' if proto.has_style else ""
        return self._style_attrs[key]

    def xml(self, columns: Sequence[Column], rendered: Sequence[Sequence[Rendered]], first_row: int) -> str:
        letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        parts = []
        for row_number, row in enumerate(rendered, first_row):
            parts.append(f'<row r="{row_number}">')
            for letter, col, (value, fmt, style) in zip(letters, columns, row):
                ref = f"{letter}{row_number}"
                try:
                    parts.append(cell_xml(ref, value, self.style_attr(fmt, style, col.wrap)))
                except ValueError as err:
                    raise ValueError(f"sheet {self.sheet_name!r}, row {row_number}, column {col.header!r} "
                                     f"({col.key}): {err}") from None
            parts.append("</row>")
        return "".join(parts)


def cell_xml(ref: str, value: Any, style_attr: str = "") -> str:
    """One `<c>` element as openpyxl writes it; an unstyled empty cell is left out, as openpyxl does."""
    if value is None:
        return f'<c r="{ref}"{style_attr} t="n"/>' if style_attr else ""
    if isinstance(value, str):
        return f'<c r="{ref}"{style_attr}{_text_cell_rest(value)}'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style_attr} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, (float, Decimal)) and not math.isfinite(value):
            raise ValueError(f"number {value} is not finite")
        return f'<c r="{ref}"{style_attr} t="n"><v>{"%.16g" % value}</v></c>'
    if isinstance(value, (datetime, date, time)):
        if getattr(value, "tzinfo", None) is not None:
            raise ValueError(f"{value} has a time zone; Excel stores local times only")
        return f'<c r="{ref}"{style_attr} t="n"><v>{"%.16g" % to_excel(value)}</v></c>'
    raise ValueError(f"cannot write a {type(value).__name__} ({value!r}) to a cell")


@lru_cache(maxsize=1 << 16)
def _text_cell_rest(value: str) -> str:
    """What follows `<c r=".." s="..">` for a text: names, ids and markers repeat in every row of a sheet."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise ValueError(f"text {value!r} contains a control character Excel cannot store")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f' t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'


def _xml_text(value: str) -> str:
    # a carriage return would become a line feed when the file is read (XML end-of-line handling)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;"))


def write_table_sheet(wb: Workbook, sheet: TableSheet) -> tuple[Any, str]:
    """Write the sheet's frame with openpyxl; return the worksheet and the XML of its data rows."""
    ws = wb.create_sheet(sheet_title(sheet.name))
    columns = list(sheet.columns)
    rendered = render(columns, sheet.rows)
    widths = column_widths(columns, rendered)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(width, 1)
    ws.row_dimensions[HEADER_ROW].height = header_height(columns, widths)
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{FIRST_DATA_ROW}"
    last_row = HEADER_ROW + max(len(rendered), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last_row}"
    data_rows = SheetRows(ws, sheet.name).xml(columns, rendered, FIRST_DATA_ROW)  # raises before the sheet is opened
    _write_frame(ws, sheet.title)
    ws.append(_header_cells(ws, columns))
    return ws, data_rows


def write_block_sheet(wb: Workbook, sheet: BlockSheet) -> None:
    """Several small tables one below the other (Datenstand)."""
    ws = wb.create_sheet(sheet_title(sheet.name))
    blocks = [(b, render(b.columns, b.rows)) for b in sheet.blocks]
    n_cols = max((len(b.columns) for b in sheet.blocks), default=1)
    widths = [MIN_WIDTH] * n_cols
    for block, rendered in blocks:
        for i, width in enumerate(column_widths(block.columns, rendered)):
            widths[i] = max(widths[i], width)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = round(width, 1)
    ws.freeze_panes = f"A{HEADER_ROW}"  # title and legend stay visible
    _write_frame(ws, sheet.title)
    make = CellMaker(ws)
    row_idx = LEGEND_ROW
    for n, (block, rendered) in enumerate(blocks):
        if n:
            ws.append([])
            row_idx += 1
        ws.append([_styled(ws, block.heading, _HEADER_FONT)])
        row_idx += 2
        # rows are streamed on append, so a row's height must be set before the row is written
        ws.row_dimensions[row_idx].height = header_height(block.columns, widths[:len(block.columns)])
        ws.append(_header_cells(ws, block.columns))
        for row in rendered:
            ws.append(make.row(block.columns, row))
            row_idx += 1
        if not rendered:
            ws.append([make("keine Einträge", None, "marker", False)])
            row_idx += 1


def sheet_title(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ ."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


# -- the workbook as deterministic bytes -----------------------------------------------------------------
def workbook_bytes(sheets: Iterable[TableSheet | BlockSheet], document_time: datetime, title: str) -> bytes:
    wb = Workbook(write_only=True)
    wb.properties.creator = "Sozialmonitoring Rheinisch-Bergischer Kreis"
    wb.properties.title = title
    wb.properties.language = "de-DE"
    data_rows = []
    for sheet in sheets:
        if isinstance(sheet, TableSheet):
            data_rows.append(write_table_sheet(wb, sheet))
        else:
            write_block_sheet(wb, sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    # openpyxl names each worksheet's zip member (ws.path) when it saves
    rows_by_member = {ws.path.lstrip("/"): xml for ws, xml in data_rows}
    return normalise_xlsx(buffer.getvalue(), document_time, rows_by_member)


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(data: bytes, document_time: datetime, rows_by_member: Mapping[str, str] | None = None) -> bytes:
    """Repack the zip with fixed member times and the document dates set to `document_time`, and put
    each table sheet's data rows (`rows_by_member`: zip member -> XML) at the end of its sheetData.

    openpyxl stamps docProps/core.xml with the wall clock on every save and zipfile stamps every
    member with the current time; both would make two exports of the same data differ.
    """
    rows_by_member = rows_by_member or {}
    stamp = document_time.replace(tzinfo=None, microsecond=0).isoformat().encode() + b"Z"
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            elif info.filename in rows_by_member:
                content = _with_data_rows(content, rows_by_member[info.filename], info.filename)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, content, compresslevel=6)
    missing = set(rows_by_member) - set(source.namelist())
    if missing:
        raise RuntimeError(f"openpyxl wrote no sheet {sorted(missing)} for the data rows")
    return out.getvalue()


def _with_data_rows(sheet_xml: bytes, rows_xml: str, member: str) -> bytes:
    end = sheet_xml.rfind(b"</sheetData>")
    if end < 0:
        raise RuntimeError(f"{member} has no </sheetData> to put the data rows into")
    return sheet_xml[:end] + rows_xml.encode("utf-8") + sheet_xml[end:]
