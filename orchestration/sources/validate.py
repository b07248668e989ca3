"""Check a delivery's text columns against the contract, and turn them into typed raw columns.

Both directions are generated from the same column description, so what is checked is exactly what
is cast. Everything runs as SQL over the DuckDB temp table, one pass per file, so that a 17-million-row
register is checked as fast as a 90-row BA table.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.sources.contract import Column, FileSpec
from orchestration.sources.problems import Violation
from orchestration.sources.pseudonym import pseudonym_sql
from orchestration.sources.readers import Incoming, header_key

BA_MARKS = ("*", ".", "-")  # BA: masked 1-2 / not available / none
MAX_EXAMPLES = 5


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass(frozen=True)
class BoundColumn:
    """A contract column and the name it has in this delivery's temp table (None: absent)."""

    column: Column
    source: str | None

    @property
    def text(self) -> str:
        """The cell as trimmed text, NULL when empty or one of the contract's 'empty' words."""
        if self.source is None:
            return "CAST(NULL AS VARCHAR)"
        expr = f"NULLIF(trim({_q(self.source)}), '')"
        if self.column.leer_werte:
            words = ", ".join(_lit(w.casefold()) for w in self.column.leer_werte)
            expr = f"CASE WHEN lower({expr}) IN ({words}) THEN NULL ELSE {expr} END"
        return expr


def bind_columns(incoming: Incoming) -> tuple[list[BoundColumn], list[Violation]]:
    """Match the delivery's header to the contract; a missing required column is a violation."""
    by_key = {header_key(h): name for h, name in zip(incoming.header, _temp_columns(incoming))}
    bound, problems = [], []
    for column in incoming.table.columns:
        source = by_key.get(header_key(column.quelle))
        if source is None and column.pflicht and column.schutz != "entfernen":
            problems.append(Violation(
                "missing_column",
                f"required column '{column.quelle}' is missing; the file has: "
                + ", ".join(f"'{h}'" for h in incoming.header),
                column=column.quelle))
        bound.append(BoundColumn(column, source))
    return bound, problems


def _temp_columns(incoming: Incoming) -> list[str]:
    # readers de-duplicate repeated header names with a suffix; the order is the header's order
    seen: dict[str, int] = {}
    names = []
    for h in incoming.header:
        h = h or "column"
        if h in seen:
            seen[h] += 1
            names.append(f"{h}_{seen[h]}")
        else:
            seen[h] = 0
            names.append(h)
    return names


# ------------------------------------------------------------------ parsing expressions


def number_text(expr: str, spec: FileSpec) -> str:
    """German files write 1.234,5: drop thousands dots, make the decimal comma a point."""
    if spec.dezimalzeichen == ",":
        return f"replace(replace({expr}, '.', ''), ',', '.')"
    return expr


def integer_expr(b: BoundColumn, spec: FileSpec) -> str:
    return f"TRY_CAST({number_text(b.text, spec)} AS BIGINT)"


def decimal_expr(b: BoundColumn, spec: FileSpec) -> str:
    return f"TRY_CAST({number_text(b.text, spec)} AS DOUBLE)"


def date_expr(b: BoundColumn) -> str:
    fmt = b.column.format or "%Y-%m-%d"
    return f"CAST(TRY_STRPTIME({b.text}, {_lit(fmt)}) AS DATE)"


def month_expr(b: BoundColumn) -> str:
    t = b.text
    tries = ["%d.%m.%Y", "%m/%Y", "%m.%Y", "%Y-%m-%d", "%Y-%m", "%Y"]
    parsed = ", ".join(f"TRY_STRPTIME({t}, {_lit(f)})" for f in tries)
    return f"CAST(date_trunc('month', coalesce({parsed})) AS DATE)"


def boolean_expr(b: BoundColumn) -> str:
    t = f"lower({b.text})"
    return (f"CASE WHEN {t} IN ('true', 'ja', 'wahr', '1', 'yes') THEN TRUE "
            f"WHEN {t} IN ('false', 'nein', 'falsch', '0', 'no') THEN FALSE END")


def house_number_expr(b: BoundColumn) -> str:
    return f"TRY_CAST(regexp_extract({b.text}, '^(\\d+)', 1) AS INTEGER)"


