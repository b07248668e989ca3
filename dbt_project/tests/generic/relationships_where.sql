{#- Referential integrity against a filtered parent: every non-null value of the column exists in
    `to`.`field` among the rows matching `to_where` (dbt's `relationships` can filter the child only).
    E.g. every Wohnplatz of a person exists in TODAY's scheme. -#}
{% test relationships_where(model, column_name, to, field, to_where=none) %}
with parent as (
    select {{ field }} as schluessel from {{ to }}
    where {{ field }} is not null {% if to_where %}and ({{ to_where }}){% endif %}
)
select distinct {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (select schluessel from parent)
{% endtest %}
