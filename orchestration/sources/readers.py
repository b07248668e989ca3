"""Read a delivery file into a DuckDB temp table of text columns, one per sheet/table.

Nothing is typed or decoded here beyond the character encoding: every value stays the text the
office wrote, with the line/row it came from (`_zeile`), so that the contract checks can point at it.
Large CSVs (the resident register) are read natively by DuckDB; small or oddly shaped files (BA tables
with preamble and footnotes, workbooks, JSON) are parsed in Python.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pandas is imported where a Python-parsed delivery becomes a frame: loading the Dagster
    import pandas as pd  # definitions (UI, sensors, every run's process) should not pay its 0.3 s import

from orchestration.sources.contract import Contract, FileSpec, Sheet, Table
from orchestration.sources.problems import DeliveryRejected, Violation, reject

CHUNK = 16 * 1024 * 1024
_CP1252_ONLY = re.compile(rb"[\x80-\x9f]")


@dataclass
class Incoming:
    """A delivery's table as text, loaded into a DuckDB temp table."""

    table: Table
    relation: str
    header: list[str]  # as written in the file (normalised white space)
    rows: int
    preamble: list[str] = field(default_factory=list)  # lines/rows above the header
    meta: dict[str, Any] = field(default_factory=dict)  # JSON meta, GeoJSON top-level members
    total_row: dict[str, str | None] | None = None  # a "Summe" row, kept aside for a check
    violations: list[Violation] = field(default_factory=list)  # found while reading


def normalise_header(text: Any) -> str:
    return " ".join(str(text).replace("\u00a0", " ").split()) if text is not None else ""


def header_key(text: str) -> str:
    return normalise_header(text).casefold()


# ---------------------------------------------------------------- encodings


def check_encoding(path: Path, encoding: str) -> str:
    """Verify the file's bytes against the contract's encoding; return the DuckDB encoding to read with.

    A Windows-1252 contract rejects a UTF-8 file (German text in cp1252 is never valid UTF-8, while
    UTF-8 read as cp1252 silently turns "Müller" into "MÃ¼ller").
    """
    name = path.name
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, ascii_only, has_cp1252_specials = True, True, False
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            if ascii_only and not chunk.isascii():
                ascii_only = False
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_ok = False
                    bad_at = offset + exc.start
                    if encoding.startswith("utf"):
                        raise reject(
                            name, "encoding",
                            f"not valid UTF-8 at byte {bad_at} (line {_line_of(path, bad_at)}); the contract "
                            f"requires {encoding.upper()} — was it saved as Windows-1252/ANSI?",
                        ) from None
            if not has_cp1252_specials and _CP1252_ONLY.search(chunk):
                has_cp1252_specials = True
            offset += len(chunk)
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if encoding.startswith("utf"):
        return "utf-8"
    if encoding == "cp1252":
        if utf8_ok and not ascii_only:
            raise reject(
                name, "encoding",
                "the file is UTF-8 encoded, but the contract requires Windows-1252 (cp1252); ask the office "
                "to export as 'ANSI/Windows-1252' or change the contract",
            )
        # Latin-1 and cp1252 differ only in 0x80-0x9F (€, „, “ ...): read natively when those are absent.
        return "cp1252" if has_cp1252_specials else "latin-1"
    return encoding


def _line_of(path: Path, byte_offset: int) -> int:
    with path.open("rb") as fh:
        return fh.read(byte_offset).count(b"\n") + 1


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        if fh.tell() == 0:
            return False
        fh.seek(-1, 2)
        return fh.read(1) in (b"\n", b"\r")


def _count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            lines += chunk.count(b"\n")
    return lines


# ---------------------------------------------------------------- CSV


def read_csv(con: duckdb.DuckDBPyConnection, path: Path, spec: FileSpec, table: Table, relation: str) -> Incoming:
    if path.stat().st_size == 0:
        raise reject(path.name, "empty", "the file is empty")
    duck_encoding = check_encoding(path, spec.encoding)
    if spec.kopfzeile_beginnt_mit or spec.ende_bei_leerzeile:
        return _read_csv_python(con, path, spec, table, relation, duck_encoding)
    return _read_csv_duckdb(con, path, spec, table, relation, duck_encoding)


def _python_codec(duck_encoding: str) -> str:
    return {"utf-8": "utf-8-sig", "latin-1": "latin-1", "cp1252": "cp1252"}.get(duck_encoding, duck_encoding)


