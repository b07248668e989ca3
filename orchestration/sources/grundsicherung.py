"""Basic income support in old age per Wohnplatz at 31 December (workbook with a total row)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation
from orchestration.sources.references import claimed_date_in_preamble, count_expr, unknown_wohnplatz_keys
from orchestration.sources.readers import header_key

CONTRACT = load_contract("grundsicherung")
TABLE = "grundsicherung"


def checks(ctx: CheckContext):
    yield claimed_date_in_preamble(ctx, TABLE, "Stand")
    yield unknown_wohnplatz_keys(ctx, TABLE, "wohnplatz_id")
    yield total_row_matches(ctx)


def total_row_matches(ctx: CheckContext) -> Violation | None:
    """The office's own 'Summe' row must equal the sum of the Wohnplatz rows (a lost or doubled row shows)."""
    incoming = ctx.incoming[TABLE]
    column = ctx.column(TABLE, "empfaenger_65plus").column
    if incoming.total_row is None:
        return Violation("total", "no 'Summe' row found; the contract expects the office's total row")
    stated = next((v for k, v in incoming.total_row.items() if header_key(k) == header_key(column.quelle)), None)
    summed = ctx.con.execute(f"SELECT sum({count_expr(ctx, TABLE, 'empfaenger_65plus')}) FROM {incoming.relation}").fetchone()[0]
    if stated is None or not str(stated).isdigit() or int(stated) != summed:
        return Violation("total", f"the 'Summe' row says {stated} but the Wohnplatz rows add up to {summed}",
                         column=column.quelle, value=str(stated))
    return None
