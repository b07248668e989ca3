"""Day-care facilities at 1 March (youth office workbook, addresses written by hand)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.references import claimed_date_in_preamble, count_expr

CONTRACT = load_contract("kita")
TABLE = "kita"


def checks(ctx: CheckContext):
    yield claimed_date_in_preamble(ctx, TABLE, "Stichtag")
    for places, children, label in (("plaetze_u3", "kinder_u3", "unter 3"), ("plaetze_ue3", "kinder_ue3", "ab 3")):
        p, c = count_expr(ctx, TABLE, places), count_expr(ctx, TABLE, children)
        yield ctx.first_violation(
            TABLE, f"{c} > {p} * 1.1 + 2", "plausibility",
            f"more children cared for {label} than places (+10 %): places and children swapped?",
            column=f"Betreute Kinder {label}", value_sql=ctx.column(TABLE, children).text)