def _read_csv_duckdb(con, path: Path, spec: FileSpec, table: Table, relation: str, duck_encoding: str) -> Incoming:
    with path.open("r", encoding=_python_codec(duck_encoding), newline="") as fh:
        first_line = fh.readline()
    header = [normalise_header(h) for h in next(csv.reader([first_line], delimiter=spec.trennzeichen))]
    columns = {f"c{i}": "VARCHAR" for i in range(len(header))}
    options = dict(
        delim=spec.trennzeichen, quote='"', escape='"', header=True, auto_detect=False,
        columns=columns, null_padding=True, encoding=duck_encoding, ignore_errors=False,
        strict_mode=False, parallel=True,
    )
    opts = ", ".join(f"{k} := ?" for k in options)
    select = ", ".join(f"c{i} AS {_q(h or f'column_{i}')}" for i, h in enumerate(header))
    try:
        drop_incoming(con, relation)  # whatever an earlier delivery left under this name
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {relation}_text AS SELECT {select} FROM read_csv(?, {opts})",
            [str(path), *options.values()],
        )
        # rowid follows the file's order (insertion order is preserved): line = rowid + 2 (a view: no copy)
        con.execute(f"CREATE TEMP VIEW {relation} AS SELECT CAST(rowid + 2 AS INTEGER) AS _zeile, * FROM {relation}_text")
    except duckdb.Error as exc:
        raise reject(path.name, "unreadable", f"the CSV cannot be parsed: {_first_line(str(exc))}") from None
    rows = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    incoming = Incoming(table, relation, header, rows)
    if not _ends_with_newline(path):
        incoming.violations.append(Violation(
            "truncated", "the file does not end with a line break: the last line is incomplete, the delivery "
            "looks truncated (transfer aborted?)", row=_count_lines(path) + 1))
    return incoming


def _read_csv_python(con, path: Path, spec: FileSpec, table: Table, relation: str, duck_encoding: str) -> Incoming:
    text = path.read_text(encoding=_python_codec(duck_encoding))
    lines = text.splitlines()
    start = 0
    if spec.kopfzeile_beginnt_mit:
        marker = header_key(spec.kopfzeile_beginnt_mit)
        start = next((i for i, line in enumerate(lines) if header_key(line).startswith(marker)), -1)
        if start < 0:
            raise reject(path.name, "missing_header",
                         f"no header line starting with '{spec.kopfzeile_beginnt_mit}' found")
    preamble = [normalise_header(l) for l in lines[:start] if l.strip()]
    end = len(lines)
    if spec.ende_bei_leerzeile:
        end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip(" ;\t")), len(lines))
    parsed = list(csv.reader(lines[start:end], delimiter=spec.trennzeichen, quotechar='"'))
    header = [normalise_header(h) for h in parsed[0]]
    records, violations = [], []
    for offset, fields in enumerate(parsed[1:], start=start + 2):
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            violations.append(Violation(
                "field_count", f"{len(fields)} fields where the header has {len(header)} (truncated or shifted line?)",
                row=offset))
            fields = (fields + [None] * len(header))[: len(header)]
        records.append([offset, *[_blank_to_none(f) for f in fields]])
    if not text.endswith(("\n", "\r")) and not spec.ende_bei_leerzeile:
        violations.append(Violation("truncated", "the file does not end with a line break: the delivery looks truncated",
                                    row=len(lines)))
    frame = _text_frame(records, columns=["_zeile", *_unique(header)])
    incoming = _register(con, frame, table, relation, header, preamble=preamble)
    incoming.violations.extend(violations)
    return incoming


# ---------------------------------------------------------------- XLSX


def read_xlsx(con, path: Path, spec: FileSpec, sheet: Sheet, table: Table, relation: str) -> Incoming:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise reject(path.name, "unreadable",
                     f"not a readable XLSX workbook ({type(exc).__name__}: {exc}); truncated or not Excel?") from None
    name = sheet.blatt or workbook.sheetnames[0]
    if name not in workbook.sheetnames:
        raise reject(path.name, "missing_sheet", f"sheet '{name}' is missing; found {workbook.sheetnames}")
    ws = workbook[name]
    grid = _sheet_values_with_merges(ws)
    marker = header_key(sheet.kopfzeile_beginnt_mit or "")
    start = next((i for i, row in enumerate(grid) if row and header_key(row[0] or "").startswith(marker)), -1)
    if start < 0:
        raise reject(path.name, "missing_header",
                     f"sheet '{name}': no header row whose first cell is '{sheet.kopfzeile_beginnt_mit}'")
    preamble = [" ".join(normalise_header(v) for v in row if v not in (None, "")) for row in grid[:start]]
    preamble = [p for p in preamble if p]
    header = _header_from_rows(grid[start: start + sheet.kopfzeilen], sheet.kopfzeilen)
    formats = {header_key(c.quelle): c for c in table.columns}
    records, total_row = [], None
    for index, row in enumerate(grid[start + sheet.kopfzeilen:], start=start + sheet.kopfzeilen + 1):
        cells = (list(row) + [None] * len(header))[: len(header)]
        if all(v in (None, "") for v in cells):
            continue
        texts = [_cell_text(v, formats.get(header_key(h))) for v, h in zip(cells, header)]
        if spec.summenzeile and any(t and header_key(t) == header_key(spec.summenzeile) for t in texts[:2]):
            total_row = dict(zip(header, texts))
            continue
        records.append([index, *texts])
    frame = _text_frame(records, columns=["_zeile", *_unique(header)])
    incoming = _register(con, frame, table, relation, header, preamble=preamble)
    incoming.total_row = total_row
    return incoming


def _sheet_values_with_merges(ws) -> list[list[Any]]:
    """Cell values with every merged range filled from its top-left cell (hand-kept sheets merge a lot)."""
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        top_left = ws.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if r - 1 < len(grid):
                    row = grid[r - 1]
                    while len(row) < c:
                        row.append(None)
                    row[c - 1] = top_left
    return grid


