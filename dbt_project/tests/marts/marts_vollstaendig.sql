-- Completeness of the area marts: at every Stichtag each of mart_sozialmonitoring, mart_pflege and
-- mart_jugendhilfe has exactly one row per current Wohnplatz, per municipality and for the district;
-- mart_sozialindex one row per current Wohnplatz (indexed or not).
with gebiete as (
    select 'wohnplatz' as ebene, count(*) as soll from {{ ref('dim_wohnplatz') }} where ist_aktuell
    union all
    select 'kommune' as ebene, count(*) as soll from {{ ref('dim_kommune') }}
    union all
    select 'kreis' as ebene, 1 as soll
),

ist as (
    {%- for mart in ['mart_sozialmonitoring', 'mart_pflege', 'mart_jugendhilfe'] %}
    select '{{ mart }}' as mart, ebene, stichtag, count(*) as ist, count(distinct gebiet_id) as ist_eindeutig
    from {{ ref(mart) }}
    group by ebene, stichtag
    union all
    {%- endfor %}
    select 'mart_sozialindex' as mart, 'wohnplatz' as ebene, stichtag, count(*) as ist,
           count(distinct gebiet_id) as ist_eindeutig
    from {{ ref('mart_sozialindex') }}
    group by stichtag
),

stichtage as (
    select distinct stichtag from {{ ref('mart_indikatoren') }}
),

soll as (
    {%- for mart in ['mart_sozialmonitoring', 'mart_pflege', 'mart_jugendhilfe'] %}
    select '{{ mart }}' as mart, g.ebene, s.stichtag, g.soll
    from gebiete as g cross join stichtage as s
    union all
    {%- endfor %}
    select 'mart_sozialindex' as mart, g.ebene, s.stichtag, g.soll
    from gebiete as g
    cross join stichtage as s
    where g.ebene = 'wohnplatz'
)

select
    coalesce(s.mart, i.mart) as mart,
    coalesce(s.ebene, i.ebene) as ebene,
    coalesce(s.stichtag, i.stichtag) as stichtag,
    s.soll,
    i.ist,
    i.ist_eindeutig
from soll as s
full outer join ist as i
    on i.mart = s.mart
    and i.ebene = s.ebene
    and i.stichtag = s.stichtag
where s.soll is null or i.ist is null or i.ist <> s.soll or i.ist_eindeutig <> s.soll
