-- Every infrastructure point of every year in EPSG:25832, placed in today's Wohnplatz by point in
-- polygon: the GIS layer (GP practices, pharmacies, grocery stores, schools) and the bus stops, which
-- arrive in WGS84 and are projected here. Points outside every polygon keep wohnplatz_id NULL (listed in
-- int_nicht_zugeordnet); a point on a shared border goes to the lower Wohnplatz key.
with punkte as (
    select
        'infrastruktur' as tabelle,
        stichtag,
        kategorie,
        bezeichnung,
        {{ punkt_ostwert('geometrie_geojson') }} as ostwert,
        {{ punkt_nordwert('geometrie_geojson') }} as nordwert,
        lieferung_id,
        zeile
    from {{ ref('stg_infrastruktur') }}
    union all
    select
        'haltestellen' as tabelle,
        stichtag,
        'haltestelle' as kategorie,
        bezeichnung,
        {{ wgs84_ostwert('laenge', 'breite') }} as ostwert,
        {{ wgs84_nordwert('laenge', 'breite') }} as nordwert,
        lieferung_id,
        zeile
    from {{ ref('stg_haltestellen') }}
),

flaechen as (
    select wohnplatz_id, geometrie from {{ ref('int_wohnplaetze') }} where ist_aktuell
),

im_wohnplatz as (
    select
        p.tabelle,
        p.lieferung_id,
        p.zeile,
        min(f.wohnplatz_id) as wohnplatz_id
    from punkte as p
    inner join flaechen as f on {{ punkt_in_flaeche('p.ostwert', 'p.nordwert', 'f.geometrie') }}
    group by p.tabelle, p.lieferung_id, p.zeile
)

select
    p.tabelle,
    p.stichtag,
    p.kategorie,
    p.bezeichnung,
    p.ostwert,
    p.nordwert,
    w.wohnplatz_id,
    case when w.wohnplatz_id is null then 'ausserhalb' else 'zugeordnet' end as zuordnung,
    p.lieferung_id,
    p.zeile
from punkte as p
left join im_wohnplatz as w
    on w.tabelle = p.tabelle
    and w.lieferung_id = p.lieferung_id
    and w.zeile = p.zeile
