{#- Status of a sum over areas: an area missing from the delivery -> 'fehlt'; any part masked by the
    source -> 'gesperrt' (it stays masked even where another part is not available); any other missing
    part -> 'fehlt'; complete with an estimated part -> 'geschaetzt'; else 'ok'.
    `teile` is the number of areas the sum must contain. -#}
{% macro status_einer_summe(status, teile) -%}
    case
        when count(*) < {{ teile }} then 'fehlt'
        when sum(case when {{ status }} = 'gesperrt' then 1 else 0 end) > 0 then 'gesperrt'
        when sum(case when {{ status }} = 'fehlt' then 1 else 0 end) > 0 then 'fehlt'
        when sum(case when {{ status }} = 'geschaetzt' then 1 else 0 end) > 0 then 'geschaetzt'
        else 'ok'
    end
{%- endmacro %}

{% macro status_grund_einer_summe(status, status_grund, teile) -%}
    case
        when count(*) < {{ teile }} then 'gebiet_fehlt'
        when sum(case when {{ status }} = 'gesperrt' then 1 else 0 end) > 0 then 'quelle_maskiert'
        when sum(case when {{ status }} = 'fehlt' then 1 else 0 end) > 0
            then min(case when {{ status }} = 'fehlt' then {{ status_grund }} end)
        when sum(case when {{ status }} = 'geschaetzt' then 1 else 0 end) > 0 then 'umgeschluesselt'
    end
{%- endmacro %}
