"""Write, audit, publish: the published file is replaced by one atomic rename, or not at all.

The new publication is written completely into a temporary file beside the published one, verified by
reading it back, and only then moved into place with `os.replace` (atomic on POSIX within a directory).
A reader that has the old file open keeps its inode and reads the old data undisturbed; a run killed at
any point leaves the previous file in place (at worst a stray temporary file, cleaned up next time).
The previous publication is kept in history/ as a hard link (no copy), the last 8 of them.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import duckdb

from orchestration.settings import Settings, get_settings

HISTORY_KEEP = 8
CORE_TABLES = ("dim_wohnplatz", "dim_kommune", "dim_stichtag", "dim_indikator", "dim_quelle", "dim_lieferung")
TMP_PREFIX = ".monitoring.tmp."

DATENQUALITAET_COLUMNS = {
    "publikation_id": "VARCHAR", "ebene": "VARCHAR", "quelle": "VARCHAR", "objekt": "VARCHAR",
    "pruefung": "VARCHAR", "schweregrad": "VARCHAR", "status": "VARCHAR", "beschreibung": "VARCHAR",
    "details": "VARCHAR",
}


@dataclass(frozen=True)
class PublicationResult:
    publikation_id: str
    path: Path
    stichtag: str | None
    tables: dict[str, int]
    previous_in_history: Path | None
    seconds: float


def code_version(project_root: Path) -> str:
    """The git commit the code ran from (with '+dirty' when changed), else the package version."""
    try:
        sha = subprocess.run(["git", "-C", str(project_root), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        if sha.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(project_root), "status", "--porcelain", "--untracked-files=no"],
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            return sha.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import version

    return f"sozialmonitor {version('sozialmonitor')}"


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) pairs to publish: every mart and the conformed dimensions. Never raw or facts."""
    rows = con.execute(
        """SELECT table_schema, table_name FROM information_schema.tables
           WHERE table_catalog = 'wh' AND ((table_schema = 'marts' AND starts_with(table_name, 'mart_'))
              OR (table_schema = 'core' AND table_name IN (SELECT unnest(?))))
           ORDER BY table_schema, table_name""", [list(CORE_TABLES)]).fetchall()
    return [(r[0], r[1]) for r in rows]


def _order_by(con, schema: str, table: str) -> str:
    """Deterministic row order (so re-publishing the same data gives the same content)."""
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'wh' AND table_schema = ? "
        "AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()]
    return ", ".join(f'"{c}"' for c in cols[:6]) if cols else "ALL"


