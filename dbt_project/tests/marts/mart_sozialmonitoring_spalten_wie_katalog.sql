-- mart_sozialmonitoring has exactly one value and one status column per catalogue indicator (besides its
-- key and name columns): a catalogue change that did not reach the wide mart fails here.
{%- set rel = ref('mart_sozialmonitoring') %}
with erwartet as (
    select indikator_id as spalte from {{ ref('dim_indikator') }}
    union all
    select {{ dbt.concat(["indikator_id", "'_status'"]) }} as spalte from {{ ref('dim_indikator') }}
    union all
    select spalte from (
        select 'ebene' as spalte union all select 'gebiet_id' union all select 'gebiet_name'
        union all select 'kommune_ags' union all select 'kommune_name' union all select 'stichtag'
    ) as schluessel
),

vorhanden as (
    select lower(column_name) as spalte
    from information_schema.columns
    where lower(table_schema) = lower('{{ rel.schema }}')
      and lower(table_name) = lower('{{ rel.identifier }}')
)

select
    coalesce(e.spalte, v.spalte) as spalte,
    case when v.spalte is null then 'fehlt in mart_sozialmonitoring' else 'nicht im Katalog' end as befund
from erwartet as e
full outer join vorhanden as v
    on v.spalte = e.spalte
where e.spalte is null or v.spalte is null
