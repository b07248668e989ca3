"""Wohnplatz boundaries from the district's GIS (GeoJSON, EPSG:25832), one file per Gebietsstand."""
from __future__ import annotations

import json

from orchestration.sources.contract import load_contract
from orchestration.sources.extraction import CheckContext
from orchestration.sources.problems import Violation

CONTRACT = load_contract("wohnplatz_grenzen")
TABLE = "wohnplatz_grenzen"
# Generous box around the Rheinisch-Bergischer Kreis in ETRS89 / UTM 32N
EXTENT = (330_000, 5_610_000, 420_000, 5_700_000)


def declared_crs_is_25832(meta: dict) -> bool:
    name = str(((meta.get("crs") or {}).get("properties") or {}).get("name", ""))
    return name.replace("::", ":").upper().endswith("EPSG:25832")


def coordinates_outside(geometry: dict, extent=EXTENT) -> tuple[float, float] | None:
    """The first coordinate pair outside the district's extent (e.g. WGS84 degrees), else None."""
    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            yield coords
        else:
            for c in coords or []:
                yield from walk(c)
    x0, y0, x1, y1 = extent
    for x, y, *_ in walk(geometry.get("coordinates")):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return x, y
    return None


def check_geometries(ctx: CheckContext, table: str, allowed: tuple[str, ...]) -> list[Violation]:
    meta = ctx.incoming[table].meta
    if not declared_crs_is_25832(meta):
        return [Violation("crs", f"the file declares CRS {meta.get('crs')!r}; the contract requires EPSG:25832 "
                          "(ETRS89 / UTM 32N)")]
    b = ctx.column(table, "geometrie_geojson")
    rows = ctx.con.execute(f"SELECT _zeile, {b.text} FROM {ctx.incoming[table].relation} ORDER BY _zeile").fetchall()
    for row, text in rows:
        geometry = json.loads(text)
        if geometry.get("type") not in allowed:
            return [Violation("geometry", f"geometry type {geometry.get('type')}; expected {' or '.join(allowed)}",
                              row=row, column="geometry")]
        if (outside := coordinates_outside(geometry)) is not None:
            return [Violation("geometry", "coordinate outside the district's extent in EPSG:25832 "
                              "(degrees instead of metres?)", row=row, column="geometry", value=str(outside))]
    return []


def checks(ctx: CheckContext):
    yield from check_geometries(ctx, TABLE, ("Polygon", "MultiPolygon"))
    b = ctx.column(TABLE, "wohnplatz_id")
    yield ctx.first_violation(
        TABLE, f"{b.text} IN (SELECT {b.text} FROM {ctx.incoming[TABLE].relation} GROUP BY 1 HAVING count(*) > 1)",
        "duplicate_key", "Wohnplatz number appears more than once", column="WP_NR", value_sql=b.text)
