{{ config(
    materialized='incremental',
    incremental_strategy='stichtag_fenster',
    on_schema_change='fail'
) }}
-- Register measures per Stichtag and (today's) Wohnplatz: inhabitants by the age groups and citizenship
-- the indicators need, households (single parents, persons living alone) and the residents near a
-- grocery store / bus stop. One row for every current Wohnplatz of every municipality whose register
-- file was delivered (0 where nobody lives), none where it was not (-> 'fehlt' downstream).
-- Incremental over the window like the person table it reads.
with personen as (
    select *
    from {{ ref('int_melderegister_personen') }}
    where wohnplatz_id is not null
      and {{ nur_im_fenster('stichtag') }}
),

haushalte as (
    -- a household = the main-residence members of one household number in one municipality
    select
        stichtag,
        min(wohnplatz_id) as wohnplatz_id,
        count(*) as personen,
        sum(case when alter_jahre >= 18 then 1 else 0 end) as erwachsene,
        sum(case when alter_jahre < 18 then 1 else 0 end) as kinder,
        min(alter_jahre) as juengstes_alter
    from personen
    where haushalt_schluessel is not null
    group by stichtag, ags, haushalt_schluessel
),

haushalte_je_wohnplatz as (
    select
        stichtag,
        wohnplatz_id,
        count(*) as haushalte,
        sum(case when kinder > 0 then 1 else 0 end) as haushalte_mit_kindern,
        sum(case when kinder > 0 and erwachsene = 1 then 1 else 0 end) as haushalte_alleinerziehend,
        sum(case when personen = 1 and juengstes_alter >= 65 then 1 else 0 end) as alleinlebende_65plus,
        sum(case when personen = 1 and juengstes_alter >= 80 then 1 else 0 end) as alleinlebende_80plus
    from haushalte
    group by stichtag, wohnplatz_id
),

personen_je_wohnplatz as (
    select
        stichtag,
        wohnplatz_id,
        count(*) as einwohner,
        sum(case when alter_jahre < 3 then 1 else 0 end) as einwohner_u3,
        sum(case when alter_jahre between 3 and 5 then 1 else 0 end) as einwohner_3_5,
        sum(case when alter_jahre < 6 then 1 else 0 end) as einwohner_u6,
        sum(case when alter_jahre < 15 then 1 else 0 end) as einwohner_u15,
        sum(case when alter_jahre < 18 then 1 else 0 end) as einwohner_u18,
        sum(case when alter_jahre < 21 then 1 else 0 end) as einwohner_u21,
        sum(case when alter_jahre < 65 then 1 else 0 end) as einwohner_u65,
        sum(case when alter_jahre between 15 and 24 then 1 else 0 end) as einwohner_15_24,
        sum(case when alter_jahre between 15 and 64 then 1 else 0 end) as einwohner_15_64,
        sum(case when alter_jahre between 20 and 64 then 1 else 0 end) as einwohner_20_64,
        sum(case when alter_jahre between 55 and 64 then 1 else 0 end) as einwohner_55_64,
        sum(case when alter_jahre >= 65 then 1 else 0 end) as einwohner_65plus,
        sum(case when alter_jahre >= 80 then 1 else 0 end) as einwohner_80plus,
        sum(case when not deutsch then 1 else 0 end) as einwohner_nichtdeutsch,
        sum(case when hat_hauskoordinate then 1 else 0 end) as einwohner_mit_hauskoordinate,
        -- NULL unless the year's layer was delivered (flags are NULL then)
        sum(case when nahversorgung_500m then 1 when nahversorgung_500m is not null then 0 end) as einwohner_500m_lebensmittel,
        sum(case when oepnv_300m then 1 when oepnv_300m is not null then 0 end) as einwohner_300m_haltestelle
    from personen
    group by stichtag, wohnplatz_id
),

geliefert as (
    select distinct stichtag, teil as ags, lieferung_id
    from {{ ref('stg_lieferungen') }}
    where tabelle = 'melderegister_bestand'
      and {{ nur_im_fenster('stichtag') }}
),

raster as (
    select g.stichtag, w.wohnplatz_id, w.ags, g.lieferung_id
    from geliefert as g
    inner join {{ ref('int_wohnplaetze') }} as w on w.ags = g.ags and w.ist_aktuell
)

select
    r.stichtag,
    r.wohnplatz_id,
    r.ags,
    coalesce(p.einwohner, 0) as einwohner,
    coalesce(p.einwohner_u3, 0) as einwohner_u3,
    coalesce(p.einwohner_3_5, 0) as einwohner_3_5,
    coalesce(p.einwohner_u6, 0) as einwohner_u6,
    coalesce(p.einwohner_u15, 0) as einwohner_u15,
    coalesce(p.einwohner_u18, 0) as einwohner_u18,
    coalesce(p.einwohner_u21, 0) as einwohner_u21,
    coalesce(p.einwohner_u65, 0) as einwohner_u65,
    coalesce(p.einwohner_15_24, 0) as einwohner_15_24,
    coalesce(p.einwohner_15_64, 0) as einwohner_15_64,
    coalesce(p.einwohner_20_64, 0) as einwohner_20_64,
    coalesce(p.einwohner_55_64, 0) as einwohner_55_64,
    coalesce(p.einwohner_65plus, 0) as einwohner_65plus,
    coalesce(p.einwohner_80plus, 0) as einwohner_80plus,
    coalesce(p.einwohner_nichtdeutsch, 0) as einwohner_nichtdeutsch,
    coalesce(h.haushalte, 0) as haushalte,
    coalesce(h.haushalte_mit_kindern, 0) as haushalte_mit_kindern,
    coalesce(h.haushalte_alleinerziehend, 0) as haushalte_alleinerziehend,
    coalesce(h.alleinlebende_65plus, 0) as alleinlebende_65plus,
    coalesce(h.alleinlebende_80plus, 0) as alleinlebende_80plus,
    coalesce(p.einwohner_mit_hauskoordinate, 0) as einwohner_mit_hauskoordinate,
    p.einwohner_500m_lebensmittel,
    p.einwohner_300m_haltestelle,
    r.lieferung_id
from raster as r
left join personen_je_wohnplatz as p
    on p.stichtag = r.stichtag and p.wohnplatz_id = r.wohnplatz_id
left join haushalte_je_wohnplatz as h
    on h.stichtag = r.stichtag and h.wohnplatz_id = r.wohnplatz_id
