-- Moves in and out of every current Wohnplatz per register quarter (births and deaths excluded),
-- one row for every Wohnplatz of a municipality whose movement file was delivered (0 without moves).
with ereignisse as (
    select * from {{ ref('int_wanderung_ereignisse') }} where ist_zugeordnet
),

zuzuege as (
    select stichtag, wohnplatz_id_neu as wohnplatz_id, sum(zuzuege) as zuzuege
    from ereignisse
    where zuzuege = 1
    group by stichtag, wohnplatz_id_neu
),

fortzuege as (
    select stichtag, wohnplatz_id_alt as wohnplatz_id, sum(fortzuege) as fortzuege
    from ereignisse
    where fortzuege = 1
    group by stichtag, wohnplatz_id_alt
),

geliefert as (
    select distinct stichtag, teil as ags, lieferung_id
    from {{ ref('stg_lieferungen') }}
    where tabelle = 'melderegister_bewegungen'
),

raster as (
    select g.stichtag, w.wohnplatz_id, w.ags, g.lieferung_id
    from geliefert as g
    inner join {{ ref('int_wohnplaetze') }} as w on w.ags = g.ags and w.ist_aktuell
)

select
    r.stichtag,
    r.wohnplatz_id,
    r.ags,
    coalesce(z.zuzuege, 0) as zuzuege,
    coalesce(f.fortzuege, 0) as fortzuege,
    r.lieferung_id
from raster as r
left join zuzuege as z on z.stichtag = r.stichtag and z.wohnplatz_id = r.wohnplatz_id
left join fortzuege as f on f.stichtag = r.stichtag and f.wohnplatz_id = r.wohnplatz_id
