"""Checks shared by several sources: period claims in titles, keys that must exist in reference data."""
from __future__ import annotations

import re
from datetime import date

from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation

GERMAN_MONTHS = {
    "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def claimed_date_in_preamble(ctx: CheckContext, table: str, label: str) -> Violation | None:
    """A title row like 'Stand: 31.12.2024' must name the same date as the file name."""
    preamble = ctx.incoming[table].preamble
    pattern = re.compile(rf"{label}\s*:?\s*(\d{{2}})\.(\d{{2}})\.(\d{{4}})", re.IGNORECASE)
    for line in preamble:
        if m := pattern.search(line):
            claimed = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if claimed != ctx.delivery.bezugsdatum:
                return Violation(
                    "period", f"the title says '{m.group(0)}' but the file name claims "
                    f"{ctx.delivery.bezugsdatum:%d.%m.%Y} ({ctx.delivery.periode}): wrong file or wrong name?",
                    row=preamble.index(line) + 1, value=line)
            return None
    return Violation("period", f"no title row '{label} TT.MM.JJJJ' found to confirm the period {ctx.delivery.periode}")


def claimed_month_in_preamble(ctx: CheckContext, table: str) -> Violation | None:
    """BA tables: 'Berichtsmonat: Dezember 2024' must match the month in the file name."""
    preamble = ctx.incoming[table].preamble
    pattern = re.compile(r"Berichtsmonat\s*:?\s*([A-Za-zäÄ]+)\s+(\d{4})", re.IGNORECASE)
    expected = ctx.delivery.bezugsdatum
    for i, line in enumerate(preamble, start=1):
        if m := pattern.search(line):
            month = GERMAN_MONTHS.get(m.group(1).casefold())
            if (month, int(m.group(2))) != (expected.month, expected.year):
                return Violation(
                    "period", f"the preamble says '{m.group(0)}' but the file name claims "
                    f"{expected:%m/%Y} ({ctx.delivery.periode}): an old table under a new name?", row=i, value=line)
            return None
    return Violation("period", f"no preamble line 'Berichtsmonat: <Monat> <Jahr>' found to confirm {ctx.delivery.periode}")


def scheme_valid_at(ctx: CheckContext, day: date) -> date | None:
    """The Gebietsstand (loaded Wohnplatz boundary version) valid at `day`."""
    if not _exists(ctx, "wohnplatz_grenzen"):
        return None
    return ctx.con.execute(
        "SELECT max(_stichtag) FROM raw.wohnplatz_grenzen WHERE _stichtag <= ?", [day]).fetchone()[0]


def unknown_wohnplatz_keys(ctx: CheckContext, table: str, column: str, day: date | None = None,
                           where: str = "TRUE") -> Violation | None:
    """Every Wohnplatz key must exist in the scheme valid at the Stichtag (or at `day`)."""
    b = ctx.column(table, column)
    day = day or ctx.delivery.stichtag
    scheme = scheme_valid_at(ctx, day)
    if scheme is None:
        return Violation("reference", f"no Wohnplatz boundaries valid at {day:%d.%m.%Y} are loaded; load the "
                         "GIS delivery (wohnplatz_grenzen) first", column=b.column.quelle)
    relation = ctx.incoming[table].relation
    row = ctx.con.execute(
        f"""SELECT count(*), arg_min(_zeile, _zeile), arg_min({b.text}, _zeile) FROM {relation}
            WHERE ({where}) AND {b.text} IS NOT NULL AND {b.text} NOT IN (
              SELECT wohnplatz_id FROM raw.wohnplatz_grenzen WHERE _stichtag = ?)""", [scheme]).fetchone()
    if not row[0]:
        return None
    return Violation("unknown_key", f"Wohnplatz key not in the scheme of Gebietsstand {scheme:%d.%m.%Y} "
                     f"valid at {day:%d.%m.%Y}", row=row[1], column=b.column.quelle, value=row[2], count=row[0])


def unknown_street_keys(ctx: CheckContext, table: str, column: str, ags: str) -> Violation | None:
    """Street keys must exist in a loaded street directory of the municipality."""
    b = ctx.column(table, column)
    if not _exists(ctx, "strassenverzeichnis"):
        return Violation("reference", "no street directory is loaded; load strassenverzeichnis first",
                         column=b.column.quelle)
    relation = ctx.incoming[table].relation
    row = ctx.con.execute(
        f"""SELECT count(*), arg_min(_zeile, _zeile), arg_min({b.text}, _zeile) FROM {relation}
            WHERE {b.text} IS NOT NULL AND {b.text} NOT IN (
              SELECT strassenschluessel FROM raw.strassenverzeichnis WHERE ags = ?)""", [ags]).fetchone()
    if not row[0]:
        return None
    return Violation("unknown_key", f"street key unknown in the street directory of {ags}: a new street "
                     "needs an updated directory from the municipality, or the extract is broken",
                     row=row[1], column=b.column.quelle, value=row[2], count=row[0])


def _exists(ctx: CheckContext, table: str) -> bool:
    return bool(ctx.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?",
        [table]).fetchone()[0])


def date_after(ctx: CheckContext, table: str, column: str, limit: date, what: str) -> Violation | None:
    b = ctx.column(table, column)
    fmt = b.column.format or "%Y-%m-%d"
    return ctx.first_violation(
        table, f"CAST(TRY_STRPTIME({b.text}, {_lit(fmt)}) AS DATE) > DATE '{limit.isoformat()}'", "period",
        f"{what} after the Stichtag {limit:%d.%m.%Y} the file name claims ({ctx.delivery.periode}): "
        "a later extract under an earlier name?", column=b.column.quelle, value_sql=b.text)


def date_outside(ctx: CheckContext, table: str, column: str, first: date, last: date, what: str) -> Violation | None:
    b = ctx.column(table, column)
    fmt = b.column.format or "%Y-%m-%d"
    parsed = f"CAST(TRY_STRPTIME({b.text}, {_lit(fmt)}) AS DATE)"
    return ctx.first_violation(
        table, f"{parsed} NOT BETWEEN DATE '{first.isoformat()}' AND DATE '{last.isoformat()}'", "period",
        f"{what} outside the quarter {first:%d.%m.%Y}–{last:%d.%m.%Y} the file name claims",
        column=b.column.quelle, value_sql=b.text)


def count_expr(ctx: CheckContext, table: str, column: str) -> str:
    from orchestration.sources.validate import integer_expr

    return integer_expr(ctx.column(table, column), ctx.delivery.spec)
