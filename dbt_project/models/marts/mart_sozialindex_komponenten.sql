{#-
    The Sozialindex broken down by indicator: per current Wohnplatz, Stichtag and configured indicator
    (status indicators summed into the index, context indicators beside it) the published value, its
    change over `dynamik_quartale` quarters and both z-values, computed by the macro
    sozialindex_komponenten (Berlin MSS method). `rang_status` orders the indicators of one role by
    their z-value (1 = furthest above the mean in the disadvantaged direction), so the indicators that
    drive a Wohnplatz's class are `where rolle = 'status' and rang_status <= 3`.

    Privacy: the index is computed from the PUBLISHED (suppressed) values of mart_indikatoren only, so
    every number here is a function of published numbers and cannot reveal a suppressed cell (z-values
    computed from hidden values would give them away through the mean and standard deviation). An area
    whose status indicator is suppressed is therefore not indexed, and says so. Only the threshold
    `mindest_einwohner` is checked against the unsuppressed population (it reveals no more than
    "at least that many inhabitants").
-#}
{%- set einstellungen = sozialindex_einstellungen() -%}
{%- set indikatoren = sozialindex_indikatoren(einstellungen) -%}
{%- set status_ids = einstellungen['status_indikatoren'] -%}
{%- set alle_ids = indikatoren | map(attribute='indikator_id') | list -%}

with

gebiete as (
    select * from {{ ref('marts_gebiete') }} where ebene = 'wohnplatz'
),

katalog as (
    select indikator_id, name, polaritaet from {{ ref('dim_indikator') }}
),

werte as (
    select
        gebiet_id,
        stichtag,
        indikator_id,
        wert,
        status,
        cast(extract(year from stichtag) * 4 + extract(quarter from stichtag) as integer) as quartal_nr
    from {{ ref('mart_indikatoren') }}
    where ebene = 'wohnplatz'
      and indikator_id in ('einwohner', {% for i in alle_ids %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

-- every Stichtag of the monitoring gets a row per Wohnplatz; where a status indicator is not due or
-- not delivered the areas are not indexed and say why
stichtage as (
    select distinct stichtag from werte
),

einwohner as (
    select gebiet_id, stichtag, zaehler as einwohner
    from {{ ref('fct_indikator') }}
    where ebene = 'wohnplatz'
      and indikator_id = 'einwohner'
),

index_gebiete as (
    select
        g.gebiet_id,
        s.stichtag,
        e.einwohner
    from gebiete as g
    cross join stichtage as s
    left join einwohner as e
        on e.gebiet_id = g.gebiet_id
        and e.stichtag = s.stichtag
),

eingabe as (
    select
        a.gebiet_id,
        a.stichtag,
        a.indikator_id,
        a.wert,
        case when a.wert is null then a.status end as wert_status,
        a.wert - v.wert as aenderung,
        case when v.wert is null then v.status end as vorwert_status,
        case when k.polaritaet = 'positiv' then -1 else 1 end as richtung
    from werte as a
    inner join stichtage as s
        on s.stichtag = a.stichtag
    inner join katalog as k
        on k.indikator_id = a.indikator_id
    left join werte as v
        on v.gebiet_id = a.gebiet_id
        and v.indikator_id = a.indikator_id
        and v.quartal_nr = a.quartal_nr - {{ einstellungen['dynamik_quartale'] | int }}
    where a.indikator_id <> 'einwohner'
),

komponenten as (
    {{ sozialindex_komponenten('eingabe', 'index_gebiete', indikatoren, einstellungen['mindest_einwohner']) }}
)

select
    c.gebiet_id,
    g.gebiet_name,
    g.kommune_ags,
    g.kommune_name,
    c.stichtag,
    c.indikator_id,
    k.name as indikator_name,
    c.rolle,
    k.polaritaet,
    c.richtung,
    c.wert,
    c.wert_status,
    c.aenderung,
    c.vorwert_status,
    c.status_indexiert,
    c.dynamik_indexiert,
    c.grund_nicht_indexiert,
    c.grund_ohne_dynamik,
    c.z_status,
    c.z_dynamik,
    case when c.z_status is not null then
        row_number() over (partition by c.gebiet_id, c.stichtag, c.rolle,
                                        case when c.z_status is null then 1 else 0 end
                           order by c.z_status desc, c.indikator_id)
    end as rang_status,
    case when c.z_dynamik is not null then
        row_number() over (partition by c.gebiet_id, c.stichtag, c.rolle,
                                        case when c.z_dynamik is null then 1 else 0 end
                           order by c.z_dynamik desc, c.indikator_id)
    end as rang_dynamik,
    -- the published (suppressed) population; the unsuppressed one only decided the threshold
    e.wert as einwohner
from komponenten as c
inner join gebiete as g
    on g.gebiet_id = c.gebiet_id
left join werte as e
    on e.gebiet_id = c.gebiet_id
    and e.stichtag = c.stichtag
    and e.indikator_id = 'einwohner'
inner join katalog as k
    on k.indikator_id = c.indikator_id
