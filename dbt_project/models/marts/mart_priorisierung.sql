{#-
    Priority lists: every facility (day-care centres, schools, care facilities; latest delivery of each
    source, placed in today's Wohnplatz by the existing assignment, see int_planung_einrichtungen) with
    every catalogue indicator of its Wohnplatz at the indicator's latest Stichtag with a published value,
    ranked among the facilities of the same kind (1 = highest need).

    Need follows the polarity: 'negativ' (high = worse) ranks the highest value first, 'positiv' the
    lowest; 'neutral' has no direction of need and ranks the highest value first (documented in the YAML).
    Published values only (mart_indikatoren): a suppressed or missing value - or a facility without a
    Wohnplatz - has no value, ranks last (all such facilities share the last rank) and says why in
    `status` and `rang_hinweis`. Facilities in one Wohnplatz share its value and therefore its rank.
-#}

with

einrichtungen as (
    select * from {{ ref('int_planung_einrichtungen') }}
),

katalog as (
    select indikator_id, name, thema, einheit, polaritaet from {{ ref('dim_indikator') }}
),

werte as (
    select gebiet_id, stichtag, indikator_id, wert, status, status_grund
    from {{ ref('mart_indikatoren') }}
    where ebene = 'wohnplatz'
),

-- per indicator the latest Stichtag at which some Wohnplatz has a published value
letzter_stichtag as (
    select indikator_id, max(stichtag) as stichtag
    from werte
    where wert is not null
    group by indikator_id
),

-- the current Handlungsräume: flag of the latest Stichtag of the index
index_stichtag as (
    select max(stichtag) as stichtag from {{ ref('mart_sozialindex') }} where status_indexiert
),

handlungsraeume as (
    select s.gebiet_id, s.stichtag, s.handlungsbedarf
    from {{ ref('mart_sozialindex') }} as s
    inner join index_stichtag as i
        on i.stichtag = s.stichtag
),

zeilen as (
    select
        e.*,
        k.indikator_id,
        k.name as indikator_name,
        k.thema,
        k.einheit,
        k.polaritaet,
        case when k.polaritaet = 'positiv' then -1 else 1 end as richtung,
        l.stichtag,
        w.wert,
        case
            when e.wohnplatz_id is null then 'ohne_wohnplatz'
            else coalesce(w.status, 'fehlt')
        end as status,
        w.status_grund
    from einrichtungen as e
    cross join katalog as k
    inner join letzter_stichtag as l
        on l.indikator_id = k.indikator_id
    left join werte as w
        on w.gebiet_id = e.wohnplatz_id
        and w.stichtag = l.stichtag
        and w.indikator_id = k.indikator_id
),

gerankt as (
    select
        z.*,
        -- facilities without a value share the last rank (ties: equal value = equal rank)
        rank() over (
            partition by z.art, z.indikator_id
            order by case when z.wert is null then 1 else 0 end, z.richtung * z.wert desc
        ) as rang,
        count(z.wert) over (partition by z.art, z.indikator_id) as einrichtungen_mit_wert,
        count(*) over (partition by z.art, z.indikator_id) as einrichtungen_gesamt
    from zeilen as z
)

select
    g.einrichtung_id,
    g.einrichtung_name,
    g.art,
    g.art_bezeichnung,
    g.quelle,
    g.stand,
    g.strasse,
    g.hausnummer,
    g.ort,
    g.plaetze,
    g.plaetze_u3,
    g.plaetze_ue3,
    g.wohnplatz_id,
    g.wohnplatz_name,
    g.kommune_ags,
    k.name as kommune_name,
    g.zuordnung,
    g.indikator_id,
    g.indikator_name,
    g.thema,
    g.einheit,
    g.polaritaet,
    g.stichtag,
    g.wert,
    g.status,
    g.status_grund,
    g.rang,
    case when g.wert is not null
        then cast(1 + floor(5.0 * (g.rang - 1) / g.einrichtungen_mit_wert) as integer)
    end as quintil,
    g.einrichtungen_mit_wert,
    g.einrichtungen_gesamt,
    case g.status
        when 'gesperrt' then 'Wert gesperrt (Datenschutz), daher am Ende der Rangfolge'
        when 'fehlt' then 'Wert nicht geliefert, daher am Ende der Rangfolge'
        when 'ohne_wohnplatz' then 'Adresse keinem Wohnplatz zugeordnet, daher am Ende der Rangfolge'
        else case when g.wert is null then 'Kein Wert, daher am Ende der Rangfolge' end
    end as rang_hinweis,
    h.handlungsbedarf as handlungsraum,
    (select stichtag from index_stichtag) as handlungsraum_stichtag
from gerankt as g
left join {{ ref('dim_kommune') }} as k
    on k.ags = g.kommune_ags
left join handlungsraeume as h
    on h.gebiet_id = g.wohnplatz_id
