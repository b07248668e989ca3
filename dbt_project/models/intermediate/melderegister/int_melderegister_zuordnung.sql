{{ config(
    materialized='incremental',
    incremental_strategy='stichtag_fenster',
    on_schema_change='fail'
) }}
-- Outcome of the address assignment of the register's inhabitants per Stichtag, municipality, street
-- key, outcome and whether the address has a house coordinate, with the number of persons: the basis of the register's match rate and of the list
-- of unassigned addresses (street key and count only - no house numbers, no persons).
select
    stichtag,
    ags,
    strassenschluessel,
    zuordnung,
    hat_hauskoordinate,
    count(*) as personen
from {{ ref('int_melderegister_personen') }}
where {{ nur_im_fenster('stichtag') }}
group by stichtag, ags, strassenschluessel, zuordnung, hat_hauskoordinate
