"""Official house coordinates (one point per address, EPSG:25832) from the district's GIS."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext

CONTRACT = load_contract("hauskoordinaten")
TABLE = "hauskoordinaten"


def checks(ctx: CheckContext):
    c = lambda name: ctx.column(TABLE, name).text  # noqa: E731
    address = f"concat_ws('|', {c('ags')}, {c('strassenschluessel')}, {c('hausnummer')}, coalesce({c('hausnummer_zusatz')}, ''))"
    rel = ctx.incoming[TABLE].relation
    yield ctx.first_violation(
        TABLE, f"{address} IN (SELECT {address} FROM {rel} GROUP BY 1 HAVING count(*) > 1)", "duplicate_key",
        "the address appears more than once", column="Hausnummer", value_sql=address)
