{{ config(materialized='ephemeral') }}
{#-
    The areas the marts publish, one row per level and area, with names, municipality and the parent
    area whose total contains it (for the suppression). Today's Wohnplätze only: fct_indikator already
    carries older figures onto today's scheme.
-#}

select
    'wohnplatz' as ebene,
    w.wohnplatz_id as gebiet_id,
    w.name as gebiet_name,
    w.ags as kommune_ags,
    k.name as kommune_name,
    w.ags as eltern_id,
    3 as ebene_sortierung
from {{ ref('dim_wohnplatz') }} as w
inner join {{ ref('dim_kommune') }} as k
    on k.ags = w.ags
where w.ist_aktuell

union all

select
    'kommune' as ebene,
    k.ags as gebiet_id,
    k.name as gebiet_name,
    k.ags as kommune_ags,
    k.name as kommune_name,
    k.kreis_schluessel as eltern_id,
    2 as ebene_sortierung
from {{ ref('dim_kommune') }} as k

union all

select distinct
    'kreis' as ebene,
    k.kreis_schluessel as gebiet_id,
    '{{ var("kreis_name", "Rheinisch-Bergischer Kreis") }}' as gebiet_name,
    cast(null as {{ dbt.type_string() }}) as kommune_ags,
    cast(null as {{ dbt.type_string() }}) as kommune_name,
    cast(null as {{ dbt.type_string() }}) as eltern_id,
    1 as ebene_sortierung
from {{ ref('dim_kommune') }} as k