HOUSE_NUMBER_PATTERN = r"^\d+\s*[a-zA-Z]?(\s*[-/]\s*\d+\s*[a-zA-Z]?)?$"


def masked_count_exprs(b: BoundColumn, spec: FileSpec) -> tuple[str, str]:
    """(value, mark): '*' and '.' stay unknown (NULL) with their mark, '-' is a true zero."""
    t = b.text
    value = (f"CASE WHEN {t} = '-' THEN 0 WHEN {t} IN ('*', '.') THEN NULL "
             f"ELSE TRY_CAST({number_text(t, spec)} AS INTEGER) END")
    mark = f"CASE WHEN {t} IN ('*', '.') THEN {t} END"
    return value, mark


# ------------------------------------------------------------------ rules per column


def column_rules(b: BoundColumn, spec: FileSpec) -> list[tuple[str, str, str]]:
    """(rule id, SQL predicate that is TRUE for a broken cell, message) for one column."""
    c, t = b.column, b.text
    expected = c.describe_expected()
    rules: list[tuple[str, str, str]] = []
    if c.schutz == "entfernen":
        return rules
    if c.pflicht:
        rules.append(("empty", f"{t} IS NULL", f"value is missing; expected {expected}"))
    present = f"{t} IS NOT NULL"
    if c.typ == "text":
        if c.muster:
            rules.append(("pattern", f"{present} AND NOT regexp_full_match({t}, {_lit(c.muster.strip('^$'))})",
                          f"expected {expected}"))
        if c.werte:
            allowed = ", ".join(_lit(w) for w in c.werte)
            rules.append(("code", f"{present} AND {t} NOT IN ({allowed})", f"unknown code; expected {expected}"))
    elif c.typ in ("ganzzahl", "anzahl"):
        parsed = integer_expr(b, spec)
        rules.append(("type", f"{present} AND {parsed} IS NULL", f"not a whole number; expected {expected}"))
        if c.typ == "anzahl":
            rules.append(("negative", f"{parsed} < 0", "count is negative; expected a whole number >= 0"))
        rules.extend(_range_rules(c, parsed))
    elif c.typ == "anzahl_maskiert":
        value = f"TRY_CAST({number_text(t, spec)} AS BIGINT)"
        marks = ", ".join(_lit(m) for m in BA_MARKS)
        rules.append(("type", f"{present} AND {t} NOT IN ({marks}) AND {value} IS NULL",
                      f"not a count; expected {expected}"))
        rules.append(("negative", f"{t} NOT IN ({marks}) AND {value} < 0",
                      "count is negative; expected a whole number >= 0 or a BA mark"))
    elif c.typ == "dezimal":
        parsed = decimal_expr(b, spec)
        rules.append(("type", f"{present} AND {parsed} IS NULL",
                      f"not a number (decimal separator '{spec.dezimalzeichen}'); expected {expected}"))
        rules.extend(_range_rules(c, parsed))
    elif c.typ == "datum":
        rules.append(("type", f"{present} AND {date_expr(b)} IS NULL", f"not a valid date; expected {expected}"))
    elif c.typ == "monat":
        rules.append(("type", f"{present} AND {month_expr(b)} IS NULL", f"not a month; expected {expected}"))
    elif c.typ == "wahrheitswert":
        rules.append(("type", f"{present} AND ({boolean_expr(b)}) IS NULL", f"expected {expected}"))
    elif c.typ == "hausnummer":
        rules.append(("type", f"{present} AND NOT regexp_full_match({t}, {_lit(HOUSE_NUMBER_PATTERN.strip('^$'))})",
                      f"expected {expected}"))
    elif c.typ == "geometrie":
        rules.append(("geometry", f"{present} AND (NOT json_valid({t}) OR json_extract({t}, '$.coordinates') IS NULL)",
                      "not a GeoJSON geometry with coordinates"))
    return rules


def _range_rules(c: Column, parsed: str) -> list[tuple[str, str, str]]:
    rules = []
    if c.min is not None:
        rules.append(("range", f"{parsed} < {c.min}", f"below the plausible minimum {c.min:g}"))
    if c.max is not None:
        rules.append(("range", f"{parsed} > {c.max}", f"above the plausible maximum {c.max:g}"))
    return rules


