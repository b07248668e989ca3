{#-
    Measures of the planning office's register next to the development of their target indicators:
    per measure, Wohnplatz and target indicator the published value in the year before the start
    (the indicator's last due Stichtag of that year) and at the indicator's latest Stichtag with a
    published value, beside the district and beside the Wohnplätze without need for action over the same
    Stichtage, and the difference of the differences.

    This is a DESCRIPTIVE comparison: the areas were not chosen at random, other things changed at the
    same time, and there is no counterfactual. The mart never calls the difference an effect, and every
    row says so in `hinweis`.

    Comparison group ("Vergleichsgebiete") of a measure and indicator: the current Wohnplätze that are not
    among the measure's Wohnplätze and were not flagged (handlungsbedarf TRUE) in any report year of
    mart_handlungsraeume from the year of the baseline to the year of the latest Stichtag, and have a
    published numerator and denominator at both Stichtage (the same areas at both ends). Their value is
    the pooled rate sum(zaehler) / sum(nenner) * faktor - the group taken as one area, as the district
    value is. Published (suppressed) values only, so every number is a function of published numbers.
-#}

with

register as (
    select *
    from {{ ref('stg_massnahmen') }}
    where stand = (select max(stand) from {{ ref('stg_massnahmen') }})
),

eintraege as (
    select * from {{ ref('int_planung_massnahmen_eintraege') }} where zuordnung = 'zugeordnet'
),

gebiete as (
    select massnahme_nr, schluessel as wohnplatz_id, min(eintrag) as wohnplatz_eintrag
    from eintraege where bezug = 'wohnplatz'
    group by massnahme_nr, schluessel
),

ziele as (
    select massnahme_nr, schluessel as indikator_id, min(eintrag) as indikator_eintrag
    from eintraege where bezug = 'zielindikator'
    group by massnahme_nr, schluessel
),

katalog as (
    select indikator_id, name, einheit, faktor, polaritaet from {{ ref('dim_indikator') }}
),

werte as (
    select ebene, gebiet_id, stichtag, indikator_id, zaehler, nenner, wert, status
    from {{ ref('mart_indikatoren') }}
    where ebene in ('wohnplatz', 'kreis')
),

-- Stichtage at which an indicator is due (has rows), and its latest one with a published value
faellig as (
    select distinct indikator_id, stichtag from werte
),

letzter_stichtag as (
    select indikator_id, max(stichtag) as stichtag
    from werte
    where ebene = 'wohnplatz' and wert is not null
    group by indikator_id
),

paare as (
    select
        r.massnahme_nr,
        r.titel,
        r.traeger,
        r.zielgruppe,
        r.beginn,
        r.ende,
        r.laufend,
        r.stand as register_stand,
        g.wohnplatz_id,
        g.wohnplatz_eintrag,
        z.indikator_id,
        z.indikator_eintrag
    from register as r
    inner join gebiete as g
        on g.massnahme_nr = r.massnahme_nr
    inner join ziele as z
        on z.massnahme_nr = r.massnahme_nr
),

zeitraum as (
    select
        p.massnahme_nr,
        p.indikator_id,
        -- the year before the start: the indicator's last due Stichtag of that calendar year
        max(f.stichtag) as ausgangsstichtag
    from (select distinct massnahme_nr, indikator_id, beginn from paare) as p
    inner join faellig as f
        on f.indikator_id = p.indikator_id
        and extract(year from f.stichtag) = extract(year from p.beginn) - 1
    group by p.massnahme_nr, p.indikator_id
),

fenster as (
    select
        p.*,
        t.ausgangsstichtag,
        l.stichtag as endstichtag
    from paare as p
    left join zeitraum as t
        on t.massnahme_nr = p.massnahme_nr
        and t.indikator_id = p.indikator_id
    left join letzter_stichtag as l
        on l.indikator_id = p.indikator_id
),

-- Wohnplätze on the list (flag TRUE) in a report year of a measure's window
markiert as (
    select distinct f.massnahme_nr, f.indikator_id, h.gebiet_id
    from fenster as f
    inner join {{ ref('mart_handlungsraeume') }} as h
        on h.handlungsbedarf
        and h.berichtsjahr between extract(year from f.ausgangsstichtag) and extract(year from f.endstichtag)
),

-- one window per measure and indicator (the same for all its Wohnplätze)
fenster_je_ziel as (
    select distinct massnahme_nr, indikator_id, ausgangsstichtag, endstichtag
    from fenster
    where ausgangsstichtag is not null and endstichtag is not null
),

vergleich_gebiete as (
    select fz.massnahme_nr, fz.indikator_id, fz.ausgangsstichtag, fz.endstichtag,
           a.gebiet_id, a.zaehler as zaehler_ausgang, a.nenner as nenner_ausgang,
           e.zaehler as zaehler_ende, e.nenner as nenner_ende
    from fenster_je_ziel as fz
    inner join werte as a
        on a.ebene = 'wohnplatz'
        and a.indikator_id = fz.indikator_id
        and a.stichtag = fz.ausgangsstichtag
    inner join werte as e
        on e.ebene = 'wohnplatz'
        and e.indikator_id = fz.indikator_id
        and e.stichtag = fz.endstichtag
        and e.gebiet_id = a.gebiet_id
    where a.zaehler is not null and a.nenner is not null and a.nenner > 0
      and e.zaehler is not null and e.nenner is not null and e.nenner > 0
      and not exists (
          select 1 from gebiete as g
          where g.massnahme_nr = fz.massnahme_nr and g.wohnplatz_id = a.gebiet_id)
      and not exists (
          select 1 from markiert as m
          where m.massnahme_nr = fz.massnahme_nr and m.indikator_id = fz.indikator_id
            and m.gebiet_id = a.gebiet_id)
),

vergleich as (
    select
        v.massnahme_nr,
        v.indikator_id,
        count(*) as vergleich_wohnplaetze,
        -- rounded: crosswalked counts are fractional, and a parallel sum may add them in another order
        round(sum(v.zaehler_ausgang) / sum(v.nenner_ausgang) * max(k.faktor), 10) as vergleich_wert_ausgang,
        round(sum(v.zaehler_ende) / sum(v.nenner_ende) * max(k.faktor), 10) as vergleich_wert_ende
    from vergleich_gebiete as v
    inner join katalog as k
        on k.indikator_id = v.indikator_id
    -- a count has no pooled rate; its comparison would add up areas of different size
    where k.einheit <> 'Anzahl'
    group by v.massnahme_nr, v.indikator_id
),

aktuell as (
    select h.gebiet_id, h.berichtsjahr, h.handlungsbedarf, h.handlungsbedarf_seit
    from {{ ref('mart_handlungsraeume') }} as h
    where h.berichtsjahr = (select max(berichtsjahr) from {{ ref('mart_handlungsraeume') }})
),

zusammen as (
    select
        f.*,
        k.name as indikator_name,
        k.einheit,
        k.polaritaet,
        wa.wert as wert_ausgang,
        wa.status as status_ausgang,
        we.wert as wert_ende,
        we.status as status_ende,
        ka.wert as kreis_wert_ausgang,
        ke.wert as kreis_wert_ende,
        v.vergleich_wert_ausgang,
        v.vergleich_wert_ende,
        coalesce(v.vergleich_wohnplaetze, 0) as vergleich_wohnplaetze
    from fenster as f
    inner join katalog as k
        on k.indikator_id = f.indikator_id
    left join werte as wa
        on wa.ebene = 'wohnplatz' and wa.gebiet_id = f.wohnplatz_id
        and wa.indikator_id = f.indikator_id and wa.stichtag = f.ausgangsstichtag
    left join werte as we
        on we.ebene = 'wohnplatz' and we.gebiet_id = f.wohnplatz_id
        and we.indikator_id = f.indikator_id and we.stichtag = f.endstichtag
    left join werte as ka
        on ka.ebene = 'kreis' and ka.indikator_id = f.indikator_id and ka.stichtag = f.ausgangsstichtag
    left join werte as ke
        on ke.ebene = 'kreis' and ke.indikator_id = f.indikator_id and ke.stichtag = f.endstichtag
    left join vergleich as v
        on v.massnahme_nr = f.massnahme_nr
        and v.indikator_id = f.indikator_id
),

differenzen as (
    select
        z.*,
        z.wert_ende - z.wert_ausgang as veraenderung_wohnplatz,
        z.kreis_wert_ende - z.kreis_wert_ausgang as veraenderung_kreis,
        z.vergleich_wert_ende - z.vergleich_wert_ausgang as veraenderung_vergleich
    from zusammen as z
),

dd as (
    select
        d.*,
        d.veraenderung_wohnplatz - d.veraenderung_kreis as differenz_der_differenzen_kreis,
        d.veraenderung_wohnplatz - d.veraenderung_vergleich as differenz_der_differenzen_vergleich
    from differenzen as d
)

select
    d.massnahme_nr,
    d.titel,
    d.traeger,
    d.zielgruppe,
    d.beginn,
    d.ende,
    d.laufend,
    d.register_stand,
    d.wohnplatz_id,
    w.name as wohnplatz_name,
    w.ags as kommune_ags,
    km.name as kommune_name,
    d.wohnplatz_eintrag,
    d.indikator_id,
    d.indikator_name,
    d.indikator_eintrag,
    d.einheit,
    d.polaritaet,
    d.ausgangsstichtag,
    d.endstichtag,
    d.wert_ausgang,
    d.status_ausgang,
    d.wert_ende,
    d.status_ende,
    d.veraenderung_wohnplatz,
    d.kreis_wert_ausgang,
    d.kreis_wert_ende,
    d.veraenderung_kreis,
    d.vergleich_wohnplaetze,
    d.vergleich_wert_ausgang,
    d.vergleich_wert_ende,
    d.veraenderung_vergleich,
    d.differenz_der_differenzen_kreis,
    d.differenz_der_differenzen_vergleich,
    case
        when d.differenz_der_differenzen_vergleich is null then null
        when d.polaritaet = 'neutral' then 'ohne Wertung (Indikator ohne Richtung)'
        when d.differenz_der_differenzen_vergleich = 0 then 'gleich wie in den Vergleichsgebieten'
        when (d.polaritaet = 'negativ') = (d.differenz_der_differenzen_vergleich < 0)
            then 'günstiger als in den Vergleichsgebieten'
        else 'ungünstiger als in den Vergleichsgebieten'
    end as einordnung,
    a.berichtsjahr as handlungsraum_berichtsjahr,
    a.handlungsbedarf as handlungsraum,
    a.handlungsbedarf_seit,
    concat_ws(' ',
        'Beschreibender Vergleich (Differenz der Differenzen), keine Wirkungsmessung.',
        case when d.ausgangsstichtag is null then 'Kein Wert im Jahr vor dem Beginn.' end,
        case when d.endstichtag is null then 'Indikator ohne veröffentlichten Wert.' end,
        case when d.beginn > d.endstichtag then 'Beginn nach dem letzten Stichtag.' end,
        case when d.ausgangsstichtag is not null and d.endstichtag is not null and d.wert_ausgang is null
            then {{ dbt.concat(["'Ausgangswert '", "coalesce(d.status_ausgang, 'fehlt')", "'.'"]) }} end,
        case when d.endstichtag is not null and d.wert_ende is null
            then {{ dbt.concat(["'Endwert '", "coalesce(d.status_ende, 'fehlt')", "'.'"]) }} end,
        case when d.status_ausgang = 'geschaetzt'
            then 'Ausgangswert geschätzt (auf die heutigen Wohnplätze umgerechnet).' end,
        case when d.einheit = 'Anzahl' then 'Anzahl: kein Vergleich mit Vergleichsgebieten.' end,
        case when d.einheit <> 'Anzahl' and d.ausgangsstichtag is not null and d.endstichtag is not null
                  and d.vergleich_wohnplaetze = 0
            then 'Keine Vergleichsgebiete mit veröffentlichten Werten.' end
    ) as hinweis
from dd as d
left join {{ ref('dim_wohnplatz') }} as w
    on w.wohnplatz_id = d.wohnplatz_id
    and w.ist_aktuell
left join {{ ref('dim_kommune') }} as km
    on km.ags = w.ags
left join aktuell as a
    on a.gebiet_id = d.wohnplatz_id
