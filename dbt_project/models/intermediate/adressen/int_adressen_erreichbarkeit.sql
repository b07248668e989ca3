-- For every address with a house coordinate and every year with an infrastructure delivery: is a grocery
-- store within 500 m, a bus stop within 300 m (straight line)? Fast without a spatial index: points are
-- binned into square cells as wide as the radius; an address only needs the points of its own and the
-- eight neighbouring cells, found by an equi-join, before the exact distance test.
-- A flag is NULL when the year's delivery of that layer is missing.
with radien as (
    select 'lebensmittel' as kategorie, 500.0 as radius
    union all
    select 'haltestelle' as kategorie, 300.0 as radius
),

versatz as (
    select -1 as d union all select 0 as d union all select 1 as d
),

punkte as (
    select p.stichtag, p.kategorie, p.ostwert, p.nordwert, r.radius
    from {{ ref('int_infrastruktur_punkte') }} as p
    inner join radien as r on r.kategorie = p.kategorie
),

geliefert as (
    -- a year's layer counts as delivered when its table was loaded, even if it holds no such point
    select distinct
        l.stichtag,
        case l.tabelle when 'infrastruktur' then 'lebensmittel' else 'haltestelle' end as kategorie
    from {{ ref('stg_lieferungen') }} as l
    where l.quelle = 'infrastruktur'
),

punkt_zellen as (
    select
        p.stichtag,
        p.kategorie,
        p.ostwert,
        p.nordwert,
        p.radius,
        cast(floor(p.ostwert / p.radius) as bigint) + dx.d as zelle_x,
        cast(floor(p.nordwert / p.radius) as bigint) + dy.d as zelle_y
    from punkte as p
    cross join versatz as dx
    cross join versatz as dy
),

adressen as (
    select
        ags,
        strassenschluessel,
        hausnummer,
        {{ adress_schluessel('ags', 'strassenschluessel', 'hausnummer') }} as adresse,
        ostwert,
        nordwert
    from {{ ref('int_hauskoordinaten') }}
),

adress_zellen as (
    select
        a.adresse,
        a.ostwert,
        a.nordwert,
        r.kategorie,
        cast(floor(a.ostwert / r.radius) as bigint) as zelle_x,
        cast(floor(a.nordwert / r.radius) as bigint) as zelle_y
    from adressen as a
    cross join radien as r
),

in_reichweite as (
    select
        pz.stichtag,
        az.adresse,
        max(case when az.kategorie = 'lebensmittel' then 1 else 0 end) as lebensmittel,
        max(case when az.kategorie = 'haltestelle' then 1 else 0 end) as haltestelle
    from adress_zellen as az
    inner join punkt_zellen as pz
        on pz.kategorie = az.kategorie
        and pz.zelle_x = az.zelle_x
        and pz.zelle_y = az.zelle_y
    where (az.ostwert - pz.ostwert) * (az.ostwert - pz.ostwert)
        + (az.nordwert - pz.nordwert) * (az.nordwert - pz.nordwert) <= pz.radius * pz.radius
    group by pz.stichtag, az.adresse
),

jahre as (
    select
        stichtag,
        max(case when kategorie = 'lebensmittel' then 1 else 0 end) as lebensmittel_geliefert,
        max(case when kategorie = 'haltestelle' then 1 else 0 end) as haltestellen_geliefert
    from geliefert
    group by stichtag
)

select
    j.stichtag,
    a.ags,
    a.strassenschluessel,
    a.hausnummer,
    a.adresse,
    case when j.lebensmittel_geliefert = 1 then coalesce(r.lebensmittel, 0) = 1 end as nahversorgung_500m,
    case when j.haltestellen_geliefert = 1 then coalesce(r.haltestelle, 0) = 1 end as oepnv_300m
from jahre as j
cross join adressen as a
left join in_reichweite as r
    on r.stichtag = j.stichtag
    and r.adresse = a.adresse
