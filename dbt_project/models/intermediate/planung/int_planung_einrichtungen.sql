{#-
    The facilities a priority list can rank, from the latest delivery of each source: day-care centres
    (kita), schools (infrastruktur, kategorie 'schule') and care facilities (pflege_einrichtungen).
    The Wohnplatz comes from the existing assignment in intermediate - the address assignment through
    the street directory (int_einrichtungen, the same as for the register) and point in polygon for the
    GIS layer (int_infrastruktur_punkte) - so there is one assignment, not a second one here.
    Only the latest delivery of a source counts: a facility that is no longer delivered has closed.
    `einrichtung_id` is stable across deliveries: the day-care number, otherwise a hash of kind, name and
    address (schools: name and coordinates; several schools share a name at different sites).
-#}

with

einrichtungen as (
    select * from {{ ref('int_einrichtungen') }}
    where quelle in ('kita', 'pflege')
),

schulen as (
    select * from {{ ref('int_infrastruktur_punkte') }}
    where kategorie = 'schule'
),

letzte_lieferung as (
    select quelle, max(stichtag) as stichtag from einrichtungen group by quelle
    union all
    select 'infrastruktur', max(stichtag) from schulen
),

kitas as (
    select
        e.einrichtung_nr as einrichtung_id,
        e.einrichtung_name,
        'kita' as art,
        e.quelle,
        e.stichtag as stand,
        e.strasse,
        e.hausnummer,
        e.ort,
        cast(null as {{ typ_double() }}) as ostwert,
        cast(null as {{ typ_double() }}) as nordwert,
        coalesce(e.plaetze_u3, 0) + coalesce(e.plaetze_ue3, 0) as plaetze,
        e.plaetze_u3,
        e.plaetze_ue3,
        e.wohnplatz_id,
        e.zuordnung,
        e.lieferung_id,
        e.zeile
    from einrichtungen as e
    inner join letzte_lieferung as l
        on l.quelle = e.quelle
        and l.stichtag = e.stichtag
    where e.quelle = 'kita'
),

pflege as (
    select
        {{ dbt.concat(["'PF-'", "substr(md5(" ~ dbt.concat([
            "e.art_code", "'|'", "coalesce(e.einrichtung_name, '')", "'|'", "coalesce(e.strasse, '')", "'|'",
            "coalesce(e.hausnummer, '')", "'|'", "coalesce(e.ort, '')"]) ~ "), 1, 12)"]) }} as einrichtung_id,
        e.einrichtung_name,
        case e.art_code
            when 'vollstationaer' then 'pflegeheim'
            when 'kurzzeitpflege' then 'kurzzeitpflege'
            when 'tagespflege' then 'tagespflege'
            when 'ambulant' then 'pflegedienst'
        end as art,
        e.quelle,
        e.stichtag as stand,
        e.strasse,
        e.hausnummer,
        e.ort,
        cast(null as {{ typ_double() }}) as ostwert,
        cast(null as {{ typ_double() }}) as nordwert,
        e.plaetze,
        cast(null as integer) as plaetze_u3,
        cast(null as integer) as plaetze_ue3,
        e.wohnplatz_id,
        e.zuordnung,
        e.lieferung_id,
        e.zeile
    from einrichtungen as e
    inner join letzte_lieferung as l
        on l.quelle = e.quelle
        and l.stichtag = e.stichtag
    where e.quelle = 'pflege'
),

schulen_letzte as (
    select
        {{ dbt.concat(["'SCH-'", "substr(md5(" ~ dbt.concat([
            "coalesce(s.bezeichnung, '')", "'|'", "cast(round(s.ostwert) as varchar)", "'|'",
            "cast(round(s.nordwert) as varchar)"]) ~ "), 1, 12)"]) }} as einrichtung_id,
        s.bezeichnung as einrichtung_name,
        'schule' as art,
        'infrastruktur' as quelle,
        s.stichtag as stand,
        cast(null as {{ dbt.type_string() }}) as strasse,
        cast(null as {{ dbt.type_string() }}) as hausnummer,
        cast(null as {{ dbt.type_string() }}) as ort,
        s.ostwert,
        s.nordwert,
        -- the GIS layer has no places
        cast(null as integer) as plaetze,
        cast(null as integer) as plaetze_u3,
        cast(null as integer) as plaetze_ue3,
        s.wohnplatz_id,
        s.zuordnung,
        s.lieferung_id,
        s.zeile
    from schulen as s
    inner join letzte_lieferung as l
        on l.quelle = 'infrastruktur'
        and l.stichtag = s.stichtag
),

alle as (
    select * from kitas
    union all
    select * from pflege
    union all
    select
        einrichtung_id, einrichtung_name, art, quelle, stand, strasse, hausnummer, ort, ostwert, nordwert,
        plaetze, plaetze_u3, plaetze_ue3, wohnplatz_id, zuordnung, lieferung_id, zeile
    from schulen_letzte
)

select
    a.einrichtung_id,
    a.einrichtung_name,
    a.art,
    case a.art
        when 'kita' then 'Kindertageseinrichtung'
        when 'schule' then 'Schule'
        when 'pflegeheim' then 'Pflegeheim (vollstationär)'
        when 'kurzzeitpflege' then 'Kurzzeitpflege'
        when 'tagespflege' then 'Tagespflege'
        when 'pflegedienst' then 'Ambulanter Pflegedienst'
    end as art_bezeichnung,
    a.quelle,
    a.stand,
    a.strasse,
    a.hausnummer,
    a.ort,
    a.ostwert,
    a.nordwert,
    a.plaetze,
    a.plaetze_u3,
    a.plaetze_ue3,
    a.wohnplatz_id,
    w.name as wohnplatz_name,
    w.ags as kommune_ags,
    a.zuordnung,
    a.lieferung_id,
    a.zeile
from alle as a
left join {{ ref('dim_wohnplatz') }} as w
    on w.wohnplatz_id = a.wohnplatz_id
    and w.ist_aktuell
