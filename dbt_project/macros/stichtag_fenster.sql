{#- The window a run (re)computes (ISO dates; default: the whole history). Dagster passes it in the
    environment (SOZIALMONITOR_VON_STICHTAG / SOZIALMONITOR_BIS_STICHTAG, orchestration/dbt/partition_vars.py),
    not as --vars: dbt re-parses the whole project (~4 s) whenever --vars differ from the last parse, but
    only the files that read an environment variable whose value changed. Vars `von_stichtag` /
    `bis_stichtag` still win, for runs by hand (`dbt build --vars '{von_stichtag: 2020-03-31, ...}'`). -#}
{% macro fenster_von() -%}
    {{- return(var('von_stichtag', env_var('SOZIALMONITOR_VON_STICHTAG', var('erster_stichtag')))) -}}
{%- endmacro %}

{% macro fenster_bis() -%}
    {{- return(var('bis_stichtag', env_var('SOZIALMONITOR_BIS_STICHTAG', '2099-12-31'))) -}}
{%- endmacro %}

{% macro stichtag_im_fenster(column) -%}
    {{ column }} between cast('{{ fenster_von() }}' as date) and cast('{{ fenster_bis() }}' as date)
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
