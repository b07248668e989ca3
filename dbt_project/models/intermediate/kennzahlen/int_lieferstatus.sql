-- Period alignment: every periodic source at every Stichtag of the calendar where it is due (quarterly
-- sources every quarter; yearly and school-year sources only at the Stichtag of their reference
-- quarter - a yearly value belongs to that one Stichtag and is never repeated), with the files
-- delivered for it. The register arrives as one file per municipality and counts as delivered when
-- every municipality's snapshot is in.
with quellen as (
    select * from {{ ref('quellen') }} where turnus <> 'bei_aenderung'
),

faellig as (
    select q.quelle, q.turnus, s.stichtag
    from quellen as q
    cross join {{ ref('int_stichtage') }} as s
    where q.turnus = 'quartal' or s.quartal = q.bezugsquartal
),

lieferungen as (
    select
        quelle,
        stichtag,
        count(distinct case when tabelle = 'melderegister_bestand' then teil end) as register_teile,
        count(distinct lieferung_id) as dateien,
        {{ id_liste_bereinigt(dbt.listagg('lieferung_id', "','")) }} as lieferung_ids
    from {{ ref('stg_lieferungen') }}
    group by quelle, stichtag
),

kommunen as (
    select count(*) as anzahl from {{ ref('kommunen') }}
)

select
    f.quelle,
    f.turnus,
    f.stichtag,
    coalesce(l.dateien, 0) as dateien,
    case
        when l.quelle is null then 'fehlt'
        when f.quelle = 'melderegister' and l.register_teile < k.anzahl then 'teilweise'
        else 'geliefert'
    end as lieferstatus,
    l.lieferung_ids
from faellig as f
cross join kommunen as k
left join lieferungen as l on l.quelle = f.quelle and l.stichtag = f.stichtag
