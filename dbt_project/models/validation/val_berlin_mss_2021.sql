{#-
    Feeds Berlin's published MSS 2021 table (seed berlin_mss_2021_index_plr, 542 planning areas)
    through the SAME macros as mart_sozialindex, two ways:
      1. the full chain from the published z-values: z-standardise each indicator again (the published
         z-values are already standardised, so this is the identity up to their rounding), add them up,
         standardise the sum, classify (sozialindex_komponenten + sozialindex_gebiete);
      2. the standardisation and classification alone, fed with the published sums (the sums were
         computed by Berlin from unrounded z-values, so this isolates the published rounding of the
         z-values from the method).
    Class thresholds and the minimum population are Berlin's (reference/README.md), written here and
    not read from the project's vars, so that a district choosing other thresholds does not break the
    reproduction of Berlin's method.
-#}
{%- set berlin_status_klassen = [
    {'klasse': 'hoch', 'unter': -1.0},
    {'klasse': 'mittel', 'bis': 1.0},
    {'klasse': 'niedrig', 'bis': 1.5},
    {'klasse': 'sehr niedrig'}] -%}
{%- set berlin_dynamik_klassen = [
    {'klasse': 'positiv', 'unter': -1.0},
    {'klasse': 'stabil', 'bis': 1.0},
    {'klasse': 'negativ'}] -%}
{%- set berlin_mindest_einwohner = 300 -%}
{%- set berlin_indikatoren = [
    {'indikator_id': 's1_arbeitslosigkeit', 'rolle': 'status', 'status': 'zS1', 'dynamik': 'zD1'},
    {'indikator_id': 's3_transferbezug', 'rolle': 'status', 'status': 'zS3', 'dynamik': 'zD3'},
    {'indikator_id': 's4_kinderarmut', 'rolle': 'status', 'status': 'zS4', 'dynamik': 'zD4'}] -%}
{%- set q = adapter.quote -%}

with

berlin as (
    select
        {{ q('PLR-ID') }} as gebiet_id,
        {{ q('PLR-Name') }} as gebiet_name,
        {{ q('EW 31.12.2020') }} as einwohner,
        cast('2020-12-31' as date) as stichtag,
        {{ q('zS1') }} as zs1,
        {{ q('zS3') }} as zs3,
        {{ q('zS4') }} as zs4,
        {{ q('Status-summe') }} as status_summe_berlin,
        {{ q('Status-Index (standardisierte Statussumme)') }} as status_index_berlin,
        {{ q('Zuordnung Klasse Status-Index ') }} as status_klasse_berlin,
        {{ q('zD1') }} as zd1,
        {{ q('zD3') }} as zd3,
        {{ q('zD4') }} as zd4,
        {{ q('Dynamik-summe') }} as dynamik_summe_berlin,
        {{ q('Dynamik-Index (standardisierte Dynamik-summe)') }} as dynamik_index_berlin,
        {{ q('Zuordnung Klasse Dynamik-Index ') }} as dynamik_klasse_berlin
    from {{ ref('berlin_mss_2021_index_plr') }}
),

gebiete as (
    select gebiet_id, stichtag, einwohner from berlin
),

-- the long input the macros expect: one row per area and indicator
komponenten as (
    {%- for i in berlin_indikatoren %}
    select
        gebiet_id,
        stichtag,
        '{{ i.indikator_id }}' as indikator_id,
        {{ i.status | lower }} as wert,
        case when {{ i.status | lower }} is null then 'leer in der Quelle' end as wert_status,
        {{ i.dynamik | lower }} as aenderung,
        case when {{ i.dynamik | lower }} is null then 'leer in der Quelle' end as vorwert_status,
        1 as richtung
    from berlin
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

berechnete_komponenten as (
    {{ sozialindex_komponenten('komponenten', 'gebiete', berlin_indikatoren, berlin_mindest_einwohner) }}
),

berechnet as (
    -- Berlin's table has no need-for-action flag: no rules (the flag column is not used here)
    {{ sozialindex_gebiete('berechnete_komponenten', berlin_status_klassen, berlin_dynamik_klassen, []) }}
),

z_neu as (
    select
        gebiet_id,
        {%- for i in berlin_indikatoren %}
        max(case when indikator_id = '{{ i.indikator_id }}' then z_status end) as {{ i.status | lower }}_neu,
        max(case when indikator_id = '{{ i.indikator_id }}' then z_dynamik end) as {{ i.dynamik | lower }}_neu
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from berechnete_komponenten
    group by gebiet_id
),

-- route 2: the published sums through the same standardisation and class macros
aus_summen as (
    select
        gebiet_id,
        {{ sozialindex_z('status_summe_berlin', 'stichtag', 'status_summe_berlin is not null') }}
            as status_index_aus_summe,
        {{ sozialindex_z('dynamik_summe_berlin', 'stichtag', 'dynamik_summe_berlin is not null') }}
            as dynamik_index_aus_summe
    from berlin
),

aus_summen_klassifiziert as (
    select
        gebiet_id,
        status_index_aus_summe,
        {{ sozialindex_klasse('status_index_aus_summe', berlin_status_klassen) }} as status_klasse_aus_summe,
        dynamik_index_aus_summe,
        {{ sozialindex_klasse('dynamik_index_aus_summe', berlin_dynamik_klassen) }} as dynamik_klasse_aus_summe
    from aus_summen
)

select
    b.gebiet_id as plr_id,
    b.gebiet_name as plr_name,
    b.einwohner,
    b.stichtag,
    r.status_indexiert,
    r.grund_nicht_indexiert,
    b.zs1, n.zs1_neu, b.zs3, n.zs3_neu, b.zs4, n.zs4_neu,
    b.status_summe_berlin,
    r.status_summe,
    b.status_index_berlin,
    r.status_index,
    s.status_index_aus_summe,
    b.status_klasse_berlin,
    r.status_klasse,
    s.status_klasse_aus_summe,
    r.dynamik_indexiert,
    b.zd1, n.zd1_neu, b.zd3, n.zd3_neu, b.zd4, n.zd4_neu,
    b.dynamik_summe_berlin,
    r.dynamik_summe,
    b.dynamik_index_berlin,
    r.dynamik_index,
    s.dynamik_index_aus_summe,
    b.dynamik_klasse_berlin,
    r.dynamik_klasse,
    s.dynamik_klasse_aus_summe,
    r.gebiete_im_statusindex,
    -- the error the rounding of the published values alone can cause in an index recomputed from the
    -- z-values: half a unit of the index's own rounding plus three half-units of the z-values'
    -- rounding carried through the standardisation of the sum
    0.005 + 3 * 0.005 / stddev_pop(r.status_summe) over () as rundungsgrenze_status_index,
    0.005 + 3 * 0.005 / stddev_pop(r.dynamik_summe) over () as rundungsgrenze_dynamik_index
from berlin as b
inner join berechnet as r on r.gebiet_id = b.gebiet_id
inner join z_neu as n on n.gebiet_id = b.gebiet_id
inner join aus_summen_klassifiziert as s on s.gebiet_id = b.gebiet_id
