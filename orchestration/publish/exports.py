"""The planners' exports, written with each publication from the published file (never beside it).

    write_exports(published_db, out_dir) -> {name: path}

builds, from one read-only connection to data/published/monitoring.duckdb (one consistent snapshot):
    Pflegeplanung.xlsx       mart_pflege + age and care indicators
    Jugendhilfeplanung.xlsx  mart_jugendhilfe + child, family and health indicators
    Sozialmonitoring.xlsx    every indicator by theme (mart_sozialmonitoring) + mart_sozialindex
    wohnplaetze.geojson      today's Wohnplätze in WGS84 with their latest indicators
Every workbook also has the sheets "Indikatoren" (the catalogue's definitions) and "Datenstand"
(publication log, checks, state per source). Each file is written to a temporary file in out_dir and
moved into place with os.replace, so a reader sees the old or the new export, never half of one.
The published file is opened read-only: an export that fails cannot change it. A failing export
leaves its previous file untouched, the others are still written, and ExportError names what failed.

Run by hand: python -m orchestration.publish.exports [PUBLISHED_DB] [OUT_DIR]
"""
from __future__ import annotations

import logging
import os
import pickle
import sys
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from orchestration.publish import export_data as data
from orchestration.publish.export_excel import TableSheet, workbook_bytes
from orchestration.publish.export_geojson import geojson_bytes, wohnplaetze_geojson

log = logging.getLogger(__name__)

PFLEGEPLANUNG = "Pflegeplanung.xlsx"
JUGENDHILFEPLANUNG = "Jugendhilfeplanung.xlsx"
SOZIALMONITORING = "Sozialmonitoring.xlsx"
WOHNPLAETZE_GEOJSON = "wohnplaetze.geojson"
TMP_PREFIX = ".export.tmp."

# indicators beside the planning marts (ids of the catalogue, .agents/INTERFACES.md)
PFLEGE_INDIKATOREN = ("einwohner", "anteil_65plus", "anteil_80plus", "altenquotient", "alleinlebende_65plus",
                      "alleinlebende_80plus", "grundsicherung_alter", "hilfe_zur_pflege", "pflegeheimplaetze_80plus",
                      "tagespflegeplaetze_80plus", "hausaerzte_je_10000", "apotheken_je_10000",
                      "nahversorgung_500m", "oepnv_300m")
JUGEND_INDIKATOREN = ("einwohner", "anteil_u6", "anteil_u18", "alleinerziehende_haushalte", "kinderarmut",
                      "alleinerziehende_bg", "sgb2_quote", "kita_versorgung_u3", "kita_versorgung_ue3", "hze_quote")
GESUNDHEIT_INDIKATOREN = ("seu_uebergewicht", "seu_sprachfoerderbedarf", "seu_masern", "seu_frueherkennung",
                          "kita_karies")


@dataclass(frozen=True)
class ExportResult:
    name: str
    path: Path
    size_bytes: int
    seconds: float


class ExportError(RuntimeError):
    def __init__(self, failures: dict[str, BaseException], written: list[ExportResult]):
        self.failures, self.written = failures, written
        lines = [f"{name}: {type(err).__name__}: {err}" for name, err in failures.items()]
        super().__init__("export failed (the published file is unchanged; the previous export of each "
                         "failed file is kept): " + "; ".join(lines))


# -- opening the publication -------------------------------------------------------------------------------
def open_published(published_db: Path) -> duckdb.DuckDBPyConnection:
    """Read-only, with no extension loading: the exports read plain tables only."""
    if not Path(published_db).is_file():
        raise FileNotFoundError(f"no published file at {published_db}; run a refresh first")
    return duckdb.connect(str(published_db), read_only=True,
                          config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})


def _stichtag_text(con) -> str:
    day = data.latest_stichtag(con)
    return day.strftime("%d.%m.%Y") if day else "unbekannt"


# -- the workbooks (content) ------------------------------------------------------------------------------
def pflegeplanung_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    cat, quellen, stand = data.catalogue(con), data.source_titles(con), _stichtag_text(con)
    title = f"Pflegeplanung: Kennzahlen je Wohnplatz, Kommune und Kreis · Stichtag {stand}"
    pflege = data.mart_sheet(con, "mart_pflege", "Pflege", title, cat)
    indikatoren = data.indicator_sheet(con, "Alter und Versorgung",
                                       f"Indikatoren zu Alter, Pflege und Versorgung · Stichtag {stand}",
                                       PFLEGE_INDIKATOREN, cat)
    return _workbook(con, "Pflegeplanung", [pflege, indikatoren], cat, quellen)


