{#- The area crosswalk neither loses nor invents anything: per group (e.g. source, Stichtag, measure)
    the sum of `column_name` in the crosswalked model (restricted by `where`) equals the sum of
    `original_column` in the model as delivered (restricted by `original_where`), within a relative
    `tolerance` (default 1e-4: carried values are rounded to 6 decimals). Groups present on one side
    only fail as well; groups with an unknown (masked) delivered value are skipped, since a masked old
    area makes the new areas it feeds unknown. -#}
{% test crosswalk_preserves_totals(model, column_name, original, original_column, group_by,
                                   where=none, original_where=none, tolerance=0.0001) %}
{{ summenvergleich_sql(model, column_name, original, original_column, group_by, where, original_where, tolerance, nur_vollstaendige_gruppen=true) }}
{% endtest %}
