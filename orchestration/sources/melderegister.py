"""Resident register: person-level snapshot and movements per municipality and quarter (cp1252 CSV)."""
from __future__ import annotations

from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation
from orchestration.sources.references import date_after, date_outside, unknown_street_keys

CONTRACT = load_contract("melderegister")
SNAPSHOT, MOVES = "melderegister_bestand", "melderegister_bewegungen"
# A municipality's population moves by well under 2 % a quarter; a bigger jump means a truncated or
# partial extract (or the wrong municipality's file).
MAX_ROW_CHANGE = 0.08


def checks(ctx: CheckContext):
    quarter = ctx.delivery.quarter
    ags = ctx.delivery.teil
    if SNAPSHOT in ctx.incoming:
        yield date_after(ctx, SNAPSHOT, "geburtsdatum", quarter.stichtag, "Geburtsdatum")
        yield date_after(ctx, SNAPSHOT, "einzugsdatum", quarter.stichtag, "Einzugsdatum")
        yield unknown_street_keys(ctx, SNAPSHOT, "strassenschluessel", ags)
        yield implausible_row_count(ctx)
    if MOVES in ctx.incoming:
        yield date_outside(ctx, MOVES, "ereignisdatum", quarter.start, quarter.stichtag, "Ereignisdatum")
        yield unknown_street_keys(ctx, MOVES, "strassenschluessel_alt", ags)
        yield unknown_street_keys(ctx, MOVES, "strassenschluessel_neu", ags)


def implausible_row_count(ctx: CheckContext) -> Violation | None:
    """Compare with the nearest snapshot of the same municipality already in raw."""
    exists = ctx.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'lieferungen'"
    ).fetchone()[0]
    if not exists:
        return None
    row = ctx.con.execute(
        """SELECT periode, zeilen FROM raw.lieferungen
           WHERE quelle = 'melderegister' AND tabelle = ? AND teil = ? AND periode <> ?
           ORDER BY abs(date_diff('day', stichtag, ?)) LIMIT 1""",
        [SNAPSHOT, ctx.delivery.teil, ctx.delivery.periode, ctx.delivery.stichtag]).fetchone()
    if row is None:
        return None
    periode, previous = row
    current = ctx.incoming[SNAPSHOT].rows
    if previous and abs(current - previous) / previous > MAX_ROW_CHANGE:
        return Violation(
            "row_count", f"{current} persons, but the snapshot of {periode} had {previous} "
            f"({(current - previous) / previous:+.1%}; more than ±{MAX_ROW_CHANGE:.0%} in a quarter is implausible): "
            "incomplete or truncated extract?", value=str(current))
    return None
