-- Issue 9, item 6 (Fachkräftemangel): the replacement ratio and the share of 55-64 among 15-64 are in
-- the catalogue as context indicators, have values for every current Wohnplatz in fct_indikator at the
-- latest register Stichtag, and are published in mart_indikatoren. Lists what is missing.
with

soll as (
    select 'ersatzquote' as indikator_id union all select 'anteil_55_64'
),

katalog as (
    select indikator_id, kontext, im_index from {{ ref('dim_indikator') }}
),

letzter as (
    select max(stichtag) as stichtag from {{ ref('fct_indikator') }}
    where ebene = 'wohnplatz' and indikator_id = 'einwohner' and wert is not null
),

fakten as (
    select f.indikator_id, count(distinct f.gebiet_id) as gebiete
    from {{ ref('fct_indikator') }} as f
    inner join letzter as l on l.stichtag = f.stichtag
    where f.ebene = 'wohnplatz' and f.wert is not null
    group by f.indikator_id
),

veroeffentlicht as (
    select indikator_id, count(*) as zeilen
    from {{ ref('mart_indikatoren') }}
    where ebene = 'wohnplatz'
    group by indikator_id
),

wohnplaetze as (
    select count(*) as n from {{ ref('dim_wohnplatz') }} where ist_aktuell
)

select s.indikator_id,
       case
           when k.indikator_id is null then 'nicht im Katalog'
           when not coalesce(k.kontext, false) then 'im Katalog nicht als Kontextindikator'
           when k.im_index is not null and k.im_index <> '' then 'im Katalog als Statusindikator'
           when coalesce(f.gebiete, 0) < w.n then 'in fct_indikator nicht für jeden Wohnplatz am letzten Stichtag'
           when v.zeilen is null then 'nicht in mart_indikatoren'
       end as befund
from soll as s
cross join wohnplaetze as w
left join katalog as k on k.indikator_id = s.indikator_id
left join fakten as f on f.indikator_id = s.indikator_id
left join veroeffentlicht as v on v.indikator_id = s.indikator_id
where k.indikator_id is null
   or not coalesce(k.kontext, false)
   or (k.im_index is not null and k.im_index <> '')
   or coalesce(f.gebiete, 0) < w.n
   or v.zeilen is null
