-- Every measure (numerators and denominators of the indicators) per Stichtag and TODAY's Wohnplatz,
-- long, with status and the delivery files it comes from:
--   geliefert   figures delivered per area key (int_kennzahlen_geliefert): passed through on today's
--               scheme; delivered on an older scheme they are carried over with the crosswalk's
--               population weights and flagged 'geschaetzt'. A masked (or missing) old area makes every
--               new area it feeds unknown: NULL with status 'gesperrt' (or 'fehlt'), never 0.
--   berechnet   figures computed here on today's scheme from addresses and coordinates (register,
--               facilities, infrastructure): exact for every year, status 'ok'.
{%- set register_kennzahlen = [
    'einwohner', 'einwohner_u3', 'einwohner_3_5', 'einwohner_u6', 'einwohner_u15', 'einwohner_u18',
    'einwohner_u21', 'einwohner_u65', 'einwohner_15_24', 'einwohner_15_64', 'einwohner_20_64',
    'einwohner_55_64', 'einwohner_65plus', 'einwohner_80plus', 'einwohner_nichtdeutsch', 'haushalte',
    'haushalte_mit_kindern', 'haushalte_alleinerziehend', 'alleinlebende_65plus', 'alleinlebende_80plus',
    'einwohner_mit_hauskoordinate'] %}
{%- set einrichtungs_kennzahlen = [
    ('kita', 'kita', 'kita_plaetze_u3', 'plaetze_u3', "true"),
    ('kita', 'kita', 'kita_plaetze_ue3', 'plaetze_ue3', "true"),
    ('zahngesundheit', 'zahngesundheit', 'zahn_untersucht', 'untersuchte_kinder', "true"),
    ('zahngesundheit', 'zahngesundheit', 'zahn_karies', 'kinder_mit_karies', "true"),
    ('pflege', 'pflege_einrichtungen', 'pflegeheim_plaetze', 'plaetze', "art_code = 'vollstationaer'"),
    ('pflege', 'pflege_einrichtungen', 'tagespflege_plaetze', 'plaetze', "art_code = 'tagespflege'"),
    ('pflege', 'pflege_einrichtungen', 'kurzzeitpflege_plaetze', 'plaetze', "art_code = 'kurzzeitpflege'")] %}
{%- set infrastruktur_kennzahlen = [
    ('infrastruktur', 'hausaerzte', 'hausarzt'),
    ('infrastruktur', 'apotheken', 'apotheke'),
    ('infrastruktur', 'lebensmittelmaerkte', 'lebensmittel'),
    ('infrastruktur', 'schulen', 'schule'),
    ('haltestellen', 'haltestellen', 'haltestelle')] %}
with aktuelle_wohnplaetze as (
    select wohnplatz_id, ags, gebietsstand from {{ ref('int_wohnplaetze') }} where ist_aktuell
),

stichtage as (
    select stichtag, quartal_index from {{ ref('int_stichtage') }}
),

lieferungen as (
    select distinct quelle, tabelle, stichtag, teil, lieferung_id from {{ ref('stg_lieferungen') }}
),

-- ---------------------------------------------------------------- delivered per area key
geliefert as (
    select * from {{ ref('int_kennzahlen_geliefert') }} where ebene = 'wohnplatz'
),

geliefert_aktuell as (
    select
        g.stichtag,
        g.gebiet_id as wohnplatz_id,
        g.quelle,
        g.kennzahl,
        'geliefert' as herkunft,
        g.gebietsstand as gebietsstand_geliefert,
        g.wert,
        {{ status_aus_kennung('g.kennung') }} as status,
        {{ status_grund_aus_kennung('g.kennung') }} as status_grund,
        g.lieferung_ids
    from geliefert as g
    inner join aktuelle_wohnplaetze as w
        on w.gebietsstand = g.gebietsstand and w.wohnplatz_id = g.gebiet_id
),

