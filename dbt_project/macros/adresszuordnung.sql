{#- Area assignment of addresses through the street directory.

    `adressen`: a relation/CTE with columns ags, strassenschluessel, hausnummer (integer), one row per
    address (distinct). `abschnitte`: the directory ranges to use (int_strassenabschnitte filtered to
    one Gebietsstand). Returns one row per address with the Wohnplatz and the outcome `zuordnung`:
      'zugeordnet'             exactly one Wohnplatz's range covers the number on its side of the street
      'ohne_adresse'           street key or house number missing
      'strasse_unbekannt'      the street key is not in the directory of the municipality
      'hausnummer_ausserhalb'  the street is known but no range covers the number (e.g. a new building)
      'mehrdeutig'             ranges of different Wohnplätze overlap (a directory defect): not guessed
    Odd numbers match 'ungerade' and 'beide', even numbers 'gerade' and 'beide'. -#}
{% macro adressen_zuordnen(adressen, abschnitte) -%}
    select
        a.ags,
        a.strassenschluessel,
        a.hausnummer,
        case when count(distinct t.wohnplatz_id) = 1 then min(t.wohnplatz_id) end as wohnplatz_id,
        case
            when a.strassenschluessel is null or a.hausnummer is null then 'ohne_adresse'
            when count(distinct t.wohnplatz_id) = 1 then 'zugeordnet'
            when count(distinct t.wohnplatz_id) > 1 then 'mehrdeutig'
            when max(case when s.strassenschluessel is not null then 1 else 0 end) = 1 then 'hausnummer_ausserhalb'
            else 'strasse_unbekannt'
        end as zuordnung
    from {{ adressen }} as a
    left join (
        -- equi-join on the street first, range and side as a filter: keeps it a hash join
        select k.ags, k.strassenschluessel, k.hausnummer, v.wohnplatz_id
        from {{ adressen }} as k
        inner join {{ abschnitte }} as v
            on v.ags = k.ags
            and v.strassenschluessel = k.strassenschluessel
        where {{ hausnummer_im_abschnitt('k.hausnummer', 'v') }}
    ) as t
        on t.ags = a.ags
        and t.strassenschluessel = a.strassenschluessel
        and t.hausnummer = a.hausnummer
    left join (select distinct ags, strassenschluessel from {{ abschnitte }}) as s
        on s.ags = a.ags
        and s.strassenschluessel = a.strassenschluessel
    group by a.ags, a.strassenschluessel, a.hausnummer
{%- endmacro %}

{#- The house number lies in the range of directory row `abschnitt` and on its side of the street. -#}
{% macro hausnummer_im_abschnitt(hausnummer, abschnitt) -%}
    ({{ hausnummer }} between {{ abschnitt }}.hausnummer_von and {{ abschnitt }}.hausnummer_bis
     and ({{ abschnitt }}.seite = 'beide'
          or ({{ abschnitt }}.seite = 'ungerade' and mod({{ hausnummer }}, 2) = 1)
          or ({{ abschnitt }}.seite = 'gerade' and mod({{ hausnummer }}, 2) = 0)))
{%- endmacro %}
