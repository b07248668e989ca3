"""Care facilities and recipients of help for care at 31 December (care planning workbook, two sheets)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.references import claimed_date_in_preamble, count_expr, unknown_wohnplatz_keys

CONTRACT = load_contract("pflege")
FACILITIES, RECIPIENTS = "pflege_einrichtungen", "pflege_hzp"


def checks(ctx: CheckContext):
    yield claimed_date_in_preamble(ctx, FACILITIES, "Stand")
    yield claimed_date_in_preamble(ctx, RECIPIENTS, "Stand")
    kind, places = ctx.column(FACILITIES, "art").text, ctx.column(FACILITIES, "plaetze").text
    yield ctx.first_violation(
        FACILITIES, f"{kind} <> 'Ambulanter Pflegedienst' AND {places} IS NULL", "empty",
        "places are missing for a residential or day-care facility", column="Plätze")
    total = count_expr(ctx, RECIPIENTS, "empfaenger")
    parts = [count_expr(ctx, RECIPIENTS, c) for c in ("empfaenger_ambulant", "empfaenger_stationaer")]
    yield ctx.first_violation(
        RECIPIENTS, f"{total} <> {parts[0]} + {parts[1]}", "consistency",
        "'insgesamt' is not ambulant + stationär", column="Empfänger Hilfe zur Pflege insgesamt")
    yield unknown_wohnplatz_keys(ctx, RECIPIENTS, "wohnplatz_id")
