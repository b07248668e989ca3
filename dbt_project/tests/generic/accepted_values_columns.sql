{#- Each of `columns` (a mapping column -> accepted values) holds only its accepted values; NULL passes, as
    in dbt's `accepted_values`. One test per model instead of one per column, for the reason given in
    not_null_columns.sql: every dbt test is a query and a Dagster asset check of its own (85 column tests
    were 34 models). A failing row names the column, the value found and how many rows have it.
    Strings are compared as strings (quoted); numbers and booleans as they are, like `quote: false`. -#}
{% test accepted_values_columns(model, columns) %}
{%- for column, values in columns.items() %}
select '{{ column }}' as spalte, cast({{ column }} as varchar) as wert, count(*) as zeilen
from {{ model }}
where {{ column }} is not null
  and {{ column }} not in (
    {%- for value in values -%}
    {%- if value is string -%}'{{ value | replace("'", "''") }}'{%- else -%}{{ value }}{%- endif -%}
    {{- ", " if not loop.last -}}
    {%- endfor -%})
group by {{ column }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{% endtest %}
