{#- The window a run (re)computes: vars `von_stichtag` / `bis_stichtag` (ISO dates, set by Dagster from
    the partition range; default: the whole history). -#}

{% macro stichtag_im_fenster(column) -%}
    {{ column }} between cast('{{ var("von_stichtag") }}' as date) and cast('{{ var("bis_stichtag") }}' as date)
{%- endmacro %}

{#- Filter for person-level incremental models: on an incremental run only the window is read;
    a first build (or --full-refresh) computes every Stichtag the data holds. -#}
{% macro nur_im_fenster(column) -%}
    {%- if is_incremental() -%}({{ stichtag_im_fenster(column) }}){%- else -%}(1 = 1){%- endif -%}
{%- endmacro %}

{#- Incremental strategy `stichtag_fenster` (delete+insert by Stichtag): delete every row of the
    window, then insert what the run computed for it. Unlike delete+insert on a unique key this also
    removes Stichtage that no longer produce rows (a delivery withdrawn). Plain SQL, portable. -#}
{% macro get_incremental_stichtag_fenster_sql(arg_dict) %}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    delete from {{ target }} where {{ stichtag_im_fenster('stichtag') }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{% endmacro %}