def check_cells(con: duckdb.DuckDBPyConnection, incoming: Incoming, bound: list[BoundColumn],
                spec: FileSpec) -> list[Violation]:
    """One pass over the table: count and locate every broken rule of every column."""
    checks = []
    for b in bound:
        if b.source is None:
            continue
        for rule, predicate, message in column_rules(b, spec):
            checks.append((b, rule, predicate, message))
    if not checks:
        return []
    # pass 1: only counts (cheap); pass 2 locates the first row only for the rules that broke
    counts = con.execute(
        f"SELECT {', '.join(f'count(*) FILTER (WHERE {p})' for _, _, p, _ in checks)} FROM {incoming.relation}"
    ).fetchone()
    problems = []
    for (b, rule, predicate, message), count in zip(checks, counts):
        if not count:
            continue
        first_row, value = con.execute(
            f"SELECT _zeile, {_q(b.source)} FROM {incoming.relation} WHERE {predicate} ORDER BY _zeile LIMIT 1"
        ).fetchone()
        problems.append(Violation(rule, message, row=first_row, column=b.column.quelle, value=value, count=count))
    problems.extend(check_unique(con, incoming, bound))
    return problems


def check_unique(con, incoming: Incoming, bound: list[BoundColumn]) -> list[Violation]:
    problems = []
    for b in bound:
        if not b.column.eindeutig or b.source is None:
            continue
        dup = con.execute(
            f"""SELECT v, n, rows FROM (
                  SELECT {b.text} AS v, count(*) AS n, list(_zeile ORDER BY _zeile)[1:3] AS rows
                  FROM {incoming.relation} WHERE {b.text} IS NOT NULL GROUP BY 1 HAVING count(*) > 1)
                ORDER BY rows[1] LIMIT 1""").fetchone()
        if dup:
            total = con.execute(
                f"SELECT count(*) FROM (SELECT {b.text} FROM {incoming.relation} WHERE {b.text} IS NOT NULL "
                f"GROUP BY 1 HAVING count(*) > 1)").fetchone()[0]
            problems.append(Violation(
                "duplicate_key", f"value must be unique but appears {dup[1]} times (rows {', '.join(map(str, dup[2]))})",
                row=dup[2][0], column=b.column.quelle, value=dup[0], count=total))
    return problems


# ------------------------------------------------------------------ typed raw columns


def raw_expressions(b: BoundColumn, spec: FileSpec) -> list[tuple[str, str]]:
    """(raw column, SQL expression) pairs for one contract column, protection applied.

    A pseudonymised column is the keyed hash of its text (pseudonym.py); the key comes in as a statement
    parameter, so it never appears in SQL text.
    """
    c, t = b.column, b.text
    if c.schutz == "entfernen":
        return []
    if c.schutz == "pseudonymisieren":
        return [(c.name, pseudonym_sql(t))]
    if c.schutz in ("geburtsdatum_kuerzen", "geburtsjahr"):
        d = date_expr(b)
        cols = [("geburtsjahr", f"CAST(year({d}) AS INTEGER)")]
        if c.schutz == "geburtsdatum_kuerzen":
            cols.append(("geburtsmonat", f"CAST(month({d}) AS INTEGER)"))
        return cols
    if c.typ == "text":
        return [(c.name, t)]
    if c.typ in ("ganzzahl", "anzahl"):
        return [(c.name, f"CAST({integer_expr(b, spec)} AS INTEGER)")]
    if c.typ == "anzahl_maskiert":
        value, mark = masked_count_exprs(b, spec)
        return [(c.name, value), (f"{c.name}_kennung", mark)]
    if c.typ == "dezimal":
        return [(c.name, decimal_expr(b, spec))]
    if c.typ == "datum":
        return [(c.name, date_expr(b))]
    if c.typ == "monat":
        return [(c.name, month_expr(b))]
    if c.typ == "wahrheitswert":
        return [(c.name, boolean_expr(b))]
    if c.typ == "hausnummer":
        return [(c.name, house_number_expr(b))]
    if c.typ == "geometrie":
        return [(c.name, t)]
    raise ValueError(c.typ)
