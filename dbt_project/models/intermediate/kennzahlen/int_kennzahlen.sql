-- Every measure for every level: today's Wohnplätze, the municipalities and the district.
-- Municipality and district values are sums of their Wohnplätze - of the Wohnplätze as DELIVERED
-- for figures delivered per area key (a municipality is unchanged by the area reform, so its sum is
-- exact, not estimated), of today's Wohnplätze for figures computed here - with one exception: the BA
-- (sgb2, arbeitslosigkeit) delivers true municipality and district totals, used as they are, since the
-- masked Wohnplatz cells make the Wohnplatz sum incomplete. A sum is only given when every Wohnplatz
-- of the area has a value; otherwise NULL with the worst status of its parts.
with wohnplatz as (
    select * from {{ ref('int_kennzahlen_wohnplatz') }}
),

geliefert as (
    select * from {{ ref('int_kennzahlen_geliefert') }}
),

ba_quellen as (
    select 'sgb2' as quelle union all select 'arbeitslosigkeit' as quelle
),

-- Wohnplätze per municipality in each scheme: the number of parts a complete sum has
wohnplaetze_je_kommune as (
    select gebietsstand, ags, count(*) as anzahl from {{ ref('int_wohnplaetze') }} group by gebietsstand, ags
),

wohnplaetze_im_kreis as (
    select gebietsstand, count(*) as anzahl from {{ ref('int_wohnplaetze') }} group by gebietsstand
),

aktueller_stand as (
    select gebietsstand from {{ ref('int_wohnplaetze') }} where ist_aktuell group by gebietsstand
),

-- parts of the sums: figures computed on today's scheme, and key-delivered non-BA figures as delivered
teile as (
    select w.stichtag, a.gebietsstand, w.ags, w.quelle, w.kennzahl, w.wert, w.status, w.status_grund, w.lieferung_ids
    from wohnplatz as w
    cross join aktueller_stand as a
    where w.herkunft = 'berechnet'
    union all
    select g.stichtag, g.gebietsstand, g.ags, g.quelle, g.kennzahl, g.wert,
           {{ status_aus_kennung('g.kennung') }}, {{ status_grund_aus_kennung('g.kennung') }}, g.lieferung_ids
    from geliefert as g
    where g.ebene = 'wohnplatz' and g.quelle not in (select quelle from ba_quellen)
),

kommune_summen as (
    select
        t.stichtag,
        'kommune' as ebene,
        t.ags as gebiet_id,
        t.ags,
        t.quelle,
        t.kennzahl,
        case when count(t.wert) = max(k.anzahl) then sum(t.wert) end as wert,
        {{ status_einer_summe('t.status', 'max(k.anzahl)') }} as status,
        {{ status_grund_einer_summe('t.status', 't.status_grund', 'max(k.anzahl)') }} as status_grund,
        {{ id_liste_bereinigt(dbt.listagg('t.lieferung_ids', "','")) }} as lieferung_ids
    from teile as t
    inner join wohnplaetze_je_kommune as k on k.gebietsstand = t.gebietsstand and k.ags = t.ags
    group by t.stichtag, t.ags, t.quelle, t.kennzahl
),

kreis_summen as (
    select
        t.stichtag,
        'kreis' as ebene,
        '{{ var("kreis_schluessel") }}' as gebiet_id,
        cast(null as {{ dbt.type_string() }}) as ags,
        t.quelle,
        t.kennzahl,
        case when count(t.wert) = max(k.anzahl) then sum(t.wert) end as wert,
        {{ status_einer_summe('t.status', 'max(k.anzahl)') }} as status,
        {{ status_grund_einer_summe('t.status', 't.status_grund', 'max(k.anzahl)') }} as status_grund,
        {{ id_liste_bereinigt(dbt.listagg('t.lieferung_ids', "','")) }} as lieferung_ids
    from teile as t
    inner join wohnplaetze_im_kreis as k on k.gebietsstand = t.gebietsstand
    group by t.stichtag, t.quelle, t.kennzahl
),

ba_summen as (
    select
        g.stichtag,
        g.ebene,
        g.gebiet_id,
        g.ags,
        g.quelle,
        g.kennzahl,
        g.wert,
        {{ status_aus_kennung('g.kennung') }} as status,
        {{ status_grund_aus_kennung('g.kennung') }} as status_grund,
        g.lieferung_ids
    from geliefert as g
    where g.ebene in ('kommune', 'kreis')
)

select
    stichtag, 'wohnplatz' as ebene, wohnplatz_id as gebiet_id, ags, quelle, kennzahl, herkunft,
    wert, status, status_grund, lieferung_ids
from wohnplatz
union all
select stichtag, ebene, gebiet_id, ags, quelle, kennzahl, 'summe' as herkunft,
       wert, status, status_grund, lieferung_ids
from kommune_summen
union all
select stichtag, ebene, gebiet_id, ags, quelle, kennzahl, 'summe' as herkunft,
       wert, status, status_grund, lieferung_ids
from kreis_summen
union all
select stichtag, ebene, gebiet_id, ags, quelle, kennzahl, 'ba_summe' as herkunft,
       wert, status, status_grund, lieferung_ids
from ba_summen
