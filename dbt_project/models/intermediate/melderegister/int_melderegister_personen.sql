{{ config(
    materialized='incremental',
    incremental_strategy='stichtag_fenster',
    on_schema_change='fail'
) }}
-- Inhabitants (main residences only) of every register snapshot, assigned to TODAY's Wohnplatz through
-- today's street directory - also for historic quarters: we have their addresses, so the assignment is
-- exact and no crosswalk is needed. Person-level and large (~283k persons x 47 quarters): incremental,
-- an incremental run recomputes the Stichtage of the window (vars von_stichtag / bis_stichtag).
-- No house number, name or birth date is kept, the household only as an integer hash of its pseudonym; persons whose address cannot be assigned stay in the
-- table with wohnplatz_id NULL and the reason in `zuordnung` (counted in int_trefferquoten).
with personen as (
    select
        stichtag,
        ags,
        {{ ganzzahl_hash('haushalt_pseudonym') }} as haushalt_schluessel,
        {{ alter_am_stichtag('stichtag', 'geburtsjahr', 'geburtsmonat') }} as alter_jahre,
        geschlecht,
        deutsch,
        strassenschluessel,
        {{ adress_schluessel('ags', 'strassenschluessel', 'hausnummer') }} as adresse,
        hausnummer
    from {{ ref('stg_melderegister_bestand') }}
    where ist_hauptwohnung
      and {{ nur_im_fenster('stichtag') }}
),

adressen as (
    select ags, strassenschluessel, hausnummer, min(adresse) as adresse
    from personen
    group by ags, strassenschluessel, hausnummer
),

abschnitte as (
    select * from {{ ref('int_strassenabschnitte') }} where ist_aktuell
),

zuordnung as (
    {{ adressen_zuordnen('adressen', 'abschnitte') }}
),

-- what the address tells, computed once per address (tens of thousands of rows); the persons are then
-- joined on one integer key
adress_merkmale as (
    select
        a.adresse,
        z.wohnplatz_id,
        z.zuordnung,
        k.hausnummer is not null as hat_hauskoordinate
    from adressen as a
    left join zuordnung as z
        on z.ags = a.ags
        and z.strassenschluessel = a.strassenschluessel
        and z.hausnummer = a.hausnummer
    left join {{ ref('int_hauskoordinaten') }} as k
        on k.ags = a.ags
        and k.strassenschluessel = a.strassenschluessel
        and k.hausnummer = a.hausnummer
),

erreichbarkeit as (
    select
        e.stichtag,
        e.adresse,
        e.nahversorgung_500m,
        e.oepnv_300m
    from {{ ref('int_adressen_erreichbarkeit') }} as e
    where {{ nur_im_fenster('e.stichtag') }}
)

select
    p.stichtag,
    p.ags,
    m.wohnplatz_id,
    coalesce(m.zuordnung, 'ohne_adresse') as zuordnung,
    -- the street only where the address could not be assigned (for the list of unassigned streets)
    case when m.zuordnung = 'zugeordnet' then null else p.strassenschluessel end as strassenschluessel,
    p.haushalt_schluessel,
    cast(p.alter_jahre as integer) as alter_jahre,
    p.geschlecht,
    p.deutsch,
    coalesce(m.hat_hauskoordinate, false) as hat_hauskoordinate,
    e.nahversorgung_500m,
    e.oepnv_300m
from personen as p
left join adress_merkmale as m
    on m.adresse = p.adresse
left join erreichbarkeit as e
    on e.stichtag = p.stichtag
    and e.adresse = p.adresse
