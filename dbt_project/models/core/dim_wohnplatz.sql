-- Versioned Wohnplatz dimension: one row per Wohnplatz and Gebietsstand, with validity, area and the
-- polygon as WGS84 GeoJSON for maps (Evidence, QGIS).
select
    wohnplatz_sk,
    wohnplatz_id,
    name,
    ags,
    gebietsstand,
    gueltig_von,
    gueltig_bis,
    ist_aktuell,
    {{ flaeche_km2('geometrie') }} as flaeche_km2,
    {{ geometrie_als_wgs84_geojson('geometrie') }} as geometrie_geojson,
    {{ schwerpunkt_lon('geometrie') }} as schwerpunkt_lon,
    {{ schwerpunkt_lat('geometrie') }} as schwerpunkt_lat
from {{ ref('int_wohnplaetze') }}
