-- Facilities with a hand-written address (day care, dental examinations per day-care centre, care
-- facilities), assigned to TODAY's Wohnplatz through the street directory, for every year (addresses
-- are exact, so no crosswalk is needed):
--   1. place -> municipality: normalised place name equal to (or starting with) a municipality name;
--      a district name (a Wohnplatz name such as "Bensberg") also names its municipality;
--   2. normalised street name (+ municipality) -> street key; without a known municipality the name
--      must be unique in the district;
--   3. leading number of the house number ("12a", "12-14" -> 12) + side -> Wohnplatz range.
-- Every facility row is kept; `zuordnung` says why one could not be placed.
with einrichtungen as (
    select
        'kita' as quelle, 'kita' as tabelle, stichtag, lieferung_id, zeile,
        einrichtung_nr, einrichtung_name, 'kita' as art_code,
        strasse, hausnummer, ort,
        plaetze_u3, plaetze_ue3, cast(null as integer) as plaetze,
        cast(null as integer) as untersuchte_kinder, cast(null as integer) as kinder_mit_karies
    from {{ ref('stg_kita') }}
    union all
    select
        'zahngesundheit', 'zahngesundheit', stichtag, lieferung_id, zeile,
        cast(null as {{ dbt.type_string() }}), einrichtung_name, 'kita',
        strasse, hausnummer, ort,
        null, null, null,
        untersuchte_kinder, kinder_mit_karies
    from {{ ref('stg_zahngesundheit') }}
    union all
    select
        'pflege', 'pflege_einrichtungen', stichtag, lieferung_id, zeile,
        cast(null as {{ dbt.type_string() }}), einrichtung_name, art_code,
        strasse, hausnummer, ort,
        null, null, plaetze,
        null, null
    from {{ ref('stg_pflege_einrichtungen') }}
),

ortsnamen as (
    -- names that identify a municipality: official and GIS spellings, and today's Wohnplatz names
    select {{ ortsname_normalisiert('name') }} as ort_norm, ags, 1 as prioritaet from {{ ref('kommunen') }}
    union
    select {{ ortsname_normalisiert('gemeinde_name') }}, ags, 1 from {{ ref('int_wohnplaetze') }} where ist_aktuell
    union
    select {{ ortsname_normalisiert('name') }}, ags, 2 from {{ ref('int_wohnplaetze') }} where ist_aktuell
),

orte as (
    select distinct ort, {{ ortsname_normalisiert('ort') }} as ort_norm from einrichtungen
),

ort_kandidaten as (
    select
        o.ort,
        n.ags,
        n.prioritaet,
        min(n.prioritaet) over (partition by o.ort) as beste_prioritaet
    from orte as o
    inner join ortsnamen as n
        on o.ort_norm = n.ort_norm
        or (n.prioritaet = 1 and o.ort_norm like {{ dbt.concat(["n.ort_norm", "'%'"]) }})
),

ort_kommune as (
    -- a municipality name wins over a Wohnplatz name; ambiguous places stay unresolved
    select ort, min(ags) as ags
    from ort_kandidaten
    where prioritaet = beste_prioritaet
    group by ort
    having count(distinct ags) = 1
),

abschnitte as (
    select * from {{ ref('int_strassenabschnitte') }} where ist_aktuell
),

strassen as (
    select distinct ags, strassenschluessel, strassenname_normalisiert from abschnitte
),

mit_ort as (
    select
        e.*,
        k.ags as ags_ort,
        {{ strassenname_normalisiert('e.strasse') }} as strasse_norm,
        {{ erste_ganzzahl('e.hausnummer') }} as hausnummer_zahl
    from einrichtungen as e
    left join ort_kommune as k on k.ort = e.ort
),

strassen_treffer as (
    -- candidate streets: same name, in the named municipality when it is known
    select
        m.tabelle, m.lieferung_id, m.zeile,
        count(distinct {{ dbt.concat(["s.ags", "'/'", "s.strassenschluessel"]) }}) as kandidaten,
        min(s.ags) as ags,
        min(s.strassenschluessel) as strassenschluessel
    from mit_ort as m
    inner join strassen as s
        on s.strassenname_normalisiert = m.strasse_norm
        and (m.ags_ort is null or s.ags = m.ags_ort)
    group by m.tabelle, m.lieferung_id, m.zeile
),

mit_strasse as (
    select
        m.*,
        case when t.kandidaten = 1 then t.ags else m.ags_ort end as ags,
        case when t.kandidaten = 1 then t.strassenschluessel end as strassenschluessel,
        coalesce(t.kandidaten, 0) as strassen_kandidaten
    from mit_ort as m
    left join strassen_treffer as t
        on t.tabelle = m.tabelle and t.lieferung_id = m.lieferung_id and t.zeile = m.zeile
),

adressen as (
    select distinct ags, strassenschluessel, hausnummer_zahl as hausnummer
    from mit_strasse
    where strassenschluessel is not null
),

zuordnung as (
    {{ adressen_zuordnen('adressen', 'abschnitte') }}
)

select
    m.quelle,
    m.tabelle,
    m.stichtag,
    m.einrichtung_nr,
    m.einrichtung_name,
    m.art_code,
    m.strasse,
    m.hausnummer,
    m.ort,
    m.ags,
    m.strassenschluessel,
    m.hausnummer_zahl,
    z.wohnplatz_id,
    case
        when m.strassen_kandidaten > 1 then 'strasse_mehrdeutig'
        when m.strassen_kandidaten = 0 and m.ags_ort is null then 'ort_und_strasse_unbekannt'
        when m.strassen_kandidaten = 0 then 'strasse_unbekannt'
        when m.hausnummer_zahl is null then 'ohne_hausnummer'
        else z.zuordnung
    end as zuordnung,
    m.plaetze_u3,
    m.plaetze_ue3,
    m.plaetze,
    m.untersuchte_kinder,
    m.kinder_mit_karies,
    m.lieferung_id,
    m.zeile
from mit_strasse as m
left join zuordnung as z
    on z.ags = m.ags
    and z.strassenschluessel = m.strassenschluessel
    and z.hausnummer = m.hausnummer_zahl
