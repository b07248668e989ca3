{#- Use the configured schema name as is (staging, intermediate, core, marts) instead of dbt's
    default "<target_schema>_<custom>", so the warehouse reads like the design. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
