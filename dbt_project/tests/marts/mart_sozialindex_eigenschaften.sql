-- Properties mart_sozialindex must have whatever the data (checked independently of the macros):
--  1. per Stichtag the status and dynamics index have mean 0 and population sd 1 over the indexed
--     areas, and so has every indicator's z-value (status and context) over the areas that have one;
--  2. status/dynamics sum = sum of the status indicators' z-values of mart_sozialindex_komponenten;
--  3. indexed <=> class present <=> no reason; a flag only for indexed areas;
--  4. the inputs are the published values of mart_indikatoren (a suppressed value is never used) and
--     the published population is shown;
--  5. an indexed area has at least `mindest_einwohner` inhabitants.
{%- set e = sozialindex_einstellungen() %}
with

idx as (select * from {{ ref('mart_sozialindex') }}),
komp as (select * from {{ ref('mart_sozialindex_komponenten') }}),
ind as (select * from {{ ref('mart_indikatoren') }} where ebene = 'wohnplatz'),

verteilung_index as (
    select stichtag, 'status_index' as groesse, avg(status_index) as mittel, stddev_pop(status_index) as sd,
           count(status_index) as n
    from idx where status_indexiert group by stichtag
    union all
    select stichtag, 'dynamik_index', avg(dynamik_index), stddev_pop(dynamik_index), count(dynamik_index)
    from idx where dynamik_indexiert group by stichtag
    union all
    select stichtag, {{ dbt.concat(["'z_status '", "indikator_id"]) }}, avg(z_status), stddev_pop(z_status), count(z_status)
    from komp where status_indexiert group by stichtag, indikator_id
    union all
    select stichtag, {{ dbt.concat(["'z_dynamik '", "indikator_id"]) }}, avg(z_dynamik), stddev_pop(z_dynamik), count(z_dynamik)
    from komp where dynamik_indexiert group by stichtag, indikator_id
),

summen as (
    select gebiet_id, stichtag,
           sum(case when rolle = 'status' then z_status end) as status_summe,
           sum(case when rolle = 'status' then z_dynamik end) as dynamik_summe
    from komp group by gebiet_id, stichtag
),

einwohner_intern as (
    select gebiet_id, stichtag, zaehler as einwohner
    from {{ ref('fct_indikator') }}
    where ebene = 'wohnplatz' and indikator_id = 'einwohner'
)

select cast(null as {{ dbt.type_string() }}) as gebiet_id, stichtag, groesse as befund
from verteilung_index
where n >= 2 and (abs(mittel) > 1e-9 or (sd > 0 and abs(sd - 1) > 1e-9))

union all

select i.gebiet_id, i.stichtag, 'Summe passt nicht zu den z-Werten'
from idx as i
inner join summen as s on s.gebiet_id = i.gebiet_id and s.stichtag = i.stichtag
where (i.status_indexiert and abs(i.status_summe - s.status_summe) > 1e-9)
   or (i.dynamik_indexiert and abs(i.dynamik_summe - s.dynamik_summe) > 1e-9)

union all

select gebiet_id, stichtag, 'Indexierung, Klasse und Grund widersprechen sich'
from idx
where (status_indexiert and (status_klasse is null or grund_nicht_indexiert is not null))
   or (not status_indexiert and (status_klasse is not null or grund_nicht_indexiert is null
                                 or handlungsbedarf is not null or dynamik_indexiert))
   or (dynamik_indexiert and (dynamik_klasse is null or grund_ohne_dynamik is not null))
   or (not dynamik_indexiert and (dynamik_klasse is not null or grund_ohne_dynamik is null))

union all

select k.gebiet_id, k.stichtag, {{ dbt.concat(["'Eingabe nicht der veröffentlichte Wert: '", "k.indikator_id"]) }}
from komp as k
left join ind as m
    on m.gebiet_id = k.gebiet_id and m.stichtag = k.stichtag and m.indikator_id = k.indikator_id
where (m.wert is null and k.wert is not null)
   or (m.wert is not null and (k.wert is null or k.wert <> m.wert))
   or (m.status = 'gesperrt' and (k.z_status is not null or k.aenderung is not null))

union all

select i.gebiet_id, i.stichtag, 'Einwohnerzahl nicht die veröffentlichte'
from idx as i
left join ind as m
    on m.gebiet_id = i.gebiet_id and m.stichtag = i.stichtag and m.indikator_id = 'einwohner'
where coalesce(m.wert, -1) <> coalesce(i.einwohner, -1)

union all

select i.gebiet_id, i.stichtag, 'indexiert trotz zu weniger Einwohner'
from idx as i
left join einwohner_intern as e
    on e.gebiet_id = i.gebiet_id and e.stichtag = i.stichtag
where i.status_indexiert and (e.einwohner is null or e.einwohner < {{ e['mindest_einwohner'] }})
