{{ config(
    materialized='incremental',
    incremental_strategy='stichtag_fenster',
    on_schema_change='fail'
) }}
-- Inhabitants (main residences) by today's Wohnplatz, Stichtag, single year of age (99 = 99 and
-- older), sex and citizenship. Incremental over the window like the person table it aggregates.
select
    wohnplatz_id,
    stichtag,
    least(alter_jahre, 99) as alter_jahre,
    {{ altersgruppe('least(alter_jahre, 99)') }} as altersgruppe,
    geschlecht,
    deutsch,
    count(*) as einwohner
from {{ ref('int_melderegister_personen') }}
where wohnplatz_id is not null
  and {{ nur_im_fenster('stichtag') }}
group by wohnplatz_id, stichtag, least(alter_jahre, 99), geschlecht, deutsch
