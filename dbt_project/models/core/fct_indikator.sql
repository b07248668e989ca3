-- Every indicator of the catalogue for every current Wohnplatz, every municipality and the district at
-- every Stichtag where its source is due - before the publication's own suppression (marts).
-- value = numerator / denominator * faktor (counts: the numerator). Status:
--   fehlt       due, but the source (or the area's row, or the denominator) was not delivered;
--   gesperrt    the source masked a count the value needs (status_grund 'quelle_maskiert');
--   geschaetzt  carried from the old Wohnplatz scheme by the crosswalk (population weights);
--   ok          otherwise.
-- Unknown numbers stay NULL, never 0.
with indikatoren as (
    select i.*, k.zaehler_kennzahl, k.nenner_kennzahl
    from {{ ref('indikatoren') }} as i
    inner join {{ ref('int_indikator_kennzahlen') }} as k on k.indikator_id = i.indikator_id
),

faellig as (
    -- an indicator is due when its source is: quarterly every Stichtag, yearly / school-year only at
    -- the Stichtag of its reference quarter
    select i.indikator_id, s.stichtag
    from indikatoren as i
    cross join {{ ref('int_stichtage') }} as s
    where i.turnus = 'quartal' or s.quartal = i.bezugsquartal
),

gebiete as (
    select 'wohnplatz' as ebene, wohnplatz_id as gebiet_id
    from {{ ref('int_wohnplaetze') }} where ist_aktuell
    union all
    select 'kommune' as ebene, ags as gebiet_id from {{ ref('kommunen') }}
    union all
    select 'kreis' as ebene, '{{ var("kreis_schluessel") }}' as gebiet_id
),

raster as (
    select g.ebene, g.gebiet_id, f.stichtag, f.indikator_id
    from faellig as f
    cross join gebiete as g
),

kennzahlen as (
    select * from {{ ref('int_kennzahlen') }}
),

verknuepft as (
    select
        r.ebene,
        r.gebiet_id,
        r.stichtag,
        r.indikator_id,
        i.faktor,
        i.nenner_kennzahl is not null as hat_nenner,
        z.wert as zaehler,
        z.status as zaehler_status,
        z.status_grund as zaehler_grund,
        z.lieferung_ids as zaehler_lieferungen,
        n.wert as nenner,
        n.status as nenner_status,
        n.status_grund as nenner_grund,
        n.lieferung_ids as nenner_lieferungen
    from raster as r
    inner join indikatoren as i on i.indikator_id = r.indikator_id
    left join kennzahlen as z
        on z.ebene = r.ebene and z.gebiet_id = r.gebiet_id and z.stichtag = r.stichtag
        and z.kennzahl = i.zaehler_kennzahl and z.quelle = i.quelle
    left join kennzahlen as n
        on n.ebene = r.ebene and n.gebiet_id = r.gebiet_id and n.stichtag = r.stichtag
        and n.kennzahl = i.nenner_kennzahl
),

mit_status as (
    select
        *,
        case
            when zaehler_status is null then 'fehlt'
            when zaehler_status = 'fehlt' then 'fehlt'
            when zaehler_status = 'gesperrt' then 'gesperrt'
            when hat_nenner and (nenner_status is null or nenner_status = 'fehlt') then 'fehlt'
            when hat_nenner and nenner_status = 'gesperrt' then 'gesperrt'
            when zaehler_status = 'geschaetzt' or (hat_nenner and nenner_status = 'geschaetzt') then 'geschaetzt'
            else 'ok'
        end as status,
        case
            when zaehler_status is null then 'nicht_geliefert'
            when zaehler_status in ('fehlt', 'gesperrt') then zaehler_grund
            when hat_nenner and nenner_status is null then 'nenner_fehlt'
            when hat_nenner and nenner_status in ('fehlt', 'gesperrt') then {{ dbt.concat(["'nenner_'", "nenner_grund"]) }}
            when zaehler_status = 'geschaetzt' or (hat_nenner and nenner_status = 'geschaetzt') then 'umgeschluesselt'
            when hat_nenner and nenner = 0 then 'nenner_null'
        end as status_grund
    from verknuepft
)

select
    ebene,
    gebiet_id,
    stichtag,
    indikator_id,
    zaehler,
    case when hat_nenner then nenner end as nenner,
    case
        when status not in ('ok', 'geschaetzt') then null
        when not hat_nenner then zaehler
        when nenner = 0 then null
        else zaehler / nenner * faktor
    end as wert,
    status,
    status_grund,
    {{ id_liste_bereinigt(dbt.concat(["coalesce(zaehler_lieferungen, '')", "','",
                                      "case when hat_nenner then coalesce(nenner_lieferungen, '') else '' end"])) }} as lieferung_ids
from mit_status
