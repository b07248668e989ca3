"""Educational support cases (SGB VIII) from the youth office's case-management export."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.references import date_after, unknown_wohnplatz_keys

CONTRACT = load_contract("hze")
TABLE = "hze"


def checks(ctx: CheckContext):
    quarter = ctx.delivery.quarter
    stichtag = ctx.column(TABLE, "stichtag").text
    yield ctx.first_violation(
        TABLE, f"{stichtag} <> '{quarter.stichtag.isoformat()}'", "period",
        f"the column stichtag must be {quarter.stichtag.isoformat()} (the quarter in the file name)",
        column="stichtag", value_sql=stichtag)
    yield date_after(ctx, TABLE, "hilfebeginn", quarter.stichtag, "help starting")
    end = ctx.column(TABLE, "hilfeende").text
    yield ctx.first_violation(
        TABLE, f"TRY_CAST({end} AS DATE) < DATE '{quarter.start.isoformat()}'", "period",
        f"the help ended before the quarter began ({quarter.start:%d.%m.%Y}); the export should hold only "
        "cases running in the quarter", column="hilfeende", value_sql=end)
    yield unknown_wohnplatz_keys(ctx, TABLE, "wohnplatz_id")
