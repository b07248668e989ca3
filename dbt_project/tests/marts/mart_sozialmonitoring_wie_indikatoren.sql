-- Every value and status in the wide mart_sozialmonitoring is the one of mart_indikatoren (same cell,
-- after suppression), and every row of mart_indikatoren appears in the wide mart.
-- depends_on: {{ ref('dim_indikator') }}, {{ ref('mart_sozialmonitoring') }}
{%- set indikatoren = [] %}
{%- if execute %}
    {%- set katalog_ref = ref('dim_indikator') %}
    {%- set katalog = adapter.get_relation(database=katalog_ref.database, schema=katalog_ref.schema,
                                           identifier=katalog_ref.identifier) %}
    {%- if katalog is none and flags.WHICH in ('test', 'build') %}
        {{ exceptions.raise_compiler_error("the indicator catalogue " ~ katalog_ref ~ " is not built") }}
    {%- elif katalog is not none %}
        {%- set indikatoren = run_query("select indikator_id from " ~ katalog_ref ~ " order by indikator_id").columns[0].values() | list %}
    {%- endif %}
{%- endif %}
with breit_lang as (
    {%- if not indikatoren %}
    select ebene, gebiet_id, stichtag, cast(null as {{ dbt.type_string() }}) as indikator_id,
           cast(null as {{ dbt.type_float() }}) as wert, cast(null as {{ dbt.type_string() }}) as status
    from {{ ref('mart_sozialmonitoring') }}
    where 1 = 0
    {%- endif %}
    {%- for id in indikatoren %}
    select ebene, gebiet_id, stichtag, '{{ id }}' as indikator_id, {{ id }} as wert, {{ id }}_status as status
    from {{ ref('mart_sozialmonitoring') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)
select
    coalesce(l.ebene, b.ebene) as ebene,
    coalesce(l.gebiet_id, b.gebiet_id) as gebiet_id,
    coalesce(l.stichtag, b.stichtag) as stichtag,
    coalesce(l.indikator_id, b.indikator_id) as indikator_id,
    l.wert as wert_lang,
    b.wert as wert_breit,
    l.status as status_lang,
    b.status as status_breit
from {{ ref('mart_indikatoren') }} as l
full outer join breit_lang as b
    on b.ebene = l.ebene
    and b.gebiet_id = l.gebiet_id
    and b.stichtag = l.stichtag
    and b.indikator_id = l.indikator_id
where (l.indikator_id is null and b.status is not null)
   or b.indikator_id is null
   or coalesce(l.status, '-') <> coalesce(b.status, '-')
   or (l.wert is null) <> (b.wert is null)
   or l.wert <> b.wert
