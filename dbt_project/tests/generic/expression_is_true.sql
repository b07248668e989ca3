{#- Every row (optionally restricted by `where`) satisfies the SQL `expression`;
    failing rows are returned. With a column, the expression is appended to it ("column >= 0"). -#}
{% test expression_is_true(model, expression, column_name=none, where=none) %}
select *
from {{ model }}
where not coalesce(({% if column_name %}{{ column_name }} {% endif %}{{ expression }}), false)
{% if where %}and ({{ where }}){% endif %}
{% endtest %}
