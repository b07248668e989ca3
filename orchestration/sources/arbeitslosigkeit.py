"""Unemployment per Wohnplatz by legal scope (BA statistics table, UTF-8 with BOM)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.sgb2 import ba_table_checks

CONTRACT = load_contract("arbeitslosigkeit")
TABLE = "arbeitslosigkeit"


def checks(ctx: CheckContext):
    yield from ba_table_checks(ctx, TABLE)
    total = ctx.column(TABLE, "arbeitslose").text
    parts = [ctx.column(TABLE, c).text for c in ("arbeitslose_sgb3", "arbeitslose_sgb2")]
    numeric = " AND ".join(f"TRY_CAST({p} AS INTEGER) IS NOT NULL" for p in [total, *parts])
    yield ctx.first_violation(
        TABLE, f"{numeric} AND TRY_CAST({total} AS INTEGER) <> TRY_CAST({parts[0]} AS INTEGER) + TRY_CAST({parts[1]} AS INTEGER)",
        "consistency", "'Arbeitslose insgesamt' is not the sum of SGB III and SGB II", column="Arbeitslose insgesamt",
        value_sql=total)