def write_candidate(settings: Settings, target: Path, publication_row: dict, quality_rows: Sequence[dict],
                    extra_tables: dict[str, "object"] | None = None) -> dict[str, int]:
    """Build the complete new publication in `target` (a temporary file) from the audited warehouse."""
    con = duckdb.connect(str(target))
    counts: dict[str, int] = {}
    try:
        con.execute(f"ATTACH '{settings.warehouse}' AS wh (READ_ONLY)")
        for schema, table in _published_tables(con):
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM wh.{schema}."{table}" ORDER BY {_order_by(con, schema, table)}')
            counts[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        _write_quality(con, publication_row["publikation_id"], quality_rows)
        counts["mart_datenqualitaet"] = len(quality_rows)
        for name, frame in (extra_tables or {}).items():
            con.register("_extra", frame)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _extra')
            con.unregister("_extra")
            counts[name] = len(frame)
        _write_publication_log(con, settings, publication_row)
        counts["publikation"] = con.execute("SELECT count(*) FROM publikation").fetchone()[0]
        con.execute("DETACH wh")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return counts


def _write_quality(con, publikation_id: str, rows: Sequence[dict]) -> None:
    cols = ", ".join(f"{c} {t}" for c, t in DATENQUALITAET_COLUMNS.items())
    con.execute(f"CREATE TABLE mart_datenqualitaet ({cols})")
    if rows:
        # one statement with a list per column: executemany runs the INSERT once per row (0.3 s for 520 checks)
        columns = [[publikation_id if c == "publikation_id" else _text(r.get(c)) for r in rows]
                   for c in DATENQUALITAET_COLUMNS]
        unnested = ", ".join(f"unnest(${i + 1}::VARCHAR[])" for i in range(len(columns)))
        con.execute(f"INSERT INTO mart_datenqualitaet SELECT {unnested}", columns)


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


PUBLIKATION_COLUMNS = {
    "publikation_id": "VARCHAR", "veroeffentlicht_am": "TIMESTAMP", "stichtag": "DATE", "quartal": "VARCHAR",
    "fenster_von": "VARCHAR", "fenster_bis": "VARCHAR", "lauf_id": "VARCHAR", "code_version": "VARCHAR",
    "pruefungen": "INTEGER", "pruefungen_bestanden": "INTEGER", "warnungen": "INTEGER",
    "pruefungen_zusammenfassung": "VARCHAR", "lieferungen": "VARCHAR",
}


def _write_publication_log(con, settings: Settings, row: dict) -> None:
    """The log of every publication so far: the previous file's log plus this one."""
    cols = ", ".join(f"{c} {t}" for c, t in PUBLIKATION_COLUMNS.items())
    con.execute(f"CREATE TABLE publikation ({cols})")
    previous = settings.published_db
    if previous.exists():
        try:
            con.execute(f"ATTACH '{previous}' AS alt (READ_ONLY)")
            has_log = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'alt' "
                                  "AND table_name = 'publikation'").fetchone()[0]
            if has_log:
                common = [c for c in PUBLIKATION_COLUMNS if c in {r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'alt' "
                    "AND table_name = 'publikation'").fetchall()}]
                names = ", ".join(common)
                con.execute(f"INSERT INTO publikation ({names}) SELECT {names} FROM alt.publikation")
            con.execute("DETACH alt")
        except duckdb.Error:
            pass  # an unreadable old file must not block a new, verified publication
    con.execute(f"INSERT INTO publikation VALUES ({', '.join('?' for _ in PUBLIKATION_COLUMNS)})",
                [_text(row.get(c)) if c in ("pruefungen_zusammenfassung", "lieferungen") else row.get(c)
                 for c in PUBLIKATION_COLUMNS])