def jugendhilfeplanung_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    cat, quellen, stand = data.catalogue(con), data.source_titles(con), _stichtag_text(con)
    title = f"Jugendhilfeplanung: Kennzahlen je Wohnplatz, Kommune und Kreis · Stichtag {stand}"
    jugend = data.mart_sheet(con, "mart_jugendhilfe", "Jugendhilfe", title, cat)
    familie = data.indicator_sheet(con, "Kinder und Familien",
                                   f"Indikatoren zu Kindern, Familien und Jugendhilfe · Stichtag {stand}",
                                   JUGEND_INDIKATOREN, cat)
    gesundheit = data.indicator_sheet(con, "Gesundheit", f"Indikatoren zur Kindergesundheit · Stichtag {stand}",
                                      GESUNDHEIT_INDIKATOREN, cat)
    return _workbook(con, "Jugendhilfeplanung", [jugend, familie, gesundheit], cat, quellen)


def sozialmonitoring_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    cat, quellen, stand = data.catalogue(con), data.source_titles(con), _stichtag_text(con)
    sheets: list[TableSheet] = []
    for thema in dict.fromkeys(ind.thema for ind in cat.values()):
        ids = [i.indikator_id for i in cat.values() if i.thema == thema]
        sheets.append(data.indicator_sheet(con, thema, f"{thema}: Indikatoren je Wohnplatz, Kommune und Kreis "
                                                       f"· Stichtag {stand}", ids, cat))
    title = f"Sozialindex (Status, Dynamik, Handlungsbedarf) je Wohnplatz · Stichtag {stand}"
    sheets.append(data.mart_sheet(con, "mart_sozialindex", "Sozialindex", title, cat))
    return _workbook(con, "Sozialmonitoring", sheets, cat, quellen)


def _workbook(con, title: str, sheets: list[TableSheet], cat, quellen) -> bytes:
    used = _indicators_used(sheets, cat)
    explanation = data.indikatoren_sheet(cat, used, quellen)
    status = data.datenstand_sheet(con, cat, quellen)
    return workbook_bytes([*sheets, explanation, status], data.document_time(con), f"Sozialmonitoring – {title}")


def _indicators_used(sheets: list[TableSheet], cat) -> list[str]:
    """Indicators shown in the sheets (their own columns and columns derived from them)."""
    return list(dict.fromkeys(c.indikator_id for s in sheets for c in s.columns if c.indikator_id in cat))


def wohnplaetze_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    return geojson_bytes(wohnplaetze_geojson(con, data.catalogue(con)))


EXPORTS: dict[str, Callable[[duckdb.DuckDBPyConnection], bytes]] = {
    PFLEGEPLANUNG: pflegeplanung_bytes,
    JUGENDHILFEPLANUNG: jugendhilfeplanung_bytes,
    SOZIALMONITORING: sozialmonitoring_bytes,
    WOHNPLAETZE_GEOJSON: wohnplaetze_bytes,
}


# -- writing --------------------------------------------------------------------------------------------
def write_atomically(target: Path, content: bytes) -> None:
    """Temporary file in the target's directory, fsync, os.replace: the old or the new file, never half."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f"{TMP_PREFIX}{target.name}.{os.getpid()}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _export_one(con, name: str, out_dir: Path) -> ExportResult:
    t0 = time.perf_counter()
    content = EXPORTS[name](con)
    target = Path(out_dir) / name
    write_atomically(target, content)
    return ExportResult(name, target, len(content), time.perf_counter() - t0)


def _export_from_file(name: str, published_db: Path, out_dir: Path) -> ExportResult:
    con = open_published(published_db)
    try:
        return _export_one(con, name, out_dir)
    finally:
        con.close()


def write_pflegeplanung(published_db: Path, out_dir: Path) -> ExportResult:
    return _export_from_file(PFLEGEPLANUNG, published_db, out_dir)


def write_jugendhilfeplanung(published_db: Path, out_dir: Path) -> ExportResult:
    return _export_from_file(JUGENDHILFEPLANUNG, published_db, out_dir)


def write_sozialmonitoring(published_db: Path, out_dir: Path) -> ExportResult:
    return _export_from_file(SOZIALMONITORING, published_db, out_dir)


def write_wohnplaetze_geojson(published_db: Path, out_dir: Path) -> ExportResult:
    return _export_from_file(WOHNPLAETZE_GEOJSON, published_db, out_dir)


def clean_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of an export killed before its rename."""
    for stale in Path(out_dir).glob(f"{TMP_PREFIX}*"):
        stale.unlink(missing_ok=True)


