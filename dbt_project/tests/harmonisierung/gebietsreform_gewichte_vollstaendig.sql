-- The crosswalk carries every Wohnplatz of every older scheme completely onto today's scheme:
-- its weights add up to 1 (tolerance 0.001). An old Wohnplatz without weights would lose its figures.
with alte_wohnplaetze as (
    select gebietsstand, wohnplatz_id from {{ ref('int_wohnplaetze') }} where not ist_aktuell
),

gewichte as (
    select gebietsstand_alt, wohnplatz_id_alt, sum(gewicht) as summe
    from {{ ref('int_gebietsreform_gewichte') }}
    group by gebietsstand_alt, wohnplatz_id_alt
)

select w.gebietsstand, w.wohnplatz_id, g.summe
from alte_wohnplaetze as w
left join gewichte as g
    on g.gebietsstand_alt = w.gebietsstand and g.wohnplatz_id_alt = w.wohnplatz_id
where g.summe is null or abs(g.summe - 1) > 0.001
