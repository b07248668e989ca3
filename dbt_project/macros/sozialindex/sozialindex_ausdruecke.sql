{#-
    The three building blocks of the Berlin MSS method as SQL expressions. Portable SQL only
    (window aggregates avg/stddev_pop, CASE), so the same macros run on DuckDB, PostgreSQL, Trino, Spark.
-#}

{#-
    z-value of `wert` across the rows of one window (`partition_by`, e.g. "stichtag, indikator_id"),
    counting only the rows where `nur_wenn` holds (the indexed areas): (x - mean) / sd with the
    POPULATION standard deviation (ddof = 0) and no weights, as Berlin's MSS does. Rows outside the
    condition get NULL. If every counted value is the same (sd = 0) every counted row is 0: the
    limit of "no difference to the mean", instead of a division by zero.
-#}
{% macro sozialindex_z(wert, partition_by, nur_wenn='1 = 1', ordnung='gebiet_id') -%}
    {%- set bedingung = '(' ~ nur_wenn ~ ') and (' ~ wert ~ ') is not null' -%}
    {#- The same deliveries must give the same marts to the bit. A window aggregate adds its rows in the
        order they arrive, and a parallel scan delivers them in another order on each run (last-bit
        differences). Ordering the window by a unique key (`ordnung`) over the whole partition fixes the
        order of the additions; the rounding to 12 decimals only trims the noise of the division. -#}
    {%- set fenster = 'partition by ' ~ partition_by ~ ' order by ' ~ ordnung
                      ~ ' rows between unbounded preceding and unbounded following' -%}
    case when {{ bedingung }} then
        round(coalesce(
            ({{ wert }} - avg(case when {{ bedingung }} then {{ wert }} end) over ({{ fenster }}))
            / nullif(stddev_pop(case when {{ bedingung }} then {{ wert }} end) over ({{ fenster }}), 0),
            0
        ), 12)
    end
{%- endmacro %}


{#-
    Class of an index value. `klassen` is an ascending list of {klasse, unter | bis} (see
    sozialindex_einstellungen); NULL index -> NULL class.
-#}
{% macro sozialindex_klasse(index_wert, klassen) -%}
    case
        when {{ index_wert }} is null then null
    {%- for k in klassen %}
        {%- if k.get('unter') is not none %}
        when {{ index_wert }} < {{ k['unter'] }} then '{{ k["klasse"] }}'
        {%- elif k.get('bis') is not none %}
        when {{ index_wert }} <= {{ k['bis'] }} then '{{ k["klasse"] }}'
        {%- else %}
        else '{{ k["klasse"] }}'
        {%- endif %}
    {%- endfor %}
    end
{%- endmacro %}


{#-
    Need-for-action flag from the configured rules. SQL's three-valued logic does the right thing for
    an area whose dynamics are unknown (first years of the series): TRUE if some rule already matches
    on the status alone, FALSE if no rule can match whatever the dynamics are, NULL otherwise.
    Areas without a status class (not indexed) get NULL.
-#}
{% macro sozialindex_handlungsbedarf(status_klasse, dynamik_klasse, regeln) -%}
    {%- set bedingungen = [] -%}
    {%- for r in regeln -%}
        {%- set teile = [] -%}
        {%- if r['status'] != '*' -%}{%- do teile.append(status_klasse ~ " = '" ~ r['status'] ~ "'") -%}{%- endif -%}
        {%- if r['dynamik'] != '*' -%}{%- do teile.append(dynamik_klasse ~ " = '" ~ r['dynamik'] ~ "'") -%}{%- endif -%}
        {%- do bedingungen.append('(' ~ (teile | join(' and ') if teile else '1 = 1') ~ ')') -%}
    {%- endfor -%}
    case when {{ status_klasse }} is null then null
         else ({{ bedingungen | join(' or ') if bedingungen else '1 = 0' }})
    end
{%- endmacro %}
