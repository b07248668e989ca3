"""SGB II benefit recipients per Wohnplatz (BA statistics table: preamble, masks, footnotes)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.references import claimed_month_in_preamble, unknown_wohnplatz_keys

CONTRACT = load_contract("sgb2")
TABLE = "sgb2"


def checks(ctx: CheckContext):
    yield from ba_table_checks(ctx, TABLE)


def ba_table_checks(ctx: CheckContext, table: str):
    """Shared by the BA's tables: the month claimed, and keys of the scheme valid at the Stichtag."""
    yield claimed_month_in_preamble(ctx, table)
    level = ctx.column(table, "ebene").text
    yield unknown_wohnplatz_keys(ctx, table, "gebiet_schluessel", where=f"{level} = 'Wohnplatz'")
    key = ctx.column(table, "gebiet_schluessel").text
    yield ctx.first_violation(
        table, f"{level} = 'Gemeinde' AND NOT regexp_full_match({key}, '05378\\d{{3}}')", "pattern",
        "a Gemeinde row needs the 8-digit AGS", column="Schlüssel", value_sql=key)
