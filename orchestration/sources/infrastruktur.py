"""Infrastructure points (GIS GeoJSON in EPSG:25832) and bus stops (transport association CSV, WGS84)."""
from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.wohnplatz_grenzen import check_geometries

CONTRACT = load_contract("infrastruktur")
POINTS, STOPS = "infrastruktur", "haltestellen"


def checks(ctx: CheckContext):
    if POINTS in ctx.incoming:
        yield from check_geometries(ctx, POINTS, ("Point",))
        stand = ctx.column(POINTS, "stand").text
        expected = ctx.delivery.bezugsdatum.isoformat()
        yield ctx.first_violation(POINTS, f"{stand} <> '{expected}'", "period",
                                  f"STAND must be {expected} (the year in the file name)", column="STAND",
                                  value_sql=stand)
