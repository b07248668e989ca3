{#-
    Figures for the youth plan (Kinder- und Jugendförderplan) per level (Wohnplatz, Kommune, Kreis),
    area and Stichtag:
      * children and young people by age band (0-2, 3-5, 6-9, 10-14, 15-17, 18-20), counted from
        fct_bevoelkerung (main residences) and suppressed like every count (macro `sperrung`, one table
        per age band and Stichtag, with secondary suppression along Wohnplatz > Kommune > Kreis);
      * day-care coverage U3 and Ü3 (places per 100 children), HzE cases and cases per 1,000 under 21,
        child poverty (under-15s in SGB II), school-entry findings and caries in day care, taken from
        mart_indikatoren (already suppressed), each with the status of its cell.
    Indicator values are NULL (status NULL) at Stichtage they do not belong to (yearly / school year).
-#}
{%- set altersbaender = [
    ('kinder_0_2', 0, 2),
    ('kinder_3_5', 3, 5),
    ('kinder_6_9', 6, 9),
    ('kinder_10_14', 10, 14),
    ('jugendliche_15_17', 15, 17),
    ('junge_volljaehrige_18_20', 18, 20),
] -%}
{%- set kennzahlen = [
    ('kita_versorgung_u3', 'kita_versorgung_u3', 'wert'),
    ('kita_versorgung_ue3', 'kita_versorgung_ue3', 'wert'),
    ('hze_faelle', 'hze_quote', 'zaehler'),
    ('hze_quote', 'hze_quote', 'wert'),
    ('kinder_u15_sgb2', 'kinderarmut', 'zaehler'),
    ('kinderarmut', 'kinderarmut', 'wert'),
    ('seu_uebergewicht', 'seu_uebergewicht', 'wert'),
    ('seu_sprachfoerderbedarf', 'seu_sprachfoerderbedarf', 'wert'),
    ('seu_masern', 'seu_masern', 'wert'),
    ('seu_frueherkennung', 'seu_frueherkennung', 'wert'),
    ('kita_karies', 'kita_karies', 'wert'),
] -%}
{%- set indikatoren = kennzahlen | map(attribute=1) | unique | list -%}

with

gebiete as (
    select * from {{ ref('marts_gebiete') }}
),

wohnplatz_baender as (
    select
        b.wohnplatz_id,
        b.stichtag,
        case
            {%- for spalte, von, bis in altersbaender %}
            when b.alter_jahre between {{ von }} and {{ bis }} then '{{ spalte }}'
            {%- endfor %}
        end as altersband,
        sum(b.einwohner) as anzahl
    from {{ ref('fct_bevoelkerung') }} as b
    inner join gebiete as g
        on g.ebene = 'wohnplatz'
        and g.gebiet_id = b.wohnplatz_id
    where b.alter_jahre <= {{ altersbaender[-1][2] }}
    group by 1, 2, 3
),

-- counts per band for every level: Wohnplätze, their municipalities, the district
baender_je_gebiet as (
    select 'wohnplatz' as ebene, wohnplatz_id as gebiet_id, stichtag, altersband, anzahl
    from wohnplatz_baender

    union all

    select 'kommune' as ebene, g.eltern_id as gebiet_id, w.stichtag, w.altersband, sum(w.anzahl) as anzahl
    from wohnplatz_baender as w
    inner join gebiete as g
        on g.ebene = 'wohnplatz'
        and g.gebiet_id = w.wohnplatz_id
    group by g.eltern_id, w.stichtag, w.altersband

    union all

    select 'kreis' as ebene, k.eltern_id as gebiet_id, w.stichtag, w.altersband, sum(w.anzahl) as anzahl
    from wohnplatz_baender as w
    inner join gebiete as g
        on g.ebene = 'wohnplatz'
        and g.gebiet_id = w.wohnplatz_id
    inner join gebiete as k
        on k.ebene = 'kommune'
        and k.gebiet_id = g.eltern_id
    group by k.eltern_id, w.stichtag, w.altersband
),

-- every band for every area, so a band without people is a published 0, not a missing row
raster as (
    select g.ebene, g.gebiet_id, g.eltern_id, s.stichtag, a.altersband
    from gebiete as g
    cross join (select distinct stichtag from wohnplatz_baender) as s
    cross join (
        {%- for spalte, von, bis in altersbaender %}
        select '{{ spalte }}' as altersband{% if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as a
),

zellen as (
    select
        r.ebene,
        r.gebiet_id,
        r.eltern_id,
        r.stichtag,
        r.altersband,
        cast(coalesce(b.anzahl, 0) as {{ dbt.type_float() }}) as zaehler,
        cast(null as {{ dbt.type_float() }}) as nenner,
        cast(coalesce(b.anzahl, 0) as {{ dbt.type_float() }}) as wert,
        'ok' as status,
        cast(null as {{ dbt.type_string() }}) as status_grund,
        cast(null as {{ dbt.type_float() }}) as mindestnenner,
        true as personenzahl
    from raster as r
    left join baender_je_gebiet as b
        on b.ebene = r.ebene
        and b.gebiet_id = r.gebiet_id
        and b.stichtag = r.stichtag
        and b.altersband = r.altersband
),

baender_veroeffentlicht as (
    {{ sperrung('zellen', gruppe=['altersband', 'stichtag']) }}
),

baender_breit as (
    select
        ebene,
        gebiet_id,
        stichtag
        {%- for spalte, von, bis in altersbaender %},
        max(case when altersband = '{{ spalte }}' then zaehler end) as {{ spalte }},
        max(case when altersband = '{{ spalte }}' then status end) as {{ spalte }}_status
        {%- endfor %}
    from baender_veroeffentlicht
    group by ebene, gebiet_id, stichtag
),

indikatoren_breit as (
    select
        ebene,
        gebiet_id,
        stichtag
        {%- for spalte, indikator, feld in kennzahlen %},
        max(case when indikator_id = '{{ indikator }}' then {{ feld }} end) as {{ spalte }}
        {%- endfor %}
        {%- for indikator in indikatoren %},
        max(case when indikator_id = '{{ indikator }}' then status end) as {{ indikator }}_status
        {%- endfor %}
    from {{ ref('mart_indikatoren') }}
    where indikator_id in ({% for i in indikatoren %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by ebene, gebiet_id, stichtag
),

schluessel as (
    select ebene, gebiet_id, stichtag from baender_breit
    union
    select ebene, gebiet_id, stichtag from indikatoren_breit
)

select
    k.ebene,
    k.gebiet_id,
    g.gebiet_name,
    g.kommune_ags,
    g.kommune_name,
    k.stichtag
    {%- for spalte, von, bis in altersbaender %},
    b.{{ spalte }},
    -- a Stichtag without register data (the indicators' rows reach back further): not delivered
    coalesce(b.{{ spalte }}_status, 'fehlt') as {{ spalte }}_status
    {%- endfor %}
    {%- for spalte, indikator, feld in kennzahlen %},
    i.{{ spalte }}
    {%- endfor %}
    {%- for indikator in indikatoren %},
    i.{{ indikator }}_status
    {%- endfor %}
from schluessel as k
inner join gebiete as g
    on g.ebene = k.ebene
    and g.gebiet_id = k.gebiet_id
left join baender_breit as b
    on b.ebene = k.ebene
    and b.gebiet_id = k.gebiet_id
    and b.stichtag = k.stichtag
left join indikatoren_breit as i
    on i.ebene = k.ebene
    and i.gebiet_id = k.gebiet_id
    and i.stichtag = k.stichtag
