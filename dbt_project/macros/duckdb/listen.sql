{#- String/list helpers whose SQL differs between engines (DuckDB list functions). -#}

{#- A comma-separated list of ids (possibly with repeats and empty items, e.g. the concatenation of two
    lists) as a sorted, duplicate-free comma-separated list; NULL stays NULL, an empty list becomes NULL. -#}
{% macro id_liste_bereinigt(liste) -%}
    {{ return(adapter.dispatch('id_liste_bereinigt', 'sozialmonitor')(liste)) }}
{%- endmacro %}
{% macro duckdb__id_liste_bereinigt(liste) -%}
    nullif(array_to_string(list_sort(list_distinct(list_filter(string_split({{ liste }}, ','), lambda x: x <> ''))), ','), '')
{%- endmacro %}

{#- The leading number of a house number as written by hand: "12a" -> 12, "12-14" -> 12, " 7 b" -> 7;
    NULL when there is none. -#}
{% macro erste_ganzzahl(text) -%}
    {{ return(adapter.dispatch('erste_ganzzahl', 'sozialmonitor')(text)) }}
{%- endmacro %}
{% macro duckdb__erste_ganzzahl(text) -%}
    try_cast(nullif(regexp_extract({{ text }}, '[0-9]+'), '') as integer)
{%- endmacro %}

{#- A 64-bit integer hash of a (pseudonymised) key: cheaper to store and group than the 20-char text,
    collisions negligible for the few hundred thousand households of a district (birthday bound 2^-64). -#}
{% macro ganzzahl_hash(ausdruck) -%}
    {{ return(adapter.dispatch('ganzzahl_hash', 'sozialmonitor')(ausdruck)) }}
{%- endmacro %}
{% macro duckdb__ganzzahl_hash(ausdruck) -%}
    hash({{ ausdruck }})
{%- endmacro %}

{#- An integer key for an address (municipality, street key, numeric house number): joining 13 million
    register rows on one 64-bit integer is several times faster than on three columns with text. -#}
{% macro adress_schluessel(ags, strassenschluessel, hausnummer) -%}
    {{ return(adapter.dispatch('adress_schluessel', 'sozialmonitor')(ags, strassenschluessel, hausnummer)) }}
{%- endmacro %}
{% macro duckdb__adress_schluessel(ags, strassenschluessel, hausnummer) -%}
    hash({{ ags }}, {{ strassenschluessel }}, {{ hausnummer }})
{%- endmacro %}
