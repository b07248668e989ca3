{#- Every row (optionally restricted by `where`) has a value in each of `columns`. One test per model
    instead of one `not_null` per column: every dbt test is a query of its own, and in Dagster an asset
    check with its own events, so 303 column tests cost ~6 s per refresh (docs/performance.md); this
    scans the model once. A failing row names the column and how many rows lack a value there. -#}
{% test not_null_columns(model, columns) %}
with fehlend as (
    select
        {%- for column in columns %}
        sum(case when {{ column }} is null then 1 else 0 end) as fehlt_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
)
{%- for column in columns %}
select '{{ column }}' as spalte, fehlt_{{ loop.index }} as zeilen_ohne_wert
from fehlend
where fehlt_{{ loop.index }} > 0
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
