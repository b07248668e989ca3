"""Reading the published file (data/published/monitoring.duckdb): read-only, never beside it.

Every planning product reads the published tables only, so that a profile, a priority list or a digest
never shows a number the publication did not (suppression is applied once, in the marts).
"""
from __future__ import annotations

import difflib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb


class PublicationMissing(FileNotFoundError):
    """There is no published file (yet) where one was expected."""


class UnknownWohnplatz(LookupError):
    """A Wohnplatz id or name that is not in today's scheme (or a name that is ambiguous)."""


@contextmanager
def read_published(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; a reader keeps its snapshot even if a new publication is swapped in."""
    path = Path(path)
    if not path.exists():
        raise PublicationMissing(f"no published file at {path}: run the refresh (sozialmonitor refresh) first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def sql_path(path: Path | str) -> str:
    """A path as a SQL string literal (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def table_names(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> set[str]:
    if catalog is None:
        catalog = con.execute("SELECT current_database()").fetchone()[0]
    rows = con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = ? "
                       "AND table_schema = 'main'", [catalog]).fetchall()
    return {r[0] for r in rows}


def column_names(con: duckdb.DuckDBPyConnection, table: str, catalog: str | None = None) -> list[str]:
    if catalog is None:
        catalog = con.execute("SELECT current_database()").fetchone()[0]
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_catalog = ? "
                       "AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                       [catalog, table]).fetchall()
    return [r[0] for r in rows]


def latest_publication(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> dict | None:
    """The file's own entry in its publication log (the newest row), or None for a file without a log."""
    prefix = f"{catalog}." if catalog else ""
    if "publikation" not in table_names(con, catalog):
        return None
    frame = con.execute(f"SELECT * FROM {prefix}publikation ORDER BY veroeffentlicht_am DESC NULLS LAST LIMIT 1").df()
    if frame.empty:
        return None
    return {k: (None if v is None or v != v else v) for k, v in frame.iloc[0].to_dict().items()}


def newest_stichtag(con: duckdb.DuckDBPyConnection, catalog: str | None = None):
    prefix = f"{catalog}." if catalog else ""
    return con.execute(f"SELECT max(stichtag) FROM {prefix}mart_indikatoren").fetchone()[0]


@dataclass(frozen=True)
class Wohnplatz:
    wohnplatz_id: str
    name: str
    ags: str
    kommune_name: str
    flaeche_km2: float | None


def current_wohnplaetze(con: duckdb.DuckDBPyConnection) -> list[Wohnplatz]:
    """Today's Wohnplätze (dim_wohnplatz.ist_aktuell) with their municipality, in id order."""
    rows = con.execute(
        """SELECT w.wohnplatz_id, w.name, w.ags, coalesce(k.name, w.ags), w.flaeche_km2
           FROM dim_wohnplatz w LEFT JOIN dim_kommune k ON k.ags = w.ags
           WHERE w.ist_aktuell ORDER BY w.wohnplatz_id""").fetchall()
    return [Wohnplatz(*r) for r in rows]


def resolve_wohnplatz(con: duckdb.DuckDBPyConnection, text: str) -> Wohnplatz:
    """A current Wohnplatz by id ('00801') or name ('Zentrum Nord', case-insensitive; 'Name (Kommune)' too)."""
    wanted = text.strip()
    areas = current_wohnplaetze(con)
    by_id = {w.wohnplatz_id: w for w in areas}
    if wanted in by_id:
        return by_id[wanted]
    if wanted.isdigit() and wanted.zfill(5) in by_id:
        return by_id[wanted.zfill(5)]
    key = wanted.casefold()
    matches = [w for w in areas if w.name.casefold() == key or f"{w.name} ({w.kommune_name})".casefold() == key]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        choices = ", ".join(f"{w.wohnplatz_id} {w.name} ({w.kommune_name})" for w in matches)
        raise UnknownWohnplatz(f"'{text}' is ambiguous: {choices}; give the id")
    close = difflib.get_close_matches(key, [w.name.casefold() for w in areas], n=3, cutoff=0.6)
    hint = [f"{w.wohnplatz_id} {w.name}" for w in areas if w.name.casefold() in close]
    raise UnknownWohnplatz(f"no current Wohnplatz '{text}'" + (f"; did you mean: {', '.join(hint)}?" if hint else
                                                               f" ({len(areas)} Wohnplätze in the publication)"))
