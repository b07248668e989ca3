"""Crosswalk of the area reform (old Wohnplatz -> new Wohnplatz with population weights), from GIS."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation
from orchestration.sources.validate import decimal_expr

CONTRACT = load_contract("gebietsreform")
TABLE = "gebietsreform"


def checks(ctx: CheckContext):
    old = ctx.column(TABLE, "wohnplatz_id_alt").text
    share = decimal_expr(ctx.column(TABLE, "anteil_bevoelkerung"), ctx.delivery.spec)
    bad = ctx.con.execute(
        f"""SELECT wp, total, first_row FROM (
              SELECT {old} AS wp, sum({share}) AS total, min(_zeile) AS first_row
              FROM {ctx.incoming[TABLE].relation} GROUP BY 1)
            WHERE abs(total - 1) > 0.001 ORDER BY first_row LIMIT 1""").fetchone()
    if bad:
        yield Violation("weights", f"the shares of old Wohnplatz {bad[0]} add up to {bad[1]:.4f}, not 1: "
                        "population would be lost or invented by the crosswalk", row=bad[2], column="anteil_bevoelkerung")
