"""Street directory: street key + house-number range (side) -> Wohnplatz, one workbook per Gebietsstand."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.references import claimed_date_in_preamble, count_expr

CONTRACT = load_contract("strassenverzeichnis")
TABLE = "strassenverzeichnis"


def checks(ctx: CheckContext):
    yield claimed_date_in_preamble(ctx, TABLE, "Gebietsstand")
    von, bis = count_expr(ctx, TABLE, "hausnummer_von"), count_expr(ctx, TABLE, "hausnummer_bis")
    yield ctx.first_violation(TABLE, f"{von} > {bis}", "range", "'Hausnummer von' is greater than 'Hausnummer bis'",
                              column="Hausnummer von")
    yield overlapping_ranges(ctx)


def overlapping_ranges(ctx: CheckContext):
    """Two ranges of one street covering the same number on the same side make the assignment ambiguous."""
    rel = ctx.incoming[TABLE].relation
    col = lambda name: ctx.column(TABLE, name).text  # noqa: E731
    von, bis = count_expr(ctx, TABLE, "hausnummer_von"), count_expr(ctx, TABLE, "hausnummer_bis")
    sides = (f"(a.seite = b.seite OR a.seite = 'beide' OR b.seite = 'beide')")
    row = ctx.con.execute(
        f"""WITH r AS (SELECT _zeile, {col('ags')} AS ags, {col('strassenschluessel')} AS s, {col('seite')} AS seite,
                              {von} AS von, {bis} AS bis FROM {rel})
            SELECT count(*), min(a._zeile), arg_min(b._zeile, a._zeile) FROM r a JOIN r b
              ON a.ags = b.ags AND a.s = b.s AND a._zeile < b._zeile AND {sides}
             AND a.von <= b.bis AND b.von <= a.bis""").fetchone()
    if row[0]:
        from orchestration.sources.problems import Violation

        return Violation("overlap", f"house-number range overlaps the range in row {row[2]} on the same street "
                         "and side: an address would belong to two Wohnplätze", row=row[1], column="Hausnummer von",
                         count=row[0])
    return None