def run_exports(published_db: Path, out_dir: Path, *, workers: int | None = None,
                pool: Executor | None = None) -> list[ExportResult]:
    """Every export of the published file; raises ExportError after trying all.

    The workbooks are written in parallel processes (openpyxl is pure Python and single-threaded: the three
    workbooks, ~770,000 cells, took 10 s one after the other). Each process opens the published file
    read-only; nothing else writes it meanwhile (one writer: the exports run after the publication in the
    same refresh, under the refresh lock), so all exports still come from one publication.
    `workers=1` writes them one after the other from one connection; `pool`: worker processes the run has
    already started (orchestration.defs.resources.WorkerProcesses).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(out_dir)
    workers = workers or min(len(EXPORTS), os.cpu_count() or 1)
    if workers <= 1:
        outcomes = _export_sequentially(published_db, out_dir)
    else:
        outcomes = _export_in_processes(published_db, out_dir, workers, pool)
    results = [o for o in outcomes.values() if isinstance(o, ExportResult)]
    failures = {name: o for name, o in outcomes.items() if isinstance(o, BaseException)}
    for r in results:
        log.info("export %s: %.1f KB in %.2f s", r.name, r.size_bytes / 1024, r.seconds)
    if failures:
        raise ExportError(failures, results)
    return results


def _export_sequentially(published_db: Path, out_dir: Path) -> dict[str, ExportResult | BaseException]:
    outcomes: dict[str, ExportResult | BaseException] = {}
    con = open_published(published_db)
    try:
        for name in EXPORTS:
            try:
                outcomes[name] = _export_one(con, name, out_dir)
            except Exception as err:  # noqa: BLE001 - one failed export must not stop the others
                log.exception("export %s failed", name)
                outcomes[name] = err
    finally:
        con.close()
    return outcomes


def _export_in_processes(published_db: Path, out_dir: Path, workers: int,
                         pool: Executor | None) -> dict[str, ExportResult | BaseException]:
    from functools import partial

    from orchestration.parallel import map_in_processes

    open_published(published_db).close()  # a missing or unreadable file fails here, once, with its own error
    # the biggest workbook first, so that the others fill the second worker meanwhile
    return map_in_processes(partial(_export_or_error, published_db=Path(published_db), out_dir=out_dir),
                            list(EXPORTS), workers=workers, first=(SOZIALMONITORING,), pool=pool)


def _export_or_error(name: str, published_db: Path, out_dir: Path) -> ExportResult | BaseException:
    """One export in a worker process; its error comes back as a value (with the message it had)."""
    try:
        return _export_from_file(name, published_db, out_dir)
    except Exception as err:  # noqa: BLE001 - reported by the parent with the other exports' outcome
        log.exception("export %s failed", name)
        try:
            pickle.dumps(err)
            return err
        except Exception:  # noqa: BLE001 - an exception that cannot cross the process boundary
            return RuntimeError(f"{type(err).__name__}: {err}")


def write_exports(published_db: Path, out_dir: Path) -> dict[str, Path]:
    """Write all exports of the publication into out_dir; {file name: path}. Sizes: path.stat().st_size."""
    return {r.name: r.path for r in run_exports(published_db, out_dir)}


def main(argv: list[str]) -> int:
    from orchestration.settings import get_settings

    settings = get_settings()
    published = Path(argv[0]) if argv else settings.published_db
    out_dir = Path(argv[1]) if len(argv) > 1 else published.parent
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    t0 = time.perf_counter()
    try:
        results = run_exports(published, out_dir)
    except ExportError as err:
        results = err.written
        print(err, file=sys.stderr)
    for r in results:
        print(f"{r.name:28s} {r.size_bytes / 1024:9.1f} KB {r.seconds:7.2f} s  {r.path}")
    print(f"total {time.perf_counter() - t0:.2f} s")
    return 0 if len(results) == len(EXPORTS) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
