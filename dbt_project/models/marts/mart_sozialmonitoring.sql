{#-
    The monitoring in wide form: one row per level (Wohnplatz, Kommune, Kreis), area and Stichtag, with
    the published (suppressed) value and the status of every indicator of the catalogue. The indicator
    columns are generated from the catalogue (core.dim_indikator, from the seed `indikatoren`, in the
    order of `reihenfolge`) when the model runs, so a new catalogue entry becomes a column without an
    edit here; tests/marts/mart_sozialmonitoring_spalten_wie_katalog.sql checks the columns against the
    catalogue. A value is NULL when the indicator is suppressed ('gesperrt'), missing ('fehlt') or not
    due at this Stichtag (status NULL: yearly and school-year indicators belong to their own Stichtag).
-#}
{%- set indikatoren = [] -%}
{%- if execute -%}
    {%- set katalog_ref = ref('dim_indikator') -%}
    {%- set katalog = adapter.get_relation(database=katalog_ref.database, schema=katalog_ref.schema,
                                           identifier=katalog_ref.identifier) -%}
    {%- if katalog is none and flags.WHICH in ('run', 'build') -%}
        {{ exceptions.raise_compiler_error("mart_sozialmonitoring: the indicator catalogue " ~ katalog_ref ~ " is not built") }}
    {%- elif katalog is not none -%}
        {%- set ids = run_query("select indikator_id from " ~ katalog_ref ~ " order by reihenfolge, indikator_id") -%}
        {%- set indikatoren = ids.columns[0].values() | list -%}
        {%- if indikatoren | length == 0 -%}
            {{ exceptions.raise_compiler_error("mart_sozialmonitoring: the indicator catalogue (dim_indikator) is empty") }}
        {%- endif -%}
    {%- endif -%}
    {#- `dbt compile` / `docs generate` on a warehouse without the catalogue: key columns only -#}
{%- endif %}
-- the catalogue is read at run time (above); this line tells dbt about the dependency
-- depends_on: {{ ref('dim_indikator') }}

with

werte as (
    select * from {{ ref('mart_indikatoren') }}
)

select
    ebene,
    gebiet_id,
    max(gebiet_name) as gebiet_name,
    max(kommune_ags) as kommune_ags,
    max(kommune_name) as kommune_name,
    stichtag
    {%- for id in indikatoren %},
    max(case when indikator_id = '{{ id }}' then wert end) as {{ id }},
    max(case when indikator_id = '{{ id }}' then status end) as {{ id }}_status
    {%- endfor %}
from werte
group by ebene, gebiet_id, stichtag
