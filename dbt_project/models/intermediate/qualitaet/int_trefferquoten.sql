-- Match rate of the area assignment per source, table and Stichtag: how many records could be placed
-- in a Wohnplatz, and by what (`zuordnung_ueber`):
--   strassenverzeichnis  address -> today's street directory (register, movements, facilities,
--                        house coordinates)
--   hauskoordinate       register inhabitants whose address has a house coordinate (the base of the
--                        accessibility indicators)
--   wohnplatzschluessel  delivered Wohnplatz key exists in the scheme valid at the Stichtag
--   punkt_in_flaeche     infrastructure point inside a current Wohnplatz polygon
-- Unplaced records are never dropped silently: they are counted here and listed in int_nicht_zugeordnet.
with register as (
    select
        'melderegister' as quelle, 'melderegister_bestand' as tabelle, 'strassenverzeichnis' as zuordnung_ueber,
        'Einwohner (Hauptwohnsitz)' as einheit, stichtag,
        sum(personen) as datensaetze,
        sum(case when zuordnung = 'zugeordnet' then personen else 0 end) as zugeordnet
    from {{ ref('int_melderegister_zuordnung') }}
    group by stichtag
    union all
    select
        'melderegister', 'melderegister_bestand', 'hauskoordinate',
        'Einwohner (Hauptwohnsitz)', stichtag,
        sum(personen),
        sum(case when hat_hauskoordinate then personen else 0 end)
    from {{ ref('int_melderegister_zuordnung') }}
    group by stichtag
),

bewegungen as (
    select
        'melderegister' as quelle, 'melderegister_bewegungen' as tabelle, 'strassenverzeichnis' as zuordnung_ueber,
        'Zuzüge, Fortzüge und Umzüge' as einheit, stichtag,
        count(*) as datensaetze,
        sum(case when ist_zugeordnet then 1 else 0 end) as zugeordnet
    from {{ ref('int_wanderung_ereignisse') }}
    group by stichtag
),

einrichtungen as (
    select
        quelle, tabelle, 'strassenverzeichnis' as zuordnung_ueber, 'Einrichtungen' as einheit, stichtag,
        count(*) as datensaetze,
        sum(case when zuordnung = 'zugeordnet' then 1 else 0 end) as zugeordnet
    from {{ ref('int_einrichtungen') }}
    group by quelle, tabelle, stichtag
),

hauskoordinaten as (
    select
        'hauskoordinaten' as quelle, 'hauskoordinaten' as tabelle, 'strassenverzeichnis' as zuordnung_ueber,
        'Adressen' as einheit, gebietsstand as stichtag,
        count(*) as datensaetze,
        sum(case when zuordnung = 'zugeordnet' then 1 else 0 end) as zugeordnet
    from {{ ref('int_hauskoordinaten') }}
    group by gebietsstand
),

punkte as (
    select
        'infrastruktur' as quelle, tabelle, 'punkt_in_flaeche' as zuordnung_ueber, 'Standorte' as einheit, stichtag,
        count(*) as datensaetze,
        sum(case when wohnplatz_id is not null then 1 else 0 end) as zugeordnet
    from {{ ref('int_infrastruktur_punkte') }}
    group by tabelle, stichtag
),

schluessel as (
    select * from {{ ref('int_schluesselpruefung') }}
),

schluessel_quoten as (
    select
        quelle, tabelle, 'wohnplatzschluessel' as zuordnung_ueber, einheit, stichtag,
        count(*) as datensaetze,
        sum(case when schluessel_gueltig then 1 else 0 end) as zugeordnet
    from schluessel
    group by quelle, tabelle, einheit, stichtag
),

alle as (
    select * from register
    union all select * from bewegungen
    union all select * from einrichtungen
    union all select * from hauskoordinaten
    union all select * from punkte
    union all select * from schluessel_quoten
)

select
    quelle,
    tabelle,
    zuordnung_ueber,
    einheit,
    stichtag,
    datensaetze,
    zugeordnet,
    datensaetze - zugeordnet as nicht_zugeordnet,
    case when datensaetze > 0 then cast(zugeordnet as {{ typ_double() }}) / datensaetze end as trefferquote
from alle