geliefert_umgeschluesselt as (
    select
        g.stichtag,
        x.wohnplatz_id_neu as wohnplatz_id,
        g.quelle,
        g.kennzahl,
        'geliefert' as herkunft,
        g.gebietsstand as gebietsstand_geliefert,
        -- rounded: a rerun must give the same bits whatever order the parallel sum takes
        case when count(g.wert) = count(*) then {{ gerundet('sum(x.gewicht * g.wert)', 6) }} end as wert,
        case
            when count(g.wert) = count(*) then 'geschaetzt'
            -- a masked part keeps the new area masked, even where another part is not available ('.')
            when max(case when g.kennung = 'maskiert' then 1 else 0 end) = 1 then 'gesperrt'
            else 'fehlt'
        end as status,
        case
            when count(g.wert) = count(*) then 'umgeschluesselt'
            when max(case when g.kennung = 'maskiert' then 1 else 0 end) = 1 then 'quelle_maskiert'
            else min({{ status_grund_aus_kennung('g.kennung') }})
        end as status_grund,
        {{ id_liste_bereinigt(dbt.concat([dbt.listagg('g.lieferung_ids', "','"), "','", "min(x.lieferung_ids)"])) }} as lieferung_ids
    from geliefert as g
    inner join {{ ref('int_gebietsreform_gewichte') }} as x
        on x.gebietsstand_alt = g.gebietsstand
        and x.wohnplatz_id_alt = g.gebiet_id
    group by g.stichtag, x.wohnplatz_id_neu, g.quelle, g.kennzahl, g.gebietsstand
),

