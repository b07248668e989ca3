{{ config(
    materialized='incremental',
    incremental_strategy='stichtag_fenster',
    on_schema_change='fail'
) }}
-- Moves of the register quarter with the Wohnplatz (today's scheme, today's street directory) of the
-- old and the new address. Births and deaths are not migration and are left out. A move between two
-- Wohnplätze is an out-move of the one and an in-move of the other; a move within one Wohnplatz is
-- neither. Moves between two municipalities of the district arrive as Fortzug in the one file and
-- Zuzug in the other and so count on both sides. No house numbers are kept.
with ereignisse as (
    select
        stichtag,
        ags,
        ereignis,
        case when ereignis in ('Fortzug', 'Umzug') then strassenschluessel_alt end as strassenschluessel_alt,
        case when ereignis in ('Fortzug', 'Umzug') then hausnummer_alt end as hausnummer_alt,
        case when ereignis in ('Zuzug', 'Umzug') then strassenschluessel_neu end as strassenschluessel_neu,
        case when ereignis in ('Zuzug', 'Umzug') then hausnummer_neu end as hausnummer_neu,
        lieferung_id,
        zeile
    from {{ ref('stg_melderegister_bewegungen') }}
    where ereignis in ('Zuzug', 'Fortzug', 'Umzug')
      and {{ nur_im_fenster('stichtag') }}
),

adressen as (
    select ags, strassenschluessel_alt as strassenschluessel, hausnummer_alt as hausnummer
    from ereignisse where ereignis in ('Fortzug', 'Umzug')
    union
    select ags, strassenschluessel_neu, hausnummer_neu
    from ereignisse where ereignis in ('Zuzug', 'Umzug')
),

abschnitte as (
    select * from {{ ref('int_strassenabschnitte') }} where ist_aktuell
),

zuordnung as (
    {{ adressen_zuordnen('adressen', 'abschnitte') }}
),

zugeordnet as (
    select
        e.stichtag,
        e.ags,
        e.ereignis,
        e.strassenschluessel_alt,
        alt.wohnplatz_id as wohnplatz_id_alt,
        case when e.ereignis = 'Zuzug' then null else coalesce(alt.zuordnung, 'ohne_adresse') end as zuordnung_alt,
        e.strassenschluessel_neu,
        neu.wohnplatz_id as wohnplatz_id_neu,
        case when e.ereignis = 'Fortzug' then null else coalesce(neu.zuordnung, 'ohne_adresse') end as zuordnung_neu,
        e.lieferung_id,
        e.zeile
    from ereignisse as e
    left join zuordnung as alt
        on alt.ags = e.ags
        and alt.strassenschluessel = e.strassenschluessel_alt
        and alt.hausnummer = e.hausnummer_alt
    left join zuordnung as neu
        on neu.ags = e.ags
        and neu.strassenschluessel = e.strassenschluessel_neu
        and neu.hausnummer = e.hausnummer_neu
)

select
    *,
    -- an Umzug whose one side cannot be placed cannot be told apart from a move inside one Wohnplatz
    case
        when ereignis = 'Zuzug' then zuordnung_neu = 'zugeordnet'
        when ereignis = 'Fortzug' then zuordnung_alt = 'zugeordnet'
        else zuordnung_alt = 'zugeordnet' and zuordnung_neu = 'zugeordnet'
    end as ist_zugeordnet,
    case
        when ereignis = 'Zuzug' then 1
        when ereignis = 'Fortzug' then 0
        when wohnplatz_id_alt <> wohnplatz_id_neu then 1
        else 0
    end as zuzuege,
    case
        when ereignis = 'Fortzug' then 1
        when ereignis = 'Zuzug' then 0
        when wohnplatz_id_alt <> wohnplatz_id_neu then 1
        else 0
    end as fortzuege
from zugeordnet
