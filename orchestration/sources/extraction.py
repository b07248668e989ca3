"""Take a source's deliveries from the inbox into `raw`: find, check, decode, protect, load, or quarantine.

The rules every source shares live here; a source's module adds only its own checks (period claims,
reference keys, plausibility). A delivery is all or nothing: it is checked completely before a single
row is written, and its rows replace the period's previous rows inside one transaction, so a crash
leaves either the old or the new delivery in raw, never a mix.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Collection, Iterable, Protocol

import duckdb

from orchestration.periods import Quarter
from orchestration.settings import Settings, pseudonym_key
from orchestration.sources.contract import Contract, FileSpec
from orchestration.sources.problems import DeliveryRejected, Violation
from orchestration.sources.readers import Incoming, drop_incoming, read_delivery
from orchestration.sources.pseudonym import padded_keys
from orchestration.sources.validate import (
    BoundColumn,
    bind_columns,
    check_cells,
    raw_expressions,
)

Log = Callable[[str], None]


# ------------------------------------------------------------------ deliveries and their periods


@dataclass(frozen=True)
class Delivery:
    path: Path
    contract: Contract
    spec: FileSpec
    periode: str  # '2024-Q4' or, for versioned reference data, the Gebietsstand '2021-01-01'
    stichtag: date  # the Stichtag of dim_stichtag (or the Gebietsstand)
    bezugsdatum: date  # the date the file claims
    teil: str  # part of a period delivered in several files (the register: AGS), else ''
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def quarter(self) -> Quarter | None:
        return Quarter.parse(self.periode) if self.contract.partitioned else None

    @property
    def slot(self) -> tuple[str, str, str, str]:
        """What a delivery replaces: same source, file kind, period and part."""
        return (self.contract.id, self.spec.muster, self.periode, self.teil)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


_MONTH_END = {3: 31, 6: 30, 9: 30, 12: 31}


def period_of(contract: Contract, spec: FileSpec, groups: dict[str, str]) -> tuple[str, date, date]:
    """(periode, stichtag, bezugsdatum) claimed by the file name."""
    kind = spec.periode
    if kind == "gebietsstand":
        day = date.fromisoformat(groups["datum"])
        return day.isoformat(), day, day
    if kind == "stichtag":
        day = date.fromisoformat(groups["datum"])
        quarter = Quarter.containing(day)
        return quarter.label, quarter.stichtag, day
    if kind == "berichtsmonat":
        year, month = map(int, groups["monat"].split("-"))
        quarter = Quarter.containing(date(year, month, 1))
        return quarter.label, quarter.stichtag, date(year, month, _MONTH_END.get(month, 28))
    if kind == "quartal":
        quarter = Quarter.parse(groups["quartal"])
        return quarter.label, quarter.stichtag, quarter.stichtag
    if kind == "jahr":
        year = int(groups["jahr"])
        quarter = Quarter(year, contract.bezugsquartal or 4)
        return quarter.label, quarter.stichtag, date(year, 12, 31)
    if kind == "schuljahr":
        first, _ = groups["schuljahr"].split("-")
        end_year = int(first) + 1
        quarter = Quarter(end_year, contract.bezugsquartal or 2)
        return quarter.label, quarter.stichtag, date(end_year, 7, 31)
    raise ValueError(kind)


def is_due(contract: Contract, quarter: Quarter) -> bool:
    """Whether the office owes a delivery for this quarter."""
    if contract.turnus == "quartal":
        return True
    if contract.turnus in ("jahr", "schuljahr"):
        return quarter.q == (contract.bezugsquartal or 4)
    return False


def discover(contract: Contract, inbox: Path,
             periods: Collection[str] | None = None) -> tuple[list[Delivery], list[str]]:
    """Every file in the source's inbox folder that names itself as one of its deliveries.

    `periods`: only deliveries of these periods (`2026-Q3`) are returned and read. A refresh of one quarter
    then hashes that quarter's files, not the whole history's (1.07 GB of the demo inbox: 0.6 s of a
    quarter's refresh, more where the page cache does not hold them). Names that match no file pattern
    are reported whatever the period.
    """
    folder = inbox / contract.id
    deliveries, unrecognised = [], []
    if not folder.is_dir():
        return deliveries, unrecognised
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_"))):
        matched = contract.match_file(path.name)
        if matched is None:
            unrecognised.append(path.name)
            continue
        spec, groups = matched
        try:
            periode, stichtag, bezugsdatum = period_of(contract, spec, groups)
        except ValueError as exc:
            unrecognised.append(f"{path.name} ({exc})")
            continue
        if periods is not None and periode not in periods:
            continue
        teil = groups.get(contract.teil_aus_datei, "") if contract.teil_aus_datei else ""
        deliveries.append(Delivery(path, contract, spec, periode, stichtag, bezugsdatum, teil, file_sha256(path)))
    return deliveries, unrecognised


# ------------------------------------------------------------------ source-specific checks


@dataclass
class CheckContext:
    """What a source's own checks may look at: the delivery as text, and what raw already holds."""

    con: duckdb.DuckDBPyConnection
    delivery: Delivery
    incoming: dict[str, Incoming]  # contract table -> text table
    bound: dict[str, dict[str, BoundColumn]]  # contract table -> raw column name -> binding

    def column(self, table: str, name: str) -> BoundColumn:
        return self.bound[table][name]

    def first_violation(self, table: str, predicate: str, rule: str, message: str,
                        column: str | None = None, value_sql: str | None = None) -> Violation | None:
        """Locate the first row of `table` where `predicate` holds (SQL over the text table)."""
        relation = self.incoming[table].relation
        value = value_sql or "NULL"
        row = self.con.execute(
            f"SELECT count(*), arg_min(_zeile, _zeile), CAST(arg_min({value}, _zeile) AS VARCHAR) "
            f"FROM {relation} WHERE {predicate}").fetchone()
        if not row[0]:
            return None
        return Violation(rule, message, row=row[1], column=column, value=row[2] if value_sql else None, count=row[0])


class SourceChecks(Protocol):
    def __call__(self, ctx: CheckContext) -> Iterable[Violation | None]: ...


# ------------------------------------------------------------------ outcome of a run


@dataclass
class FileOutcome:
    file: str
    periode: str
    teil: str
    sha256: str
    status: str  # geladen | unveraendert | quarantaene | duplikat | konflikt
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    quarantine_reason: str | None = None


@dataclass
class ExtractionReport:
    source: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # due deliveries not in the inbox
    unrecognised: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status in ("quarantaene", "konflikt")]

    @property
    def loaded(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "geladen"]

    def rows_loaded(self) -> int:
        return sum(sum(o.rows.values()) for o in self.loaded)


