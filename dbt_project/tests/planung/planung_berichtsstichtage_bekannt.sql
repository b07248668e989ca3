{{ config(severity='warn') }}
-- depends_on: {{ ref('int_planung_berichtsstichtage') }}  (the ref below is only rendered when the var lists dates)
-- Every report Stichtag configured in the dbt var planung.berichtsstichtage is a Stichtag of the
-- monitoring (dim_stichtag). A date that is not (a typo, or a quarter not delivered yet) would silently
-- be missing from mart_handlungsraeume.
{%- set liste = (var('planung', {}) or {}).get('berichtsstichtage') or [] %}
{%- if liste | length == 0 %}
select cast(null as date) as stichtag where 1 = 0
{%- else %}
select k.stichtag
from (
    {%- for datum in liste %}
    select cast('{{ datum }}' as date) as stichtag{% if not loop.last %} union all{% endif %}
    {%- endfor %}
) as k
left join {{ ref('int_planung_berichtsstichtage') }} as b
    on b.stichtag = k.stichtag
where b.stichtag is null
{%- endif %}
