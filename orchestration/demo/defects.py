"""Bad deliveries on request: each takes a good demo delivery of the inbox and breaks it the way offices do.

Used by `sozialmonitor demo-data --defect KIND` and by the tests of the contracts and the gate.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.periods import Quarter

DEFECTS = {
    "wrong-encoding": "the Burscheid register snapshot saved as UTF-8 instead of Windows-1252",
    "missing-column": "the SGB II table without the column 'Regelleistungsberechtigte'",
    "unknown-wohnplatz": "the SGB II table with a Wohnplatz key that does not exist (00899)",
    "unknown-street": "the Burscheid register snapshot with a street key missing from the street directory",
    "duplicate": "the SGB II table delivered a second time under another name",
    "truncated": "the Bergisch Gladbach register snapshot cut off in the middle of a line (aborted transfer)",
    "period-mismatch": "the previous quarter's SGB II table re-exported under this quarter's name",
    "negative-count": "the SGB II table with a negative count",
}


def _one(folder: Path, pattern: str) -> Path:
    matches = sorted(folder.glob(pattern))
    if not matches:
        raise FileNotFoundError(f"no delivery {folder / pattern} to break: write the demo deliveries first "
                                "(sozialmonitor demo-data)")
    return matches[0]


def _sgb2(inbox: Path, quarter: Quarter) -> Path:
    return _one(inbox / "sgb2", f"SGB2_Wohnplaetze_{quarter.stichtag:%Y-%m}*.csv")


def _register(inbox: Path, quarter: Quarter, ags: str) -> Path:
    return _one(inbox / "melderegister", f"Melderegister_Bestand_{ags}_{quarter.stichtag.isoformat()}*.csv")


def _edit_lines(path: Path, encoding: str, edit) -> None:
    lines = path.read_bytes().decode(encoding).split("\r\n" if b"\r\n" in path.read_bytes() else "\n")
    newline = "\r\n" if b"\r\n" in path.read_bytes() else "\n"
    path.write_bytes(newline.join(edit(lines)).encode(encoding))


def _first_row_index(lines: list[str], starts: str) -> int:
    header = next(i for i, line in enumerate(lines) if line.startswith(starts))
    return header + 1


def write_defect(inbox: Path, kind: str, quarter: Quarter) -> Path:
    if kind == "wrong-encoding":
        path = _register(inbox, quarter, "05378008")
        path.write_bytes(path.read_bytes().decode("cp1252").encode("utf-8"))
        return path
    if kind == "unknown-street":
        path = _register(inbox, quarter, "05378008")

        def edit(lines):
            fields = lines[1].split(";")
            fields[7] = "99999"
            lines[1] = ";".join(fields)
            return lines
        _edit_lines(path, "cp1252", edit)
        return path
    if kind == "truncated":
        path = _register(inbox, quarter, "05378004")
        data = path.read_bytes()
        cut = int(len(data) * 0.6)
        while data[cut:cut + 1] in (b"\n", b"\r", b";"):
            cut += 1
        path.write_bytes(data[: cut + 5])
        return path
    if kind == "duplicate":
        path = _sgb2(inbox, quarter)
        copy = path.with_name(path.stem + "_Kopie" + path.suffix)
        shutil.copyfile(path, copy)
        return copy
    if kind == "period-mismatch":
        path = _sgb2(inbox, quarter)
        previous = _sgb2(inbox, quarter.previous())
        text = previous.read_bytes().decode("cp1252") + "Erneut exportiert\r\n"
        path.write_bytes(text.encode("cp1252"))
        return path
    path = _sgb2(inbox, quarter)
    if kind == "missing-column":
        def edit(lines):
            header_at = _first_row_index(lines, "Gebiet") - 1
            drop = lines[header_at].split(";").index("Regelleistungsberechtigte")
            for i in range(header_at, len(lines)):
                fields = lines[i].split(";")
                if len(fields) > drop and lines[i].strip():
                    del fields[drop]
                    lines[i] = ";".join(fields)
            return lines
    elif kind == "unknown-wohnplatz":
        def edit(lines):
            i = _first_row_index(lines, "Gebiet")
            fields = lines[i].split(";")
            fields[1] = "00899"
            lines[i] = ";".join(fields)
            return lines
    elif kind == "negative-count":
        def edit(lines):
            i = _first_row_index(lines, "Gebiet") + 2
            fields = lines[i].split(";")
            fields[4] = "-7"
            lines[i] = ";".join(fields)
            return lines
    else:
        raise ValueError(f"unknown defect kind {kind!r}; known: {', '.join(DEFECTS)}")
    _edit_lines(path, "cp1252", edit)
    return path