def verify_candidate(path: Path, expected: dict[str, int]) -> None:
    """Read the candidate back through a fresh read-only connection before anyone can see it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table, rows in expected.items():
            actual = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if actual != rows:
                raise RuntimeError(f"publication candidate {path.name}: {table} has {actual} rows, expected {rows}")
    finally:
        con.close()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def history_entries(settings: Settings) -> list[Path]:
    folder = settings.publication_history
    return sorted(folder.glob("monitoring_*.duckdb")) if folder.is_dir() else []


def _history_name(settings: Settings) -> str | None:
    """History file name of the currently published file, from its own log: stichtag and run id."""
    try:
        con = duckdb.connect(str(settings.published_db), read_only=True)
        try:
            row = con.execute("SELECT stichtag, lauf_id, veroeffentlicht_am FROM publikation "
                              "ORDER BY veroeffentlicht_am DESC LIMIT 1").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        row = None
    if not row:
        return f"monitoring_{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}_unbekannt.duckdb"
    return f"monitoring_{row[2]:%Y%m%dT%H%M%S%f}_{row[0]}_{row[1][:8]}.duckdb"


def keep_previous_in_history(settings: Settings) -> Path | None:
    """Hard-link the current publication into history/ (same inode: free, and readers are unaffected)."""
    current = settings.published_db
    if not current.exists():
        return None
    folder = settings.publication_history
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _history_name(settings)
    if not target.exists():
        try:
            os.link(current, target)
        except OSError:
            import shutil

            shutil.copy2(current, target)
    for old in history_entries(settings)[:-HISTORY_KEEP]:
        old.unlink(missing_ok=True)
    return target


def swap_into_place(candidate: Path, settings: Settings) -> None:
    """The one atomic step: rename the verified candidate over the published file."""
    _fsync_file(candidate)
    os.chmod(candidate, 0o444)  # planners read; nobody writes the published file in place
    os.replace(candidate, settings.published_db)
    _fsync_dir(settings.published_dir)


def clean_stale_candidates(settings: Settings) -> list[Path]:
    """Temporary files of runs that were killed before their swap."""
    removed = []
    for stale in settings.published_dir.glob(f"{TMP_PREFIX}*"):
        stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed


def publish(settings: Settings | None, publication_row: dict, quality_rows: Sequence[dict],
            extra_tables: dict | None = None) -> PublicationResult:
    import time

    settings = settings or get_settings()
    t0 = time.perf_counter()
    if not publication_row.get("veroeffentlicht_am"):
        publication_row = {**publication_row, "veroeffentlicht_am": datetime.now(timezone.utc).replace(tzinfo=None)}
    settings.published_dir.mkdir(parents=True, exist_ok=True)
    clean_stale_candidates(settings)
    candidate = settings.published_dir / f"{TMP_PREFIX}{publication_row['publikation_id']}.duckdb"
    counts = write_candidate(settings, candidate, publication_row, quality_rows, extra_tables)
    digest = _digest_into(candidate, settings, counts)
    verify_candidate(candidate, counts)
    previous = keep_previous_in_history(settings)
    swap_into_place(candidate, settings)
    if digest is not None:
        from orchestration.planning.digest import write_digest_file

        write_digest_file(digest, settings.published_dir)
    return PublicationResult(publication_row["publikation_id"], settings.published_db,
                             str(publication_row.get("stichtag")), counts, previous, time.perf_counter() - t0)


def _digest_into(candidate: Path, settings: Settings, counts: dict[str, int]):
    """The change digest (`veraenderungen`) against the file still published; only for full publications."""
    con = duckdb.connect(str(candidate), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    if not {"mart_sozialindex", "mart_indikatoren", "dim_indikator"} <= tables:
        return None
    from orchestration.planning.digest import add_digest_table, build_digest

    previous = settings.published_db if settings.published_db.exists() else None
    digest = build_digest(previous, candidate)
    counts["veraenderungen"] = add_digest_table(candidate, digest)
    return digest


def rollback(settings: Settings | None = None, to: str | None = None) -> Path:
    """Put a previous publication back in place (the newest in history, or the one whose run id starts with `to`)."""
    settings = settings or get_settings()
    entries = history_entries(settings)
    if to:
        entries = [e for e in entries if re.search(rf"_{re.escape(to[:8])}[^_]*\.duckdb$", e.name) or to in e.name]
    if not entries:
        raise FileNotFoundError(
            f"no publication in {settings.publication_history}" + (f" matching '{to}'" if to else "")
            + "; `sozialmonitor status` lists the history")
    chosen = entries[-1]
    keep_previous_in_history(settings)
    candidate = settings.published_dir / f"{TMP_PREFIX}rollback.duckdb"
    import shutil

    shutil.copy2(chosen, candidate)
    os.chmod(candidate, 0o644)
    swap_into_place(candidate, settings)
    # the readable digest beside the file must describe the file now in place, not the one rolled back
    (settings.published_dir / "veraenderungen.md").write_text(
        f"# Veränderungen\n\nZurückgesetzt auf die Veröffentlichung {chosen.name}; die Veränderungen dieser "
        "Veröffentlichung stehen in ihrer Tabelle `veraenderungen`.\n", encoding="utf-8")
    return chosen


def delivery_hashes(settings: Settings) -> list[dict]:
    """Every delivery file the warehouse holds (source, period, part, file, hash): the publication's lineage."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        rows = con.execute("SELECT quelle, periode, teil, datei, lieferung_id FROM raw.lieferungen "
                           "ORDER BY quelle, periode, teil, datei").fetchall()
    finally:
        con.close()
    return [dict(zip(("quelle", "periode", "teil", "datei", "sha256"), r)) for r in rows]


def iter_tables(path: Path) -> Iterable[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield from (r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall())
    finally:
        con.close()
