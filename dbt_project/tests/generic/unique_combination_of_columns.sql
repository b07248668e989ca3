{#- The grain of a model: no two rows share the same values in `combination_of_columns`.
    Returns one row per duplicated key with its count. -#}
{% test unique_combination_of_columns(model, combination_of_columns, where=none) %}
select {{ combination_of_columns | join(', ') }}, count(*) as anzahl
from {{ model }}
{% if where %}where {{ where }}{% endif %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
