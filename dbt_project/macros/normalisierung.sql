{#- Street names as offices write them by hand ("Hauptstr.", "Haupt-Straße", "HAUPTSTRASSE ",
    "Kölner Str") reduced to one comparable form: lower case, umlauts and ß transliterated,
    "str." / "str" at a word end spelled out as "strasse", every non-alphanumeric character removed.
    "Am Markt" -> "ammarkt", "Kölner Str." -> "koelnerstrasse". Portable SQL (regexp_replace with
    flag 'g' exists in DuckDB and PostgreSQL). -#}
{% macro strassenname_normalisiert(column) -%}
    regexp_replace(
        regexp_replace(
            {{ umlaute_transliteriert('lower(trim(' ~ column ~ '))') }},
            'str(\.|$|[^a-z])', 'strasse\1', 'g'),
        '[^a-z0-9]', '', 'g')
{%- endmacro %}

{#- Place names: "Leichlingen (Rhld.)" and "Leichlingen" both become "leichlingen";
    "Bergisch-Gladbach" and "Bergisch Gladbach" become "bergischgladbach". -#}
{% macro ortsname_normalisiert(column) -%}
    regexp_replace(
        regexp_replace({{ umlaute_transliteriert('lower(trim(' ~ column ~ '))') }}, '\(.*\)', '', 'g'),
        '[^a-z0-9]', '', 'g')
{%- endmacro %}

{% macro umlaute_transliteriert(expression) -%}
    replace(replace(replace(replace({{ expression }}, 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss')
{%- endmacro %}
