{#- Two models agree on a total per group: sum of `column_name` here equals the sum of
    `compare_column` in `compare_model` (each restricted by its where), within a relative `tolerance`.
    Used where a model must account for every record of its input (nothing dropped silently). -#}
{% test totals_match(model, column_name, compare_model, compare_column, group_by,
                     where=none, compare_where=none, tolerance=0.000001) %}
{{ summenvergleich_sql(model, column_name, compare_model, compare_column, group_by, where, compare_where, tolerance) }}
{% endtest %}
