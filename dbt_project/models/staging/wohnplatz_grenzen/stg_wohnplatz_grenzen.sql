-- Wohnplatz polygons (GeoJSON text, EPSG:25832), one version per Gebietsstand.
select
    wohnplatz_id,
    wohnplatz_name,
    ags,
    gemeinde_name,
    geometrie_geojson,
    {{ lieferung_spalten('gebietsstand') }}
from {{ quelle_oder_leer('wohnplatz_grenzen', 'wohnplatz_grenzen') }}
