-- One point per address as the register knows it (municipality, street key, numeric house number) from
-- the latest house-coordinate delivery. The register drops suffixes ("12a" -> 12), so several official
-- points can share a number: the one without suffix wins, else the first suffix.
-- Also assigns each address to today's Wohnplatz through the street directory (match rate of the
-- coordinates against the directory).
with neueste as (
    select max(gebietsstand) as gebietsstand from {{ ref('stg_hauskoordinaten') }}
),

punkte as (
    select
        k.ags,
        k.strassenschluessel,
        k.hausnummer,
        k.hausnummer_zusatz,
        k.ostwert,
        k.nordwert,
        k.gebietsstand,
        k.lieferung_id,
        row_number() over (
            partition by k.ags, k.strassenschluessel, k.hausnummer
            order by case when k.hausnummer_zusatz is null then 0 else 1 end, k.hausnummer_zusatz
        ) as rang,
        count(*) over (partition by k.ags, k.strassenschluessel, k.hausnummer) as punkte_je_hausnummer
    from {{ ref('stg_hauskoordinaten') }} as k
    inner join neueste as n on n.gebietsstand = k.gebietsstand
),

adressen as (
    select ags, strassenschluessel, hausnummer from punkte where rang = 1
),

abschnitte as (
    select * from {{ ref('int_strassenabschnitte') }} where ist_aktuell
),

zuordnung as (
    {{ adressen_zuordnen('adressen', 'abschnitte') }}
)

select
    p.ags,
    p.strassenschluessel,
    p.hausnummer,
    p.ostwert,
    p.nordwert,
    p.punkte_je_hausnummer,
    z.wohnplatz_id,
    z.zuordnung,
    p.gebietsstand,
    p.lieferung_id
from punkte as p
inner join zuordnung as z
    on z.ags = p.ags
    and z.strassenschluessel = p.strassenschluessel
    and z.hausnummer = p.hausnummer
where p.rang = 1
