{#- Decode the mark the BA puts in place of a count (raw `<name>_kennung`): '*' = masked (1 or 2),
    '.' = not available. '-' (none) was already loaded as 0 with an empty mark. -#}
{% macro kennung_dekodiert(column) -%}
    case {{ column }} when '*' then 'maskiert' when '.' then 'nicht_verfuegbar' end
{%- endmacro %}

{#- Status of a measure from its decoded mark (int_kennzahlen_geliefert.kennung). -#}
{% macro status_aus_kennung(kennung) -%}
    case
        when {{ kennung }} is null then 'ok'
        when {{ kennung }} = 'maskiert' then 'gesperrt'
        else 'fehlt'
    end
{%- endmacro %}

{% macro status_grund_aus_kennung(kennung) -%}
    case {{ kennung }}
        when 'maskiert' then 'quelle_maskiert'
        when 'nicht_verfuegbar' then 'quelle_nicht_verfuegbar'
        when 'nicht_geliefert' then 'gebiet_nicht_geliefert'
    end
{%- endmacro %}
