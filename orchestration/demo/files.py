"""Writing delivery files: the inbox registry, text/CSV helpers and deterministic XLSX workbooks."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from orchestration.demo import contracts
from orchestration.demo.gazetteer import FILE_SUFFIX

FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 0, 0, 0)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass
class Delivery:
    source: str
    table: str
    period: str
    path: str  # relative to the inbox
    bytes: int
    sha256: str


@dataclass
class Inbox:
    """The inbox folder being filled; decides which deliveries are due and records what was written."""

    root: Path
    omit: frozenset[tuple[str, str]] = frozenset()
    deliveries: list[Delivery] = field(default_factory=list)

    def wanted(self, source: str, label: str) -> bool:
        return (source, label) not in self.omit

    def target(self, source: str, table: str, stem: str, ext: str) -> Path:
        name = contracts.check_file_name(source, table, f"{stem}{FILE_SUFFIX}.{ext}")
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def record(self, source: str, table: str, period: str, path: Path, sha256: str | None = None) -> None:
        data_len = path.stat().st_size
        if sha256 is None:
            sha256 = sha256_file(path)
        self.deliveries.append(Delivery(source, table, period, path.relative_to(self.root).as_posix(), data_len,
                                        sha256))

    def write_bytes(self, source: str, table: str, period: str, stem: str, ext: str, data: bytes) -> Path:
        path = self.target(source, table, stem, ext)
        path.write_bytes(data)
        self.record(source, table, period, path, hashlib.sha256(data).hexdigest())
        return path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, sep: str, encoding: str,
              crlf: bool, preamble: Sequence[str] = (), footer: Sequence[str] = ()) -> bytes:
    """A small CSV file as the office's software writes it (None -> empty field)."""
    buf = io.StringIO()
    eol = "\r\n" if crlf else "\n"
    for line in preamble:
        buf.write(line + eol)
    w = csv.writer(buf, delimiter=sep, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    for line in footer:
        buf.write(line + eol)
    return buf.getvalue().encode(encoding)


_C1_BYTES = bytes(range(0x80, 0xA0))


def encode_text(text: str, encoding: str) -> bytes:
    """str.encode, with a fast path for Windows-1252: text that fits Latin-1 and has no C1 control
    characters has the same bytes in both encodings (and Latin-1 encoding is a plain copy in CPython)."""
    if encoding.lower() in ("cp1252", "windows-1252"):
        try:
            out = text.encode("latin-1")
        except UnicodeEncodeError:
            return text.encode(encoding)  # e.g. "Š" or "–": only Windows-1252 has them
        if len(out.translate(None, _C1_BYTES)) == len(out):
            return out
    return text.encode(encoding)


def transcode_file(src: Path, dst: Path, encoding: str, crlf: bool, chunk: int = 1 << 22) -> str:
    """Stream a UTF-8 file (as DuckDB writes it) into another encoding; returns the sha256 of dst."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        while True:
            raw = fin.read(chunk)
            text = decoder.decode(raw, final=not raw)
            if text:
                if crlf:
                    text = text.replace("\n", "\r\n")
                out = encode_text(text, encoding)
                h.update(out)
                fout.write(out)
            if not raw:
                break
    return h.hexdigest()


def json_bytes(head: dict[str, Any], list_key: str, items: Sequence[dict]) -> bytes:
    """A JSON document with one list item per line (json's C encoder; indent= would be pure Python)."""
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    body = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    return f'{opening},\n "{list_key}": [\n{body}\n ]\n}}\n'.encode()


def de_decimal(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


# -------------------------------------------------------------------------------------------- XLSX
# A small SpreadsheetML writer: inline strings, numbers, dates, bold titles and headers, merged cells,
# column widths and a frozen header. openpyxl would do the same at a tenth of the speed (its XML
# serialiser is pure Python without lxml) and stamps the current time into the file; this writer is
# deterministic by construction (fixed timestamps in docProps/core.xml and in the zip entries).

@dataclass
class Sheet:
    """One worksheet: title rows, an empty row, header row(s), data rows, footer rows.

    Merges are A1 ranges in which {h} is the first header row and {h_next} the row below it."""

    name: str
    title_rows: Sequence[str]
    header_rows: Sequence[Sequence[Any]]
    rows: Sequence[Sequence[Any]]
    merges: Sequence[str] = ()
    widths: Sequence[float] = ()
    footer_rows: Sequence[Sequence[Any]] = ()
    merge_titles: bool = False  # title cells merged across the table's width, as offices like to do


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# cell styles (index into cellXfs): 0 plain, 1 bold, 2 title, 3 italic, 4 date, 5 header
_PLAIN, _BOLD, _TITLE, _ITALIC, _DATE, _HEADER = range(6)
_STYLES = (_XML + f'<styleSheet xmlns="{_NS}">'
           '<fonts count="4"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font>'
           '<font><i/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
           '<alignment horizontal="center" vertical="center" wrapText="1"/></xf></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Standard" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>')
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _cell(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    text = str(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _sheet_xml(spec: Sheet) -> str:
    rows: list[tuple[Sequence[Any], int]] = []
    for i, text in enumerate(spec.title_rows):
        rows.append(([text], _TITLE if i == 0 else _PLAIN))
    rows.append(([], _PLAIN))  # empty row before the header
    header_start = len(rows) + 1
    rows += [(r, _HEADER) for r in spec.header_rows]
    rows += [(r, _PLAIN) for r in spec.rows]
    rows += [(r, _ITALIC) for r in spec.footer_rows]
    letters = [column_letter(i) for i in range(1, 1 + max(len(r) for r, _ in rows))]
    out = [_XML, f'<worksheet xmlns="{_NS}" xmlns:r="{_NS_R}">']
    frozen = header_start + len(spec.header_rows)
    out.append(f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{frozen - 1}" topLeftCell="A{frozen}" '
               f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if spec.widths:
        out.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                                      for i, w in enumerate(spec.widths, start=1)) + "</cols>")
    out.append("<sheetData>")
    for r, (values, style) in enumerate(rows, start=1):
        cells = "".join(_cell(f"{letters[c]}{r}", v, style) for c, v in enumerate(values))
        out.append(f'<row r="{r}">{cells}</row>' if cells else f'<row r="{r}"/>')
    out.append("</sheetData>")
    refs = [m.format(h=header_start, h_next=header_start + 1) for m in spec.merges]
    if spec.merge_titles:
        width = letters[max(len(r) for r in spec.header_rows) - 1]
        refs = [f"A{r}:{width}{r}" for r in range(1, len(spec.title_rows) + 1)] + refs
    if refs:
        out.append(f'<mergeCells count="{len(refs)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in refs)
                   + "</mergeCells>")
    out.append('<pageMargins left="0.7" right="0.7" top="0.78740157499999996" bottom="0.78740157499999996" '
               'header="0.3" footer="0.3"/></worksheet>')
    return "".join(out)


def workbook_bytes(sheets: Sequence[Sheet], title: str = "SYNTHETISCHE DEMODATEN") -> bytes:
    n = len(sheets)
    parts: dict[str, str] = {
        "[Content_Types].xml": _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(1, n + 1))
        + '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
        "_rels/.rels": _XML + f'<Relationships xmlns="{_PKG_R}">'
        f'<Relationship Id="rId1" Type="{_DOC_R}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_DOC_R}/extended-properties" Target="docProps/app.xml"/></Relationships>',
        "docProps/app.xml": _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Sozialmonitor Demodaten-Generator</Application></Properties>',
        "docProps/core.xml": _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/'
        'terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dc:title>{_escape(title)}</dc:title><dc:creator>Sozialmonitor Demodaten-Generator</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_TIMESTAMP.isoformat()}Z</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_TIMESTAMP.isoformat()}Z</dcterms:modified>'
        '</cp:coreProperties>',
        "xl/workbook.xml": _XML + f'<workbook xmlns="{_NS}" xmlns:r="{_NS_R}"><sheets>'
        + "".join(f'<sheet name="{_escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                  for i, s in enumerate(sheets, start=1)) + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": _XML + f'<Relationships xmlns="{_PKG_R}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_DOC_R}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in range(1, n + 1))
        + f'<Relationship Id="rId{n + 1}" Type="{_DOC_R}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": _STYLES,
    }
    for i, spec in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = _sheet_xml(spec)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, content.encode("utf-8"))
    return out.getvalue()
