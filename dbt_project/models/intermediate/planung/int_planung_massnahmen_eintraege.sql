{#-
    The current version of the measures register (the newest `stand` of stg_massnahmen; each version
    replaces the previous one) taken apart: one row per measure and entry of its Wohnplatz list
    (comma separated: 5-digit ids or names) or target-indicator list (semicolon separated: catalogue ids
    or German names; a line break inside a cell separates too, as in the extraction's check), resolved against today's Wohnplätze and the catalogue. Names are compared in the
    normalised form of macro ortsname_normalisiert (case, umlauts, hyphens and blanks do not matter).
    Every entry is kept; `zuordnung` says why one could not be resolved (unbekannt, mehrdeutig), and the
    test planung_massnahmen_eintraege_aufgeloest fails the build on such an entry.
-#}

with

register as (
    select *
    from {{ ref('stg_massnahmen') }}
    where stand = (select max(stand) from {{ ref('stg_massnahmen') }})
),

eintraege as (
    select
        r.massnahme_nr,
        'wohnplatz' as bezug,
        e.position,
        trim(e.eintrag) as eintrag
    from register as r,
        unnest(string_split(replace(replace(r.wohnplaetze, chr(13), ''), chr(10), ','), ',')) with ordinality as e(eintrag, position)
    union all
    select
        r.massnahme_nr,
        'zielindikator' as bezug,
        e.position,
        trim(e.eintrag) as eintrag
    from register as r,
        unnest(string_split(replace(replace(r.zielindikatoren, chr(13), ''), chr(10), ';'), ';')) with ordinality as e(eintrag, position)
),

-- keys a register entry may name: a Wohnplatz by id or name, an indicator by id or German name
schluessel as (
    select 'wohnplatz' as bezug, wohnplatz_id as schluessel, wohnplatz_id as kennung
    from {{ ref('dim_wohnplatz') }} where ist_aktuell
    union
    select 'wohnplatz', wohnplatz_id, {{ ortsname_normalisiert('name') }}
    from {{ ref('dim_wohnplatz') }} where ist_aktuell
    union
    select 'zielindikator', indikator_id, {{ ortsname_normalisiert('indikator_id') }}
    from {{ ref('dim_indikator') }}
    union
    select 'zielindikator', indikator_id, {{ ortsname_normalisiert('name') }}
    from {{ ref('dim_indikator') }}
),

treffer as (
    select
        e.massnahme_nr,
        e.bezug,
        e.position,
        count(distinct s.schluessel) as kandidaten,
        min(s.schluessel) as schluessel
    from eintraege as e
    inner join schluessel as s
        on s.bezug = e.bezug
        and (s.kennung = e.eintrag or s.kennung = {{ ortsname_normalisiert('e.eintrag') }})
    group by e.massnahme_nr, e.bezug, e.position
)

select
    e.massnahme_nr,
    e.bezug,
    e.position,
    e.eintrag,
    case when t.kandidaten = 1 then t.schluessel end as schluessel,
    case
        when t.kandidaten = 1 then 'zugeordnet'
        when t.kandidaten > 1 then 'mehrdeutig'
        else 'unbekannt'
    end as zuordnung
from eintraege as e
left join treffer as t
    on t.massnahme_nr = e.massnahme_nr
    and t.bezug = e.bezug
    and t.position = e.position
where e.eintrag <> ''
