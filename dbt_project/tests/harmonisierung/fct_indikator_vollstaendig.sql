-- fct_indikator has exactly one row for every indicator x Stichtag where its source is due x current
-- Wohnplatz, municipality and the district - and no row at a Stichtag where the indicator is not due
-- (a yearly value appears at the Stichtag of its reference quarter only, never repeated).
with erwartet as (
    select i.indikator_id, s.stichtag, g.ebene, g.gebiet_id
    from {{ ref('dim_indikator') }} as i
    inner join {{ ref('dim_stichtag') }} as s
        on i.turnus = 'quartal' or s.quartal = i.bezugsquartal
    cross join (
        select 'wohnplatz' as ebene, wohnplatz_id as gebiet_id from {{ ref('dim_wohnplatz') }} where ist_aktuell
        union all
        select 'kommune', ags from {{ ref('dim_kommune') }}
        union all
        select 'kreis', '{{ var("kreis_schluessel") }}'
    ) as g
),

vorhanden as (
    select indikator_id, stichtag, ebene, gebiet_id from {{ ref('fct_indikator') }}
)

select 'fehlende_zeile' as problem, e.* from erwartet as e
where not exists (
    select 1 from vorhanden as v
    where v.indikator_id = e.indikator_id and v.stichtag = e.stichtag
      and v.ebene = e.ebene and v.gebiet_id = e.gebiet_id)
union all
select 'unerwartete_zeile' as problem, v.* from vorhanden as v
where not exists (
    select 1 from erwartet as e
    where v.indikator_id = e.indikator_id and v.stichtag = e.stichtag
      and v.ebene = e.ebene and v.gebiet_id = e.gebiet_id)
