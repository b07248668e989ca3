-- The district's and each municipality's population in fct_indikator equal the sum of their
-- Wohnplätze (the register is assigned completely to today's Wohnplätze; unassigned persons are in
-- int_trefferquoten, not in any area).
with wohnplaetze as (
    select f.stichtag, w.ags, f.zaehler
    from {{ ref('fct_indikator') }} as f
    inner join {{ ref('dim_wohnplatz') }} as w on w.wohnplatz_id = f.gebiet_id and w.ist_aktuell
    where f.indikator_id = 'einwohner' and f.ebene = 'wohnplatz' and f.status = 'ok'
),

summen as (
    select stichtag, 'kommune' as ebene, ags as gebiet_id, sum(zaehler) as summe from wohnplaetze group by stichtag, ags
    union all
    select stichtag, 'kreis', '{{ var("kreis_schluessel") }}', sum(zaehler) from wohnplaetze group by stichtag
)

select f.ebene, f.gebiet_id, f.stichtag, f.zaehler, s.summe
from {{ ref('fct_indikator') }} as f
inner join summen as s on s.stichtag = f.stichtag and s.ebene = f.ebene and s.gebiet_id = f.gebiet_id
where f.indikator_id = 'einwohner' and f.status = 'ok' and f.zaehler <> s.summe
