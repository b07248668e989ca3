{#- The raw table of a source - or, while the extraction has not created it yet (an office that never
    delivered, a fresh warehouse), an empty relation with the same typed columns (the sources' data_type,
    generated from the contracts). The staging layer thus always builds and the missing delivery
    surfaces downstream as 'fehlt' instead of a crash. Lineage is unchanged: source() is always called. -#}
{% macro quelle_oder_leer(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set vorhanden = adapter.get_relation(database=relation.database, schema=relation.schema,
                                             identifier=relation.identifier) -%}
    {%- if vorhanden is not none -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set knoten = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
    {%- set spalten = [] -%}
    {%- for name, spalte in knoten.columns.items() -%}
        {%- do spalten.append('cast(null as ' ~ spalte.data_type ~ ') as ' ~ adapter.quote(name)) -%}
    {%- endfor -%}
    {%- do log('raw.' ~ table_name ~ ' does not exist yet: ' ~ source_name ~ ' read as empty', info=true) -%}
    {{ return('(select ' ~ spalten | join(', ') ~ ' where 1 = 0) as ' ~ adapter.quote(table_name)) }}
{%- endmacro %}