# ------------------------------------------------------------------ writing raw


LIEFERUNGEN_DDL = """
CREATE TABLE IF NOT EXISTS raw.lieferungen (
    lieferung_id VARCHAR, quelle VARCHAR, tabelle VARCHAR, datei VARCHAR, periode VARCHAR,
    stichtag DATE, bezugsdatum DATE, teil VARCHAR, zeilen INTEGER, geladen_am TIMESTAMP, lauf_id VARCHAR)
"""


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract, table: str) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(LIEFERUNGEN_DDL)
    schema = contract.raw_schema(table)
    columns = ", ".join(f'"{name}" {typ}' for name, typ in schema)
    con.execute(f"CREATE TABLE IF NOT EXISTS raw.{table} ({columns})")
    existing = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?",
        [table]).fetchall()}
    for name, typ in schema:  # a contract that gained an optional column
        if name not in existing:
            con.execute(f'ALTER TABLE raw.{table} ADD COLUMN "{name}" {typ}')


def loaded_hashes(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, tuple[str, str, str]]:
    """sha256 -> (periode, teil, datei) of the deliveries raw currently holds for the source."""
    if not _table_exists(con, "raw", "lieferungen"):
        return {}
    rows = con.execute(
        "SELECT DISTINCT lieferung_id, periode, teil, datei FROM raw.lieferungen WHERE quelle = ?", [source]).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table]).fetchone()[0])