-- ---------------------------------------------------------------- register (today's scheme)
register as (
    select * from {{ ref('int_melderegister_kennzahlen') }}
),

register_lang as (
    {%- for kennzahl in register_kennzahlen %}
    select stichtag, wohnplatz_id, 'melderegister' as quelle, '{{ kennzahl }}' as kennzahl,
           cast({{ kennzahl }} as {{ typ_double() }}) as wert, lieferung_id as lieferung_ids
    from register
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

register_vor_8_quartalen as (
    select
        r.stichtag,
        r.wohnplatz_id,
        r.einwohner,
        v.einwohner as einwohner_vorher,
        {{ dbt.concat(["r.lieferung_id", "','", "coalesce(v.lieferung_id, '')"]) }} as lieferung_ids
    from register as r
    inner join stichtage as s on s.stichtag = r.stichtag
    left join stichtage as sv on sv.quartal_index = s.quartal_index - 8
    left join register as v on v.stichtag = sv.stichtag and v.wohnplatz_id = r.wohnplatz_id
),

entwicklung as (
    select stichtag, wohnplatz_id, 'melderegister' as quelle, 'einwohner_vor_8q' as kennzahl,
           cast(einwohner_vorher as {{ typ_double() }}) as wert, lieferung_ids
    from register_vor_8_quartalen
    union all
    select stichtag, wohnplatz_id, 'melderegister', 'einwohner_veraenderung_8q',
           cast(einwohner - einwohner_vorher as {{ typ_double() }}), lieferung_ids
    from register_vor_8_quartalen
),

wanderung_4q as (
    -- moves of the quarter and the three before it; all four movement files are needed
    select
        w.stichtag,
        w.wohnplatz_id,
        count(distinct v.stichtag) as quartale,
        sum(v.zuzuege) as zuzuege,
        sum(v.fortzuege) as fortzuege,
        {{ dbt.listagg('v.lieferung_id', "','") }} as lieferung_ids
    from {{ ref('int_wanderung_wohnplatz') }} as w
    inner join stichtage as s on s.stichtag = w.stichtag
    inner join stichtage as sv on sv.quartal_index between s.quartal_index - 3 and s.quartal_index
    inner join {{ ref('int_wanderung_wohnplatz') }} as v
        on v.stichtag = sv.stichtag and v.wohnplatz_id = w.wohnplatz_id
    group by w.stichtag, w.wohnplatz_id
),

wanderung as (
    select stichtag, wohnplatz_id, 'melderegister' as quelle, 'wanderungsvolumen_4q' as kennzahl,
           case when quartale = 4 then cast(zuzuege + fortzuege as {{ typ_double() }}) end as wert, lieferung_ids
    from wanderung_4q
    union all
    select stichtag, wohnplatz_id, 'melderegister', 'wanderungssaldo_4q',
           case when quartale = 4 then cast(zuzuege - fortzuege as {{ typ_double() }}) end, lieferung_ids
    from wanderung_4q
),

-- ---------------------------------------------------------------- facilities (address -> today's Wohnplatz)
einrichtungen as (
    select * from {{ ref('int_einrichtungen') }} where zuordnung = 'zugeordnet'
),

einrichtungs_raster as (
    select l.quelle, l.tabelle, l.stichtag, l.lieferung_id, w.wohnplatz_id
    from lieferungen as l
    cross join aktuelle_wohnplaetze as w
    where l.tabelle in ('kita', 'zahngesundheit', 'pflege_einrichtungen')
),

einrichtungs_lang as (
    {%- for quelle, tabelle, kennzahl, spalte, bedingung in einrichtungs_kennzahlen %}
    select
        r.stichtag, r.wohnplatz_id, r.quelle, '{{ kennzahl }}' as kennzahl,
        cast(coalesce(sum(case when {{ bedingung }} then e.{{ spalte }} end), 0) as {{ typ_double() }}) as wert,
        r.lieferung_id as lieferung_ids
    from einrichtungs_raster as r
    left join einrichtungen as e
        on e.tabelle = r.tabelle and e.lieferung_id = r.lieferung_id and e.wohnplatz_id = r.wohnplatz_id
    where r.tabelle = '{{ tabelle }}'
    group by r.stichtag, r.wohnplatz_id, r.quelle, r.lieferung_id
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- ---------------------------------------------------------------- infrastructure (points in polygons)
punkte as (
    select * from {{ ref('int_infrastruktur_punkte') }} where wohnplatz_id is not null
),

punkt_raster as (
    select l.tabelle, l.stichtag, l.lieferung_id, w.wohnplatz_id
    from lieferungen as l
    cross join aktuelle_wohnplaetze as w
    where l.quelle = 'infrastruktur'
),

infrastruktur_lang as (
    {%- for tabelle, kennzahl, kategorie in infrastruktur_kennzahlen %}
    select
        r.stichtag, r.wohnplatz_id, 'infrastruktur' as quelle, '{{ kennzahl }}' as kennzahl,
        cast(count(p.zeile) as {{ typ_double() }}) as wert,
        r.lieferung_id as lieferung_ids
    from punkt_raster as r
    left join punkte as p
        on p.tabelle = r.tabelle and p.lieferung_id = r.lieferung_id
        and p.wohnplatz_id = r.wohnplatz_id and p.kategorie = '{{ kategorie }}'
    where r.tabelle = '{{ tabelle }}'
    group by r.stichtag, r.wohnplatz_id, r.lieferung_id
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

erreichbarkeit_lang as (
    -- residents (by house coordinate) near a grocery store / bus stop: register x infrastructure year
    select
        r.stichtag, r.wohnplatz_id, 'infrastruktur' as quelle, 'einwohner_500m_lebensmittel' as kennzahl,
        -- NULL although the layer was delivered: the register quarter was computed before it arrived
        -- (rerun the window); a Wohnplatz without inhabitants has 0
        cast(case when r.einwohner = 0 then 0 else r.einwohner_500m_lebensmittel end as {{ typ_double() }}) as wert,
        {{ dbt.concat(["r.lieferung_id", "','", "l.lieferung_id"]) }} as lieferung_ids
    from register as r
    inner join lieferungen as l on l.stichtag = r.stichtag and l.tabelle = 'infrastruktur'
    union all
    select
        r.stichtag, r.wohnplatz_id, 'infrastruktur', 'einwohner_300m_haltestelle',
        cast(case when r.einwohner = 0 then 0 else r.einwohner_300m_haltestelle end as {{ typ_double() }}),
        {{ dbt.concat(["r.lieferung_id", "','", "l.lieferung_id"]) }}
    from register as r
    inner join lieferungen as l on l.stichtag = r.stichtag and l.tabelle = 'haltestellen'
),

berechnet as (
    select * from register_lang
    union all select * from entwicklung
    union all select * from wanderung
    union all select * from einrichtungs_lang
    union all select * from infrastruktur_lang
    union all select * from erreichbarkeit_lang
),

berechnet_mit_status as (
    select
        stichtag,
        wohnplatz_id,
        quelle,
        kennzahl,
        'berechnet' as herkunft,
        cast(null as date) as gebietsstand_geliefert,
        wert,
        case when wert is null then 'fehlt' else 'ok' end as status,
        case
            when wert is not null then null
            when kennzahl in ('einwohner_vor_8q', 'einwohner_veraenderung_8q') then 'vorperiode_fehlt'
            when kennzahl in ('einwohner_500m_lebensmittel', 'einwohner_300m_haltestelle') then 'register_vor_lieferung_berechnet'
            else 'zeitraum_unvollstaendig'
        end as status_grund,
        {{ id_liste_bereinigt('lieferung_ids') }} as lieferung_ids
    from berechnet
),

alle as (
    select * from geliefert_aktuell
    union all select * from geliefert_umgeschluesselt
    union all select * from berechnet_mit_status
)

select
    a.stichtag,
    a.wohnplatz_id,
    w.ags,
    a.quelle,
    a.kennzahl,
    a.herkunft,
    a.gebietsstand_geliefert,
    a.gebietsstand_geliefert is not null and a.gebietsstand_geliefert <> w.gebietsstand as umgeschluesselt,
    a.wert,
    a.status,
    a.status_grund,
    a.lieferung_ids
from alle as a
inner join aktuelle_wohnplaetze as w on w.wohnplatz_id = a.wohnplatz_id
