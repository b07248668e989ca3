-- Records that name their Wohnplatz by key (BA tables, Grundsicherung, Hilfe zur Pflege, HzE cases,
-- school-entry children): is the key one of the scheme valid at the Stichtag? Invalid keys cannot be
-- placed (int_kennzahlen_geliefert leaves them out); this model makes them countable and listable.
-- Only keys and counts - no case or child attributes.
with stichtage as (
    select stichtag, gebietsstand from {{ ref('int_stichtage') }}
),

datensaetze as (
    select 'sgb2' as quelle, 'sgb2' as tabelle, 'Gebietszeilen' as einheit, stichtag, gebiet_id as wohnplatz_id, lieferung_id, zeile
    from {{ ref('stg_sgb2') }} where ebene = 'wohnplatz'
    union all
    select 'arbeitslosigkeit', 'arbeitslosigkeit', 'Gebietszeilen', stichtag, gebiet_id, lieferung_id, zeile
    from {{ ref('stg_arbeitslosigkeit') }} where ebene = 'wohnplatz'
    union all
    select 'grundsicherung', 'grundsicherung', 'Gebietszeilen', stichtag, wohnplatz_id, lieferung_id, zeile
    from {{ ref('stg_grundsicherung') }}
    union all
    select 'pflege', 'pflege_hzp', 'Gebietszeilen', stichtag, wohnplatz_id, lieferung_id, zeile
    from {{ ref('stg_pflege_hzp') }}
    union all
    select 'hze', 'hze', 'Fälle', stichtag, wohnplatz_id, lieferung_id, zeile
    from {{ ref('stg_hze') }}
    union all
    select 'einschulung', 'einschulung', 'Kinder', stichtag, wohnplatz_id, lieferung_id, zeile
    from {{ ref('stg_einschulung') }}
)

select
    d.quelle,
    d.tabelle,
    d.einheit,
    d.stichtag,
    s.gebietsstand,
    d.wohnplatz_id,
    w.wohnplatz_id is not null as schluessel_gueltig,
    d.lieferung_id,
    d.zeile
from datensaetze as d
left join stichtage as s on s.stichtag = d.stichtag
left join {{ ref('int_wohnplaetze') }} as w
    on w.gebietsstand = s.gebietsstand and w.wohnplatz_id = d.wohnplatz_id
