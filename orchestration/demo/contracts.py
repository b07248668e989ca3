"""Read the source contracts (orchestration/sources/*.yaml) so that the generator writes exactly the
column names, encodings and separators the extraction expects; a contract change shows up here."""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

SOURCES_DIR = Path(__file__).resolve().parent.parent / "sources"


@functools.cache
def contract(source: str) -> dict[str, Any]:
    with open(SOURCES_DIR / f"{source}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def columns(table: str, source: str | None = None) -> list[dict[str, Any]]:
    return contract(source or table)["tabellen"][table]["spalten"]


def headers(table: str, source: str | None = None) -> list[str]:
    """The German column names (`quelle`) of a contract table, in contract order."""
    return [c["quelle"] for c in columns(table, source)]


def file_spec(source: str, table: str) -> dict[str, Any]:
    """The `dateien` entry of a source that delivers `table` (sheets of a workbook included)."""
    for spec in contract(source)["dateien"]:
        if spec.get("tabelle") == table:
            return spec
        for sheet in spec.get("blaetter", ()):
            if sheet["tabelle"] == table:
                return {**spec, **sheet}
    raise KeyError(f"contract {source} has no file for table {table}")


def check_file_name(source: str, table: str, name: str) -> str:
    """Fail early if a generated file name would not be recognised by the extraction."""
    pattern = file_spec(source, table)["muster"]
    if not re.match(pattern, name):
        raise ValueError(f"{name!r} does not match the {source} contract pattern {pattern!r}")
    return name


def all_sources() -> list[str]:
    return sorted(p.stem for p in SOURCES_DIR.glob("*.yaml"))
