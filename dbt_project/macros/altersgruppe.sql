{#- Age band of fct_bevoelkerung (bands used by the youth and care plans). -#}
{% macro altersgruppe(alter) -%}
    case
        when {{ alter }} < 3 then '0-2'
        when {{ alter }} < 6 then '3-5'
        when {{ alter }} < 10 then '6-9'
        when {{ alter }} < 15 then '10-14'
        when {{ alter }} < 18 then '15-17'
        when {{ alter }} < 25 then '18-24'
        when {{ alter }} < 45 then '25-44'
        when {{ alter }} < 65 then '45-64'
        when {{ alter }} < 80 then '65-79'
        else '80+'
    end
{%- endmacro %}

{#- Completed years of age at the Stichtag from birth year and month. The Stichtag is the last day of
    a month, so everyone born in or before its month has had this year's birthday: exact without the day. -#}
{% macro alter_am_stichtag(stichtag, geburtsjahr, geburtsmonat) -%}
    (extract(year from {{ stichtag }}) - {{ geburtsjahr }}
     - case when coalesce({{ geburtsmonat }}, 1) > extract(month from {{ stichtag }}) then 1 else 0 end)
{%- endmacro %}
