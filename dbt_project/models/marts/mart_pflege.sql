{#-
    Figures for the care plan (Pflegebedarfsplanung) per level (Wohnplatz, Kommune, Kreis), area and
    Stichtag: people aged 65+ and 80+, people aged 80+ living alone, recipients of help for care (per
    100 aged 65+), places in nursing homes and in day care (per 100 aged 80+), each with the status of
    its cell and its change over two years (eight quarters earlier; the yearly care figures thus compare
    31.12. with 31.12. two years before). Every number comes from mart_indikatoren, i.e. after the
    suppression; a change is only given when both values are published. Yearly figures are NULL (status
    NULL) at the Stichtage they do not belong to.
-#}
{#- (column, indicator, field): a column named like an indicator id carries that indicator's value
    (the convention of the quality suites), counts get their own names. -#}
{%- set kennzahlen = [
    ('einwohner_65plus', 'anteil_65plus', 'zaehler'),
    ('anteil_65plus', 'anteil_65plus', 'wert'),
    ('einwohner_80plus', 'anteil_80plus', 'zaehler'),
    ('anteil_80plus', 'anteil_80plus', 'wert'),
    ('alleinlebende_80plus_anzahl', 'alleinlebende_80plus', 'zaehler'),
    ('alleinlebende_80plus', 'alleinlebende_80plus', 'wert'),
    ('hilfe_zur_pflege_empfaenger', 'hilfe_zur_pflege', 'zaehler'),
    ('hilfe_zur_pflege', 'hilfe_zur_pflege', 'wert'),
    ('pflegeheimplaetze', 'pflegeheimplaetze_80plus', 'zaehler'),
    ('pflegeheimplaetze_80plus', 'pflegeheimplaetze_80plus', 'wert'),
    ('tagespflegeplaetze', 'tagespflegeplaetze_80plus', 'zaehler'),
    ('tagespflegeplaetze_80plus', 'tagespflegeplaetze_80plus', 'wert'),
] -%}
{%- set indikatoren = kennzahlen | map(attribute=1) | unique | list -%}
{%- set trend_quartale = 8 -%}

with

werte as (
    select
        ebene,
        gebiet_id,
        gebiet_name,
        kommune_ags,
        kommune_name,
        stichtag,
        cast(extract(year from stichtag) * 4 + extract(quarter from stichtag) as integer) as quartal_nr,
        indikator_id,
        zaehler,
        wert,
        status
    from {{ ref('mart_indikatoren') }}
    where indikator_id in ({% for i in indikatoren %}'{{ i }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

breit as (
    select
        ebene,
        gebiet_id,
        max(gebiet_name) as gebiet_name,
        max(kommune_ags) as kommune_ags,
        max(kommune_name) as kommune_name,
        stichtag,
        quartal_nr
        {%- for spalte, indikator, feld in kennzahlen %},
        max(case when indikator_id = '{{ indikator }}' then {{ feld }} end) as {{ spalte }}
        {%- endfor %}
        {%- for indikator in indikatoren %},
        max(case when indikator_id = '{{ indikator }}' then status end) as {{ indikator }}_status
        {%- endfor %}
    from werte
    group by ebene, gebiet_id, stichtag, quartal_nr
)

select
    a.ebene,
    a.gebiet_id,
    a.gebiet_name,
    a.kommune_ags,
    a.kommune_name,
    a.stichtag
    {%- for spalte, indikator, feld in kennzahlen %},
    a.{{ spalte }},
    a.{{ spalte }} - v.{{ spalte }} as {{ spalte }}_veraenderung_2j
    {%- endfor %}
    {%- for indikator in indikatoren %},
    a.{{ indikator }}_status
    {%- endfor %}
from breit as a
left join breit as v
    on v.ebene = a.ebene
    and v.gebiet_id = a.gebiet_id
    and v.quartal_nr = a.quartal_nr - {{ trend_quartale }}
