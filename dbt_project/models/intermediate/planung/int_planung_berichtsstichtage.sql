{#-
    The report Stichtage of mart_handlungsraeume, one per report year, from the dbt var `planung`:
      berichtsquartal    in every year, the Stichtag of this quarter is the report (default 4: 31.12.)
      berichtsstichtage  optional explicit list of ISO dates; when not empty it replaces berichtsquartal
    A typo fails the compilation here instead of silently producing an empty mart. A configured date that
    is not a Stichtag of dim_stichtag is reported by the test planung_berichtsstichtage_bekannt.
-#}
{%- set planung = var('planung', {}) or {} -%}
{%- set quartal = planung.get('berichtsquartal', 4) -%}
{%- set liste = planung.get('berichtsstichtage') or [] -%}
{%- if quartal | string not in ['1', '2', '3', '4'] -%}
    {{ exceptions.raise_compiler_error("planung.berichtsquartal must be 1, 2, 3 or 4, not `" ~ quartal ~ "`") }}
{%- endif -%}
{%- for datum in liste -%}
    {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', datum | string) -%}
        {{ exceptions.raise_compiler_error("planung.berichtsstichtage: `" ~ datum ~ "` is not an ISO date (YYYY-MM-DD)") }}
    {%- endif -%}
{%- endfor -%}

select
    s.jahr as berichtsjahr,
    s.stichtag,
    s.quartal_label
from {{ ref('dim_stichtag') }} as s
{%- if liste | length > 0 %}
where s.stichtag in ({% for datum in liste %}cast('{{ datum }}' as date){% if not loop.last %}, {% endif %}{% endfor %})
{%- else %}
where s.quartal = {{ quartal | int }}
{%- endif %}
