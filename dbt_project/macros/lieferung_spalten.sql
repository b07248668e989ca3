{#- The lineage columns every staging model keeps (raw's `_` columns renamed). Reference data call
    the date `gebietsstand` instead of `stichtag`. -#}
{% macro lieferung_spalten(datum='stichtag') -%}
    _lieferung_id as lieferung_id,
    _periode as periode,
    _stichtag as {{ datum }},
    _bezugsdatum as bezugsdatum,
    _zeile as zeile
{%- endmacro %}
