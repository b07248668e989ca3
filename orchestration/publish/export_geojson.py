"""wohnplaetze.geojson: today's Wohnplätze with their latest indicators, for QGIS and the report maps.

RFC 7946: WGS84 longitude/latitude in degrees, no `crs` member, exterior rings counter-clockwise and
holes clockwise, coordinates rounded to 6 decimals (about 10 cm, enough for area boundaries).
Each feature carries, per indicator of the catalogue, the value, status and Stichtag of its latest
observation up to the publication's Stichtag (a yearly indicator's latest value is from its own
Stichtag, which is why the Stichtag is a property). Suppressed or missing values are null, with the
status saying why; a suppressed value never reaches the file, even if a mart row carried one.
"""
from __future__ import annotations

import json
import logging
import math
from typing import Any, Mapping, Sequence

import duckdb

from orchestration.publish.export_data import Indikator, columns_of, latest_stichtag, require, rows

log = logging.getLogger(__name__)

COORDINATE_DECIMALS = 6
VALUE_DECIMALS = 6
WITHOUT_VALUE = {"gesperrt", "fehlt"}


class NotWgs84(ValueError):
    pass


def wohnplaetze_geojson(con: duckdb.DuckDBPyConnection, cat: Mapping[str, Indikator]) -> dict:
    require(con, "dim_wohnplatz", "mart_indikatoren")
    stichtag = latest_stichtag(con)
    areas = current_areas(con)
    latest = latest_indicator_values(con, stichtag)
    features = []
    for area in areas:
        props: dict[str, Any] = {
            "wohnplatz_id": area["wohnplatz_id"],
            "name": area["name"],
            "ags": area["ags"],
            "kommune": area.get("kommune"),
            "flaeche_km2": _number(area.get("flaeche_km2"), 4),
            "gebietsstand": _iso(area.get("gebietsstand")),
            "stichtag": _iso(stichtag),
        }
        values = latest.get(area["wohnplatz_id"], {})
        for ind in cat.values():
            row = values.get(ind.indikator_id)
            status = row["status"] if row else None
            value = None if not row or status in WITHOUT_VALUE else row["wert"]
            props[ind.indikator_id] = _number(value, 0 if ind.einheit == "Anzahl" else VALUE_DECIMALS)
            props[f"{ind.indikator_id}_status"] = status
            props[f"{ind.indikator_id}_stichtag"] = _iso(row["stichtag"]) if row else None
        geometry = area["geometrie_geojson"]
        if geometry is None:
            # kept with its figures (RFC 7946 allows a null geometry), so no area silently disappears
            log.warning("export: Wohnplatz %s has no geometry in dim_wohnplatz", area["wohnplatz_id"])
        shape = rfc7946_geometry(json.loads(geometry)) if geometry else None
        if shape:
            check_axis_order(area, shape)
        features.append({"type": "Feature", "id": area["wohnplatz_id"], "geometry": shape, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def current_areas(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    have_kommune = "dim_kommune" in {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    present = {c for c, _ in columns_of(con, "dim_wohnplatz")}
    optional = ", ".join(f"w.{c}" if c in present else f"NULL AS {c}"
                         for c in ("flaeche_km2", "gebietsstand", "schwerpunkt_lon", "schwerpunkt_lat"))
    kommune = "k.name AS kommune" if have_kommune else "NULL AS kommune"
    join = "LEFT JOIN dim_kommune k ON k.ags = w.ags" if have_kommune else ""
    return rows(con, f"""
        SELECT w.wohnplatz_id, w.name, w.ags, {kommune}, {optional}, w.geometrie_geojson
        FROM dim_wohnplatz w {join}
        WHERE w.ist_aktuell
        ORDER BY w.wohnplatz_id""")


def latest_indicator_values(con: duckdb.DuckDBPyConnection, stichtag) -> dict[str, dict[str, dict]]:
    """{wohnplatz_id: {indikator_id: row}} with each indicator's latest row up to the Stichtag."""
    found = rows(con, """
        SELECT gebiet_id, indikator_id, stichtag, wert, status FROM mart_indikatoren
        WHERE ebene = 'wohnplatz' AND (?::DATE IS NULL OR stichtag <= ?::DATE)
        QUALIFY row_number() OVER (PARTITION BY gebiet_id, indikator_id ORDER BY stichtag DESC) = 1""",
                 [stichtag, stichtag])
    result: dict[str, dict[str, dict]] = {}
    for r in found:
        result.setdefault(r["gebiet_id"], {})[r["indikator_id"]] = r
    return result


# -- geometry ------------------------------------------------------------------------------------------
def rfc7946_geometry(geometry: Mapping[str, Any]) -> dict:
    """Rounded coordinates, right-hand-rule rings; refuses coordinates that are not degrees."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [_polygon(p) for p in geometry["coordinates"]]}
    if kind == "GeometryCollection":
        return {"type": "GeometryCollection",
                "geometries": [rfc7946_geometry(g) for g in geometry["geometries"]]}
    if kind in ("Point", "MultiPoint", "LineString", "MultiLineString"):
        return {"type": kind, "coordinates": _round_nested(geometry["coordinates"])}
    raise ValueError(f"unsupported geometry type {kind!r}")


def check_axis_order(area: Mapping[str, Any], geometry: Mapping[str, Any]) -> None:
    """The centroid of dim_wohnplatz must lie in the polygon's extent; if it only does with the axes
    swapped, the geometry was transformed as (lat, lon) (ST_Transform without always_xy)."""
    lon, lat = area.get("schwerpunkt_lon"), area.get("schwerpunkt_lat")
    points = list(_positions(geometry))
    if lon is None or lat is None or not points:
        return
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    tolerance = 0.05

    def inside(x: float, y: float) -> bool:
        return min(xs) - tolerance <= x <= max(xs) + tolerance and min(ys) - tolerance <= y <= max(ys) + tolerance

    if not inside(float(lon), float(lat)) and inside(float(lat), float(lon)):
        raise NotWgs84(f"Wohnplatz {area['wohnplatz_id']}: coordinates are (latitude, longitude); RFC 7946 needs "
                       "(longitude, latitude): transform with always_xy := true")


def _positions(geometry: Mapping[str, Any]):
    if geometry.get("type") == "GeometryCollection":
        for g in geometry["geometries"]:
            yield from _positions(g)
        return
    stack = [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], (int, float)):
            yield item
        else:
            stack.extend(item)


def _polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list:
    out = []
    for n, ring in enumerate(rings):
        ring = [_position(p) for p in ring]
        counter_clockwise = _signed_area(ring) > 0
        # RFC 7946 section 3.1.6: exterior counter-clockwise, holes clockwise
        if counter_clockwise != (n == 0):
            ring = ring[::-1]
        out.append(ring)
    return out


def _position(p: Sequence[float]) -> list[float]:
    lon, lat = float(p[0]), float(p[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise NotWgs84(f"coordinate ({lon}, {lat}) is not WGS84 degrees; dim_wohnplatz.geometrie_geojson "
                       "must be transformed to EPSG:4326 in dbt")
    return [round(lon, COORDINATE_DECIMALS), round(lat, COORDINATE_DECIMALS)]


def _round_nested(coords):
    if coords and isinstance(coords[0], (int, float)):
        return _position(coords)
    return [_round_nested(c) for c in coords]


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:])) / 2.0


def _number(value: Any, decimals: int) -> float | int | None:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    value = float(value)
    if decimals == 0 and value.is_integer():
        return int(value)
    return round(value, decimals)


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def geojson_bytes(collection: Mapping[str, Any]) -> bytes:
    return (json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
