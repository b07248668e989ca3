-- Everything that could not be placed in a Wohnplatz, listed for the data engineer - without personal
-- data: register inhabitants and moves only as counts per street key (no house number, no person),
-- facilities and infrastructure points with their (public) name and address, keyed records with the
-- unknown key and a count. `anzahl` is the number of records behind each line.
with register as (
    select
        'melderegister' as quelle, 'melderegister_bestand' as tabelle, z.stichtag, z.zuordnung as grund,
        z.ags, z.strassenschluessel,
        cast(null as {{ dbt.type_string() }}) as bezeichnung,
        cast(null as {{ dbt.type_string() }}) as adresse,
        cast(null as {{ dbt.type_string() }}) as wohnplatz_schluessel,
        sum(z.personen) as anzahl,
        min(l.lieferung_id) as lieferung_id
    from {{ ref('int_melderegister_zuordnung') }} as z
    left join {{ ref('stg_lieferungen') }} as l
        on l.tabelle = 'melderegister_bestand' and l.stichtag = z.stichtag and l.teil = z.ags
    where z.zuordnung <> 'zugeordnet'
    group by z.stichtag, z.zuordnung, z.ags, z.strassenschluessel
),

bewegungen as (
    select
        'melderegister' as quelle, 'melderegister_bewegungen' as tabelle, stichtag,
        case
            when coalesce(zuordnung_alt, 'zugeordnet') <> 'zugeordnet' then zuordnung_alt
            else zuordnung_neu
        end as grund,
        ags,
        case
            when coalesce(zuordnung_alt, 'zugeordnet') <> 'zugeordnet' then strassenschluessel_alt
            else strassenschluessel_neu
        end as strassenschluessel,
        cast(null as {{ dbt.type_string() }}) as bezeichnung,
        cast(null as {{ dbt.type_string() }}) as adresse,
        cast(null as {{ dbt.type_string() }}) as wohnplatz_schluessel,
        count(*) as anzahl,
        min(lieferung_id) as lieferung_id
    from {{ ref('int_wanderung_ereignisse') }}
    where not ist_zugeordnet
    group by 1, 2, 3, 4, 5, 6
),

einrichtungen as (
    select
        quelle, tabelle, stichtag, zuordnung as grund, ags, strassenschluessel,
        einrichtung_name as bezeichnung,
        {{ dbt.concat(["coalesce(strasse, '')", "' '", "coalesce(hausnummer, '')", "', '", "coalesce(ort, '')"]) }} as adresse,
        cast(null as {{ dbt.type_string() }}) as wohnplatz_schluessel,
        count(*) as anzahl,
        min(lieferung_id) as lieferung_id
    from {{ ref('int_einrichtungen') }}
    where zuordnung <> 'zugeordnet'
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

hauskoordinaten as (
    select
        'hauskoordinaten' as quelle, 'hauskoordinaten' as tabelle, gebietsstand as stichtag, zuordnung as grund,
        ags, strassenschluessel,
        cast(null as {{ dbt.type_string() }}) as bezeichnung,
        cast(hausnummer as {{ dbt.type_string() }}) as adresse,
        cast(null as {{ dbt.type_string() }}) as wohnplatz_schluessel,
        count(*) as anzahl,
        min(lieferung_id) as lieferung_id
    from {{ ref('int_hauskoordinaten') }}
    where zuordnung <> 'zugeordnet'
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

punkte as (
    select
        'infrastruktur' as quelle, tabelle, stichtag, 'ausserhalb_aller_wohnplaetze' as grund,
        cast(null as {{ dbt.type_string() }}) as ags,
        cast(null as {{ dbt.type_string() }}) as strassenschluessel,
        {{ dbt.concat(["kategorie", "': '", "coalesce(bezeichnung, '')"]) }} as bezeichnung,
        {{ dbt.concat(["cast(round(ostwert) as " ~ dbt.type_string() ~ ")", "' / '",
                       "cast(round(nordwert) as " ~ dbt.type_string() ~ ")"]) }} as adresse,
        cast(null as {{ dbt.type_string() }}) as wohnplatz_schluessel,
        count(*) as anzahl,
        min(lieferung_id) as lieferung_id
    from {{ ref('int_infrastruktur_punkte') }}
    where wohnplatz_id is null
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

schluessel as (
    select
        quelle, tabelle, stichtag, 'schluessel_unbekannt' as grund,
        cast(null as {{ dbt.type_string() }}) as ags,
        cast(null as {{ dbt.type_string() }}) as strassenschluessel,
        cast(null as {{ dbt.type_string() }}) as bezeichnung,
        cast(null as {{ dbt.type_string() }}) as adresse,
        coalesce(wohnplatz_id, '(leer)') as wohnplatz_schluessel,
        count(*) as anzahl,
        min(lieferung_id) as lieferung_id
    from {{ ref('int_schluesselpruefung') }}
    where not schluessel_gueltig
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
)

select * from register
union all select * from bewegungen
union all select * from einrichtungen
union all select * from hauskoordinaten
union all select * from punkte
union all select * from schluessel
