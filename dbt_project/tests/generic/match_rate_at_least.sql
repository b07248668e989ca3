{#- Area assignment gate: the match rate in `column_name` (share 0..1) is at least `minimum`
    (a number or the name of a dbt var holding it) for every row matching `where`. -#}
{% test match_rate_at_least(model, column_name, minimum, where=none) %}
{%- set floor = var(minimum) if minimum is string else minimum -%}
select *
from {{ model }}
where ({{ column_name }} is null or {{ column_name }} < {{ floor }})
{% if where %}and ({{ where }}){% endif %}
{% endtest %}