def _header_from_rows(rows: list[list[Any]], depth: int) -> list[str]:
    if depth == 1:
        return [normalise_header(v) for v in rows[0]]
    top, sub = rows[0], rows[1]
    names = []
    for i in range(max(len(top), len(sub))):
        upper = normalise_header(top[i] if i < len(top) else None)
        lower = normalise_header(sub[i] if i < len(sub) else None)
        names.append(upper if not lower or lower == upper else (f"{upper} {lower}" if upper else lower))
    return names


def _cell_text(value: Any, column) -> str | None:
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        fmt = (column.format if column is not None and column.typ == "datum" and column.format else None) or (
            "%d.%m.%Y" if column is not None and column.typ == "monat" else "%Y-%m-%d")
        return value.strftime(fmt)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------- JSON and GeoJSON


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise reject(path.name, "encoding", f"not valid UTF-8 at byte {exc.start}; JSON must be UTF-8") from None
    except json.JSONDecodeError as exc:
        raise reject(path.name, "unreadable",
                     f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg} (truncated export?)") from None


def read_json(con, path: Path, spec: FileSpec, table: Table, relation: str) -> Incoming:
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get(spec.datensaetze), list):
        raise reject(path.name, "shape", f"expected an object with a list '{spec.datensaetze}' of records")
    meta = data.get(spec.meta, {}) if spec.meta else {}
    records = data[spec.datensaetze]
    header = _unique([normalise_header(k) for k in dict.fromkeys(k for r in records for k in r)])
    by_key = {header_key(h): h for h in header}
    rows = [[i, *[_json_text(r.get(by_key[header_key(h)])) for h in header]] for i, r in enumerate(records, start=1)]
    frame = _text_frame(rows, columns=["_zeile", *header])
    return _register(con, frame, table, relation, header, meta=meta if isinstance(meta, dict) else {})


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = str(value).strip()
    return text or None


def read_geojson(con, path: Path, spec: FileSpec, table: Table, relation: str) -> Incoming:
    data = _load_json(path)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise reject(path.name, "shape", "expected a GeoJSON FeatureCollection")
    features = data.get("features") or []
    header = _unique(list(dict.fromkeys(normalise_header(k) for f in features for k in (f.get("properties") or {}))))
    header.append("geometry")
    rows = []
    for i, feature in enumerate(features, start=1):
        props = {header_key(k): v for k, v in (feature.get("properties") or {}).items()}
        rows.append([i, *[_json_text(props.get(header_key(h))) for h in header[:-1]],
                     _json_text(feature.get("geometry"))])
    frame = _text_frame(rows, columns=["_zeile", *header])
    meta = {k: v for k, v in data.items() if k not in ("features", "type")}
    return _register(con, frame, table, relation, header, meta=meta)


# ---------------------------------------------------------------- helpers


def _text_frame(rows: list[list[Any]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns, dtype=object)


def _register(con, frame: pd.DataFrame, table: Table, relation: str, header: list[str], **extra) -> Incoming:
    frame = frame.astype({c: "object" for c in frame.columns if c != "_zeile"})
    drop_incoming(con, relation)
    con.register("_frame_view", frame)
    columns = ", ".join(["CAST(_zeile AS INTEGER) AS _zeile"] + [f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}"
                                                                for c in frame.columns if c != "_zeile"])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT {columns} FROM _frame_view")
    con.unregister("_frame_view")
    return Incoming(table, relation, header, len(frame), **extra)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name or "column"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _blank_to_none(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def drop_incoming(con, relation: str) -> None:
    """Forget a delivery's text table (a view over the CSV's table, or a table)."""
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ? "
                       "AND table_catalog = 'temp'", [relation]).fetchone()
    if kind and kind[0] == "VIEW":
        con.execute(f"DROP VIEW {relation}")
        con.execute(f"DROP TABLE IF EXISTS {relation}_text")
    elif kind:
        con.execute(f"DROP TABLE {relation}")


def _first_line(text: str) -> str:
    return " ".join(text.strip().splitlines()[:3])[:400]


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def read_delivery(con, path: Path, spec: FileSpec, contract: Contract, prefix: str) -> list[Incoming]:
    """Read every table a delivery file holds (a workbook may hold several sheets)."""
    out = []
    for i, sheet in enumerate(spec.sheets):
        table = contract.tabellen[sheet.tabelle]
        relation = f"{prefix}_{i}"
        if spec.format == "csv":
            out.append(read_csv(con, path, spec, table, relation))
        elif spec.format == "xlsx":
            out.append(read_xlsx(con, path, spec, sheet, table, relation))
        elif spec.format == "json":
            out.append(read_json(con, path, spec, table, relation))
        elif spec.format == "geojson":
            out.append(read_geojson(con, path, spec, table, relation))
        else:  # pragma: no cover - contract loader restricts formats
            raise ValueError(f"unknown format {spec.format}")
    return out


__all__ = ["Incoming", "read_delivery", "check_encoding", "normalise_header", "header_key", "DeliveryRejected"]
