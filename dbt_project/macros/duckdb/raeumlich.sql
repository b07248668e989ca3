{#- Spatial operations, the only place the project talks to DuckDB's spatial extension.
    Each macro dispatches on the adapter: `duckdb__<name>` is the implementation used today; a port to
    PostgreSQL/PostGIS adds `postgres__<name>` beside it (ST_GeomFromGeoJSON, ST_Transform(geom, 4326),
    ST_AsGeoJSON, ST_Area, ST_Contains exist there with the same meaning) and nothing else changes.
    Coordinates of the deliveries are ETRS89 / UTM 32N (EPSG:25832, metres); bus stops arrive in WGS84. -#}

{% macro geometrie_aus_geojson(geojson) -%}
    {{ return(adapter.dispatch('geometrie_aus_geojson', 'sozialmonitor')(geojson)) }}
{%- endmacro %}
{% macro duckdb__geometrie_aus_geojson(geojson) -%}
    ST_GeomFromGeoJSON({{ geojson }})
{%- endmacro %}

{#- GeoJSON text of a UTM-32 geometry in WGS84 (lon/lat order), for web maps and QGIS. -#}
{% macro geometrie_als_wgs84_geojson(geometrie) -%}
    {{ return(adapter.dispatch('geometrie_als_wgs84_geojson', 'sozialmonitor')(geometrie)) }}
{%- endmacro %}
{% macro duckdb__geometrie_als_wgs84_geojson(geometrie) -%}
    ST_AsGeoJSON(ST_Transform({{ geometrie }}, 'EPSG:25832', 'EPSG:4326', always_xy := true))
{%- endmacro %}

{% macro flaeche_km2(geometrie) -%}
    {{ return(adapter.dispatch('flaeche_km2', 'sozialmonitor')(geometrie)) }}
{%- endmacro %}
{% macro duckdb__flaeche_km2(geometrie) -%}
    round(ST_Area({{ geometrie }}) / 1000000.0, 4)
{%- endmacro %}

{#- Longitude / latitude (WGS84) of the centroid of a UTM-32 geometry. -#}
{% macro schwerpunkt_lon(geometrie) -%}
    {{ return(adapter.dispatch('schwerpunkt_lon', 'sozialmonitor')(geometrie)) }}
{%- endmacro %}
{% macro duckdb__schwerpunkt_lon(geometrie) -%}
    ST_X(ST_Transform(ST_Centroid({{ geometrie }}), 'EPSG:25832', 'EPSG:4326', always_xy := true))
{%- endmacro %}
{% macro schwerpunkt_lat(geometrie) -%}
    {{ return(adapter.dispatch('schwerpunkt_lat', 'sozialmonitor')(geometrie)) }}
{%- endmacro %}
{% macro duckdb__schwerpunkt_lat(geometrie) -%}
    ST_Y(ST_Transform(ST_Centroid({{ geometrie }}), 'EPSG:25832', 'EPSG:4326', always_xy := true))
{%- endmacro %}

{#- Easting / northing of a GeoJSON point delivered in EPSG:25832. -#}
{% macro punkt_ostwert(geojson) -%}
    {{ return(adapter.dispatch('punkt_ostwert', 'sozialmonitor')(geojson)) }}
{%- endmacro %}
{% macro duckdb__punkt_ostwert(geojson) -%}
    ST_X(ST_GeomFromGeoJSON({{ geojson }}))
{%- endmacro %}
{% macro punkt_nordwert(geojson) -%}
    {{ return(adapter.dispatch('punkt_nordwert', 'sozialmonitor')(geojson)) }}
{%- endmacro %}
{% macro duckdb__punkt_nordwert(geojson) -%}
    ST_Y(ST_GeomFromGeoJSON({{ geojson }}))
{%- endmacro %}

{#- WGS84 longitude/latitude to UTM-32 easting / northing (axis order forced to lon/lat). -#}
{% macro wgs84_ostwert(laenge, breite) -%}
    {{ return(adapter.dispatch('wgs84_ostwert', 'sozialmonitor')(laenge, breite)) }}
{%- endmacro %}
{% macro duckdb__wgs84_ostwert(laenge, breite) -%}
    ST_X(ST_Transform(ST_Point({{ laenge }}, {{ breite }}), 'EPSG:4326', 'EPSG:25832', always_xy := true))
{%- endmacro %}
{% macro wgs84_nordwert(laenge, breite) -%}
    {{ return(adapter.dispatch('wgs84_nordwert', 'sozialmonitor')(laenge, breite)) }}
{%- endmacro %}
{% macro duckdb__wgs84_nordwert(laenge, breite) -%}
    ST_Y(ST_Transform(ST_Point({{ laenge }}, {{ breite }}), 'EPSG:4326', 'EPSG:25832', always_xy := true))
{%- endmacro %}

{#- Join predicate: the point (UTM-32 easting, northing) lies inside the polygon. -#}
{% macro punkt_in_flaeche(ostwert, nordwert, geometrie) -%}
    {{ return(adapter.dispatch('punkt_in_flaeche', 'sozialmonitor')(ostwert, nordwert, geometrie)) }}
{%- endmacro %}
{% macro duckdb__punkt_in_flaeche(ostwert, nordwert, geometrie) -%}
    ST_Intersects({{ geometrie }}, ST_Point({{ ostwert }}, {{ nordwert }}))
{%- endmacro %}