def write_raw(con: duckdb.DuckDBPyConnection, delivery: Delivery, incoming: dict[str, Incoming],
              bound: dict[str, dict[str, BoundColumn]], run_id: str, loaded_at: datetime,
              key_params: dict[str, bytes] | None = None) -> dict[str, int]:
    """Replace the period's (and part's) rows of every table of the delivery, in one transaction.
    `key_params` are the padded pseudonymisation keys (pseudonym.padded_keys) when a column needs them."""
    contract = delivery.contract
    rows: dict[str, int] = {}
    for table in incoming:
        ensure_raw_table(con, contract, table)
    con.execute("BEGIN TRANSACTION")
    try:
        for table, inc in incoming.items():
            selects, names = [], []
            for b in bound[table].values():
                for name, expr in raw_expressions(b, delivery.spec):
                    names.append(name)
                    selects.append(f"{expr} AS \"{name}\"")
            if contract.teil_aus_datei:
                names.append(contract.teil_aus_datei)
                selects.append("$teil")
            lineage = {
                "_lieferung_id": "$sha", "_quelle": "$quelle", "_datei": "$datei", "_periode": "$periode",
                "_stichtag": "CAST($stichtag AS DATE)", "_bezugsdatum": "CAST($bezugsdatum AS DATE)",
                "_zeile": "_zeile", "_geladen_am": "CAST($geladen_am AS TIMESTAMP)", "_lauf_id": "$lauf_id",
            }
            names.extend(lineage)
            selects.extend(lineage.values())
            params = {
                "sha": delivery.sha256, "quelle": contract.id, "datei": delivery.name,
                "periode": delivery.periode, "stichtag": delivery.stichtag.isoformat(),
                "bezugsdatum": delivery.bezugsdatum.isoformat(), "geladen_am": loaded_at.isoformat(),
                "lauf_id": run_id,
            }
            if contract.teil_aus_datei:
                params["teil"] = delivery.teil
            if any(b.column.schutz == "pseudonymisieren" for b in bound[table].values()):
                params.update(key_params if key_params is not None else padded_keys(pseudonym_key()))
            delete_where = "_periode = ?" + (f" AND {contract.teil_aus_datei} = ?" if contract.teil_aus_datei else "")
            delete_args = [delivery.periode] + ([delivery.teil] if contract.teil_aus_datei else [])
            con.execute(f"DELETE FROM raw.{table} WHERE {delete_where}", delete_args)
            column_list = ", ".join(f'"{n}"' for n in names)
            con.execute(
                f"INSERT INTO raw.{table} ({column_list}) SELECT {', '.join(selects)} FROM {inc.relation}",
                params)
            rows[table] = inc.rows
            con.execute("DELETE FROM raw.lieferungen WHERE quelle = ? AND tabelle = ? AND periode = ? AND teil = ?",
                        [contract.id, table, delivery.periode, delivery.teil])
            con.execute(
                "INSERT INTO raw.lieferungen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [delivery.sha256, contract.id, table, delivery.name, delivery.periode, delivery.stichtag,
                 delivery.bezugsdatum, delivery.teil, inc.rows, loaded_at, run_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows


def _needs_key(contract: Contract) -> bool:
    return any(c.schutz == "pseudonymisieren" for t in contract.tabellen.values() for c in t.columns)


# ------------------------------------------------------------------ quarantine


def quarantine(delivery: Delivery, quarantine_dir: Path, violations: list[Violation], run_id: str,
               stamp: str, what_to_do: str) -> Path:
    """Move the file out of the inbox and leave a reason beside it (text for people, JSON for tools)."""
    folder = quarantine_dir / delivery.contract.id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stamp}__{delivery.name}"
    shutil.move(str(delivery.path), target)
    reason = {
        "quelle": delivery.contract.id,
        "amt": delivery.contract.amt,
        "datei": delivery.name,
        "sha256": delivery.sha256,
        "periode": delivery.periode,
        "teil": delivery.teil,
        "lauf_id": run_id,
        "zeitpunkt": stamp,
        "probleme": [asdict(v) | {"text": v.render()} for v in violations],
        "was_tun": what_to_do,
    }
    Path(f"{target}.grund.json").write_text(json.dumps(reason, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [
        f"Delivery rejected: {delivery.name}",
        f"Source: {delivery.contract.titel} ({delivery.contract.id}), office: {delivery.contract.amt}",
        f"Period: {delivery.periode}{' / ' + delivery.teil if delivery.teil else ''}   sha256: {delivery.sha256}",
        f"Run: {run_id}   at: {stamp}",
        "",
        "Problems:",
        *[f"  - {v.render()}" for v in violations],
        "",
        f"What to do: {what_to_do}",
    ]
    Path(f"{target}.grund.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


# ------------------------------------------------------------------ the extraction of one source


class SourceExtraction:
    """Runs one source over a set of quarters (or all versions, for reference data)."""

    def __init__(self, contract: Contract, checks: SourceChecks | None, settings: Settings, run_id: str,
                 log: Log = print, prepare: Callable[[CheckContext], None] | None = None):
        self.contract = contract
        self.checks = checks
        self.prepare = prepare
        self.settings = settings
        self.run_id = run_id
        self.log = log
        self.started = datetime.now(timezone.utc).replace(tzinfo=None)
        self.stamp = self.started.strftime("%Y%m%dT%H%M%S")

    def what_to_do(self, delivery: Delivery) -> str:
        return (f"ask {self.contract.amt} for a corrected delivery, put it into "
                f"{self.settings.inbox / self.contract.id}/ and re-run the refresh for "
                f"{delivery.periode} (sozialmonitor refresh --quarter {delivery.periode})"
                if self.contract.partitioned else
                f"ask {self.contract.amt} for a corrected file, put it into {self.settings.inbox / self.contract.id}/ "
                "and re-run the refresh")

    def run(self, con: duckdb.DuckDBPyConnection, quarters: list[Quarter] | None) -> ExtractionReport:
        import time

        t0 = time.perf_counter()
        for table in self.contract.tabellen:  # every contract table exists, even before its first delivery
            ensure_raw_table(con, self.contract, table)
        self.key_params = padded_keys(pseudonym_key()) if _needs_key(self.contract) else None
        report = ExtractionReport(self.contract.id)
        wanted = {q.label for q in quarters} if quarters is not None and self.contract.partitioned else None
        deliveries, report.unrecognised = discover(self.contract, self.settings.inbox, periods=wanted)
        if wanted is not None:
            report.missing = self._missing(deliveries, quarters)
        known = loaded_hashes(con, self.contract.id)
        for slot_deliveries in _group_by_slot(deliveries):
            for delivery, duplicate_of in _resolve_duplicates(slot_deliveries):
                if duplicate_of is not None:
                    report.outcomes.append(self._quarantine_duplicate(delivery, duplicate_of))
                    continue
                report.outcomes.append(self._one(con, delivery, known, conflicts=[
                    d for d in slot_deliveries if d.sha256 != delivery.sha256]))
        report.seconds = time.perf_counter() - t0
        return report

    def _missing(self, deliveries: list[Delivery], quarters: list[Quarter]) -> list[str]:
        present = {(d.periode, d.spec.muster) for d in deliveries}
        missing = []
        for q in quarters:
            if not is_due(self.contract, q):
                continue
            for spec in self.contract.dateien:
                if (q.label, spec.muster) not in present:
                    missing.append(f"{q.label}: {spec.muster}")
        return missing

    def _quarantine_duplicate(self, delivery: Delivery, original: Delivery) -> FileOutcome:
        violation = Violation(
            "duplicate", f"identical content (sha256) to '{original.name}' for {original.periode}; "
            "the same delivery arrived twice and is counted once")
        target = quarantine(delivery, self.settings.quarantine, [violation], self.run_id, self.stamp,
                            "nothing: the original is loaded; delete the copy from the quarantine")
        self.log(f"{delivery.name}: duplicate of {original.name}, moved to {target}")
        return FileOutcome(delivery.name, delivery.periode, delivery.teil, delivery.sha256, "duplikat",
                           problems=[violation.render()], quarantine_reason=f"{target}.grund.txt")

    def _one(self, con, delivery: Delivery, known: dict[str, tuple[str, str, str]],
             conflicts: list[Delivery]) -> FileOutcome:
        outcome = FileOutcome(delivery.name, delivery.periode, delivery.teil, delivery.sha256, "geladen")
        if conflicts:
            outcome.status = "konflikt"
            outcome.problems = [
                f"two different deliveries for {delivery.periode}{' ' + delivery.teil if delivery.teil else ''}: "
                f"'{delivery.name}' and " + ", ".join(f"'{c.name}'" for c in conflicts)
                + "; keep only the right one in the inbox (a correction replaces the old file)"]
            return outcome
        if delivery.sha256 in known:
            periode, teil, datei = known[delivery.sha256]
            if (periode, teil) == (delivery.periode, delivery.teil):
                outcome.status = "unveraendert"
                return outcome
            # Identical bytes for another period: an unchanged inventory (bus stops) is legitimate; an old
            # table under a new name fails the content's own period claim below. Say it either way.
            outcome.problems.append(f"identical content (sha256) to '{datei}', loaded for {periode}"
                                    f"{' ' + teil if teil else ''}: the office sent the same file again")
        prefix = f"eingang_{self.contract.id}"
        try:
            incoming_list = read_delivery(con, delivery.path, delivery.spec, self.contract, prefix)
        except DeliveryRejected as rejected:
            return self._reject(delivery, outcome, rejected.violations)
        incoming = {inc.table.name: inc for inc in incoming_list}
        violations: list[Violation] = []
        bound: dict[str, dict[str, BoundColumn]] = {}
        for table, inc in incoming.items():
            violations.extend(inc.violations)
            columns, missing = bind_columns(inc)
            violations.extend(missing)
            bound[table] = {b.column.name: b for b in columns}
        ctx = CheckContext(con, delivery, incoming, bound)
        if not violations and self.prepare is not None:
            self.prepare(ctx)
        if not any(v.rule == "missing_column" for v in violations):
            for table, inc in incoming.items():
                violations.extend(check_cells(con, inc, list(bound[table].values()), delivery.spec))
            if not violations and self.checks is not None:
                violations.extend(v for v in self.checks(ctx) if v is not None)
        if violations:
            return self._reject(delivery, outcome, violations)
        outcome.rows = write_raw(con, delivery, incoming, bound, self.run_id, self.started, self.key_params)
        for inc in incoming_list:
            drop_incoming(con, inc.relation)
        self.log(f"{delivery.name}: loaded {sum(outcome.rows.values())} rows into raw "
                 + ", ".join(f"{t}" for t in outcome.rows))
        return outcome

    def _reject(self, delivery: Delivery, outcome: FileOutcome, violations: list[Violation]) -> FileOutcome:
        target = quarantine(delivery, self.settings.quarantine, violations, self.run_id, self.stamp,
                            self.what_to_do(delivery))
        outcome.status = "quarantaene"
        outcome.problems = [v.render() for v in violations]
        outcome.quarantine_reason = f"{target}.grund.txt"
        self.log(f"{delivery.name}: REJECTED ({violations[0].render()}); moved to {target}")
        return outcome


def _group_by_slot(deliveries: list[Delivery]) -> list[list[Delivery]]:
    groups: dict[tuple, list[Delivery]] = {}
    for d in deliveries:
        groups.setdefault(d.slot, []).append(d)
    return list(groups.values())


def _resolve_duplicates(deliveries: list[Delivery]) -> list[tuple[Delivery, Delivery | None]]:
    """Keep one file per content hash (the plainest name); the others are copies of it."""
    by_hash: dict[str, list[Delivery]] = {}
    for d in deliveries:
        by_hash.setdefault(d.sha256, []).append(d)
    out: list[tuple[Delivery, Delivery | None]] = []
    for same in by_hash.values():
        same.sort(key=lambda d: (len(d.name), d.name))
        out.append((same[0], None))
        out.extend((copy, same[0]) for copy in same[1:])
    return out

