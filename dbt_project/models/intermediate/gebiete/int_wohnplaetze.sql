-- Versioned Wohnplatz scheme: every delivered Gebietsstand with its validity (from its date to the day
-- before the next Gebietsstand; the newest is current) and the polygon as geometry (EPSG:25832).
with grenzen as (
    select * from {{ ref('stg_wohnplatz_grenzen') }}
),

staende as (
    select
        gebietsstand,
        lead(gebietsstand) over (order by gebietsstand) as naechster_gebietsstand
    from (select distinct gebietsstand from grenzen) as s
)

select
    {{ dbt.concat(["g.wohnplatz_id", "'@'", "cast(g.gebietsstand as " ~ dbt.type_string() ~ ")"]) }} as wohnplatz_sk,
    g.wohnplatz_id,
    g.wohnplatz_name as name,
    g.ags,
    g.gemeinde_name,
    g.gebietsstand,
    g.gebietsstand as gueltig_von,
    cast({{ dbt.dateadd('day', -1, 's.naechster_gebietsstand') }} as date) as gueltig_bis,
    s.naechster_gebietsstand is null as ist_aktuell,
    {{ geometrie_aus_geojson('g.geometrie_geojson') }} as geometrie,
    g.lieferung_id
from grenzen as g
inner join staende as s on s.gebietsstand = g.gebietsstand
