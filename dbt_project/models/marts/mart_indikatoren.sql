{#-
    The published indicator table in long form: fct_indikator for today's areas after the suppression
    macro (DESIGN.md section 5). Every other mart takes its indicator values from here, so that a cell
    is suppressed the same way wherever it is published.
-#}

with

gebiete as (
    select * from {{ ref('marts_gebiete') }}
),

indikatoren as (
    select * from {{ ref('dim_indikator') }}
),

zellen as (
    select
        f.ebene,
        f.gebiet_id,
        g.eltern_id,
        f.stichtag,
        f.indikator_id,
        f.zaehler,
        f.nenner,
        f.wert,
        f.status,
        f.status_grund,
        f.lieferung_ids,
        -- counts have no denominator; the minimum applies to rates only
        case when i.einheit = 'Anzahl' then null else i.mindestnenner end as mindestnenner,
        case when f.indikator_id in (
            {%- for i in sperrung_zaehler_ohne_personenbezug() %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        ) then false else true end as personenzahl
    from {{ ref('fct_indikator') }} as f
    inner join gebiete as g
        on g.ebene = f.ebene
        and g.gebiet_id = f.gebiet_id
    inner join indikatoren as i
        on i.indikator_id = f.indikator_id
),

veroeffentlicht as (
    {{ sperrung('zellen', gruppe=['indikator_id', 'stichtag'], weitere_spalten=['lieferung_ids']) }}
)

select
    v.ebene,
    v.gebiet_id,
    g.gebiet_name,
    g.kommune_ags,
    g.kommune_name,
    v.stichtag,
    v.indikator_id,
    i.name as indikator_name,
    i.thema,
    i.einheit,
    v.zaehler,
    v.nenner,
    v.wert,
    v.status,
    v.status_grund,
    v.lieferung_ids
from veroeffentlicht as v
inner join gebiete as g
    on g.ebene = v.ebene
    and g.gebiet_id = v.gebiet_id
inner join indikatoren as i
    on i.indikator_id = v.indikator_id
