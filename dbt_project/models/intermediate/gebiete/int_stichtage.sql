-- The quarterly Stichtage of the monitoring: from var erster_stichtag to the latest Stichtag any
-- periodic source has delivered for (reference data do not extend the calendar), each with the
-- Wohnplatz scheme (Gebietsstand) valid on that day.
with periodische_lieferungen as (
    select max(l.stichtag) as letzter_stichtag
    from {{ ref('stg_lieferungen') }} as l
    inner join {{ ref('quellen') }} as q on q.quelle = l.quelle
    where q.turnus <> 'bei_aenderung'
),

quartale as (
    select
        {{ dbt.last_day(
            dbt.dateadd('quarter', 'n.generated_number - 1', "cast('" ~ var('erster_stichtag') ~ "' as date)"),
            'quarter') }} as stichtag
    from ({{ dbt.generate_series(400) }}) as n
),

gebietsstaende as (
    select distinct gebietsstand from {{ ref('stg_wohnplatz_grenzen') }}
),

kalender as (
    select cast(q.stichtag as date) as stichtag
    from quartale as q
    cross join periodische_lieferungen as p
    where q.stichtag <= p.letzter_stichtag
)

select
    k.stichtag,
    cast(extract(year from k.stichtag) as integer) as jahr,
    cast(extract(quarter from k.stichtag) as integer) as quartal,
    cast(extract(year from k.stichtag) as integer) * 4 + cast(extract(quarter from k.stichtag) as integer) as quartal_index,
    {{ dbt.concat(["cast(extract(year from k.stichtag) as " ~ dbt.type_string() ~ ")", "'-Q'",
                   "cast(extract(quarter from k.stichtag) as " ~ dbt.type_string() ~ ")"]) }} as quartal_label,
    extract(quarter from k.stichtag) = 4 as ist_jahresende,
    extract(quarter from k.stichtag) = 2 as schuljahr_ende,
    (select max(g.gebietsstand) from gebietsstaende as g where g.gebietsstand <= k.stichtag) as gebietsstand
from kalender as k
