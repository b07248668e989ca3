"""Dental health in day-care facilities per school year (health office CSV)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.references import count_expr

CONTRACT = load_contract("zahngesundheit")
TABLE = "zahngesundheit"


def checks(ctx: CheckContext):
    first = ctx.delivery.bezugsdatum.year - 1
    expected = f"{first}/{str(first + 1)[2:]}"
    year = ctx.column(TABLE, "schuljahr").text
    yield ctx.first_violation(TABLE, f"{year} <> '{expected}'", "period",
                              f"the school year must be {expected} (as in the file name)", column="Schuljahr",
                              value_sql=year)
    examined, caries = count_expr(ctx, TABLE, "untersuchte_kinder"), count_expr(ctx, TABLE, "kinder_mit_karies")
    yield ctx.first_violation(TABLE, f"{caries} > {examined}", "consistency",
                              "more children with caries than children examined", column="Kinder mit Karieserfahrung")
