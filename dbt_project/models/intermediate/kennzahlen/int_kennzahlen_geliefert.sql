-- Figures that offices deliver per area KEY, long (one row per area, Stichtag and measure), on the
-- Wohnplatz scheme valid at the Stichtag - before any crosswalk:
--   sgb2, arbeitslosigkeit: BA tables per Wohnplatz plus true municipality and district totals;
--   grundsicherung, pflege (Hilfe zur Pflege): office tables per Wohnplatz;
--   hze, einschulung: case / child records counted per Wohnplatz.
-- Only keys of the scheme valid at the Stichtag are kept (others: int_nicht_zugeordnet). Every
-- Wohnplatz of that scheme gets a row for every delivered measure: record-level sources count 0 where
-- no record names it; a table that lacks a Wohnplatz's row leaves it NULL with kennung 'nicht_geliefert'.
-- Masked counts stay NULL with their kennung ('maskiert', 'nicht_verfuegbar'), never 0.
with stichtage as (
    select stichtag, gebietsstand from {{ ref('int_stichtage') }}
),

ba as (
    {%- set ba_kennzahlen = {
        'sgb2': [('bedarfsgemeinschaften', 'sgb2_bedarfsgemeinschaften'),
                 ('regelleistungsberechtigte', 'sgb2_regelleistungsberechtigte'),
                 ('kinder_unter_15', 'sgb2_kinder_u15'),
                 ('alleinerziehende_bg', 'sgb2_alleinerziehende_bg')],
        'arbeitslosigkeit': [('arbeitslose', 'arbeitslose'),
                             ('arbeitslose_sgb2', 'arbeitslose_sgb2'),
                             ('arbeitslose_sgb3', 'arbeitslose_sgb3'),
                             ('langzeitarbeitslose', 'langzeitarbeitslose')]
    } %}
    {%- for quelle, spalten in ba_kennzahlen.items() %}
    {%- for spalte, kennzahl in spalten %}
    select
        '{{ quelle }}' as quelle,
        stichtag,
        ebene,
        gebiet_id,
        '{{ kennzahl }}' as kennzahl,
        cast({{ spalte }} as {{ typ_double() }}) as wert,
        {{ spalte }}_kennung as kennung,
        lieferung_id
    from {{ ref('stg_' ~ quelle) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

tabellen as (
    select 'grundsicherung' as quelle, stichtag, 'wohnplatz' as ebene, wohnplatz_id as gebiet_id,
           'grundsicherung_65plus' as kennzahl, cast(empfaenger_65plus as {{ typ_double() }}) as wert,
           cast(null as {{ dbt.type_string() }}) as kennung, lieferung_id
    from {{ ref('stg_grundsicherung') }}
    union all
    select 'pflege', stichtag, 'wohnplatz', wohnplatz_id,
           'hzp_empfaenger', cast(empfaenger as {{ typ_double() }}), null, lieferung_id
    from {{ ref('stg_pflege_hzp') }}
),

hze as (
    -- cases running AT the Stichtag (the export lists every case running at some time of the quarter)
    select 'hze' as quelle, stichtag, 'wohnplatz' as ebene, wohnplatz_id as gebiet_id,
           'hze_faelle' as kennzahl, cast(count(*) as {{ typ_double() }}) as wert,
           cast(null as {{ dbt.type_string() }}) as kennung, min(lieferung_id) as lieferung_id
    from {{ ref('stg_hze') }}
    where hilfebeginn <= stichtag and (hilfeende is null or hilfeende >= stichtag)
    group by stichtag, wohnplatz_id
),

einschulung_je_wohnplatz as (
    select
        stichtag,
        wohnplatz_id,
        min(lieferung_id) as lieferung_id,
        count(*) as seu_untersucht,
        sum(case when bmi_kategorie is not null then 1 else 0 end) as seu_bmi_erhoben,
        sum(case when uebergewichtig then 1 else 0 end) as seu_uebergewicht,
        sum(case when sprachfoerderbedarf is not null then 1 else 0 end) as seu_sprache_erhoben,
        sum(case when sprachfoerderbedarf then 1 else 0 end) as seu_sprachfoerderbedarf,
        sum(case when impfausweis_vorgelegt then 1 else 0 end) as seu_impfausweis,
        sum(case when impfausweis_vorgelegt and masern_impfungen >= 2 then 1 else 0 end) as seu_masern_2,
        sum(case when frueherkennungsheft_vorgelegt then 1 else 0 end) as seu_fruehheft,
        sum(case when frueherkennungsheft_vorgelegt and u_untersuchungen_vollstaendig then 1 else 0 end) as seu_u_vollstaendig
    from {{ ref('stg_einschulung') }}
    group by stichtag, wohnplatz_id
),

einschulung as (
    {%- set seu = ['seu_untersucht', 'seu_bmi_erhoben', 'seu_uebergewicht', 'seu_sprache_erhoben',
                   'seu_sprachfoerderbedarf', 'seu_impfausweis', 'seu_masern_2', 'seu_fruehheft',
                   'seu_u_vollstaendig'] %}
    {%- for kennzahl in seu %}
    select 'einschulung' as quelle, stichtag, 'wohnplatz' as ebene, wohnplatz_id as gebiet_id,
           '{{ kennzahl }}' as kennzahl, cast({{ kennzahl }} as {{ typ_double() }}) as wert,
           cast(null as {{ dbt.type_string() }}) as kennung, lieferung_id
    from einschulung_je_wohnplatz
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

geliefert as (
    select * from ba
    union all select * from tabellen
    union all select * from hze
    union all select * from einschulung
),

-- which measure each delivery holds, with its file(s): the frame for Wohnplätze without a row
lieferungen as (
    select
        quelle,
        stichtag,
        kennzahl,
        {{ id_liste_bereinigt(dbt.listagg('lieferung_id', "','")) }} as lieferung_ids
    from (select distinct quelle, stichtag, kennzahl, lieferung_id from geliefert) as d
    group by quelle, stichtag, kennzahl
),

wohnplaetze as (
    select w.wohnplatz_id, w.ags, w.gebietsstand, s.stichtag
    from {{ ref('int_wohnplaetze') }} as w
    inner join stichtage as s on s.gebietsstand = w.gebietsstand
),

wohnplatz_raster as (
    select l.quelle, l.stichtag, w.gebietsstand, w.wohnplatz_id, w.ags, l.kennzahl, l.lieferung_ids
    from lieferungen as l
    inner join wohnplaetze as w on w.stichtag = l.stichtag
),

wohnplatz_zeilen as (
    select
        r.quelle,
        r.stichtag,
        r.gebietsstand,
        'wohnplatz' as ebene,
        r.wohnplatz_id as gebiet_id,
        r.ags,
        r.kennzahl,
        case
            when g.gebiet_id is not null then g.wert
            when r.quelle in ('hze', 'einschulung') then 0
        end as wert,
        case
            when g.gebiet_id is not null then g.kennung
            when r.quelle in ('hze', 'einschulung') then null
            else 'nicht_geliefert'
        end as kennung,
        coalesce(g.lieferung_id, r.lieferung_ids) as lieferung_ids
    from wohnplatz_raster as r
    left join geliefert as g
        on g.quelle = r.quelle
        and g.stichtag = r.stichtag
        and g.kennzahl = r.kennzahl
        and g.ebene = 'wohnplatz'
        and g.gebiet_id = r.wohnplatz_id
),

summen_zeilen as (
    -- the BA's own municipality and district totals (true totals, unaffected by masking)
    select
        g.quelle,
        g.stichtag,
        s.gebietsstand,
        g.ebene,
        g.gebiet_id,
        case when g.ebene = 'kommune' then g.gebiet_id end as ags,
        g.kennzahl,
        g.wert,
        g.kennung,
        g.lieferung_id as lieferung_ids
    from geliefert as g
    inner join stichtage as s on s.stichtag = g.stichtag
    where (g.ebene = 'kommune' and g.gebiet_id in (select ags from {{ ref('kommunen') }}))
       or (g.ebene = 'kreis' and g.gebiet_id = '{{ var("kreis_schluessel") }}')
),

aktueller_stand as (
    select max(gebietsstand) as gebietsstand from {{ ref('int_wohnplaetze') }}
)

select z.*, z.gebietsstand = a.gebietsstand as ist_aktueller_gebietsstand
from (
    select * from wohnplatz_zeilen
    union all
    select * from summen_zeilen
) as z
cross join aktueller_stand as a
