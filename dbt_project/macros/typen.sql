{#- 8-byte floating point: 'double precision' is understood by DuckDB and PostgreSQL (dbt.type_float()
    would give DuckDB's 4-byte FLOAT). -#}
{% macro typ_double() -%}
    double precision
{%- endmacro %}

{#- Round a floating-point expression to `stellen` decimals. Sums of doubles depend on the order a
    parallel aggregation adds them in (last-bit differences); rounding keeps reruns byte-identical.
    PostgreSQL rounds only numeric, hence the dispatch. -#}
{% macro gerundet(ausdruck, stellen) -%}
    {{ return(adapter.dispatch('gerundet', 'sozialmonitor')(ausdruck, stellen)) }}
{%- endmacro %}
{% macro default__gerundet(ausdruck, stellen) -%}
    cast(round(cast({{ ausdruck }} as numeric), {{ stellen }}) as {{ typ_double() }})
{%- endmacro %}
{% macro duckdb__gerundet(ausdruck, stellen) -%}
    round({{ ausdruck }}, {{ stellen }})
{%- endmacro %}
