-- mart_priorisierung against a direct query, computed without window functions: for every facility
-- and indicator the published value of its Wohnplatz at the indicator's latest Stichtag with a value,
-- and the rank as 1 + the number of facilities of the same kind with a strictly higher need (the need
-- is the value, turned round for polarity 'positiv'); facilities without a value come after all that
-- have one. Also: every facility of int_planung_einrichtungen appears once per such indicator.
with

p as (select * from {{ ref('mart_priorisierung') }}),
e as (select * from {{ ref('int_planung_einrichtungen') }}),
i as (select * from {{ ref('dim_indikator') }}),
m as (select * from {{ ref('mart_indikatoren') }} where ebene = 'wohnplatz'),

letzter as (
    select indikator_id, max(stichtag) as stichtag from m where wert is not null group by indikator_id
),

erwartet as (
    select
        e.einrichtung_id,
        e.art,
        i.indikator_id,
        l.stichtag,
        m.wert,
        case when i.polaritaet = 'positiv' then -m.wert else m.wert end as bedarf
    from e
    cross join i
    inner join letzter as l on l.indikator_id = i.indikator_id
    left join m on m.gebiet_id = e.wohnplatz_id and m.stichtag = l.stichtag and m.indikator_id = i.indikator_id
),

mit_rang as (
    select
        a.*,
        case
            when a.wert is not null then 1 + (
                select count(*) from erwartet as b
                where b.art = a.art and b.indikator_id = a.indikator_id
                  and b.wert is not null and b.bedarf > a.bedarf)
            else 1 + (
                select count(*) from erwartet as b
                where b.art = a.art and b.indikator_id = a.indikator_id and b.wert is not null)
        end as rang
    from erwartet as a
)

select
    coalesce(r.einrichtung_id, p.einrichtung_id) as einrichtung_id,
    coalesce(r.indikator_id, p.indikator_id) as indikator_id,
    r.rang as rang_erwartet,
    p.rang,
    r.wert as wert_erwartet,
    p.wert,
    case
        when p.einrichtung_id is null then 'fehlt in mart_priorisierung'
        when r.einrichtung_id is null then 'zu viel in mart_priorisierung'
        when r.stichtag <> p.stichtag then 'falscher Stichtag'
        when coalesce(r.wert, -1e300) <> coalesce(p.wert, -1e300) then 'falscher Wert'
        when r.rang <> p.rang then 'falscher Rang'
        when (p.wert is null) <> (p.quintil is null) or (p.wert is null) <> (p.rang_hinweis is not null)
            then 'Quintil oder Hinweis passt nicht zum Wert'
        when p.wert is null and p.status in ('ok', 'geschaetzt') then 'ohne Wert, aber Status sagt nicht warum'
    end as befund
from mit_rang as r
full outer join p
    on p.einrichtung_id = r.einrichtung_id
    and p.indikator_id = r.indikator_id
where p.einrichtung_id is null
   or r.einrichtung_id is null
   or r.stichtag <> p.stichtag
   or coalesce(r.wert, -1e300) <> coalesce(p.wert, -1e300)
   or r.rang <> p.rang
   or (p.wert is null) <> (p.quintil is null)
   or (p.wert is null) <> (p.rang_hinweis is not null)
   or (p.wert is null and p.status in ('ok', 'geschaetzt'))
