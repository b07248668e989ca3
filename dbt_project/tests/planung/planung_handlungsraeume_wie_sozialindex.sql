-- mart_handlungsraeume against mart_sozialindex and its own spell logic, checked row by row:
--  1. one row per current Wohnplatz and report Stichtag, with the classes and flag of mart_sozialindex;
--  2. handlungsbedarf_seit is set exactly on flagged rows, every report year from it to this row is
--     flagged, and the report year before it is not (or it is the first report year);
--  3. 'verlassen' exactly where the previous report year was flagged and this one is not, and then
--     with a reason; verlassen_grund only there;
--  4. a flagged row has min(3, number of status indicators) drivers, an unflagged one none.
{%- set n_status = sozialindex_einstellungen()['status_indikatoren'] | length %}
with

h as (select * from {{ ref('mart_handlungsraeume') }}),
b as (select * from {{ ref('int_planung_berichtsstichtage') }}),
s as (select * from {{ ref('mart_sozialindex') }}),

soll as (
    select s.gebiet_id, b.berichtsjahr, s.stichtag, s.status_klasse, s.dynamik_klasse, s.handlungsbedarf
    from s inner join b on b.stichtag = s.stichtag
),

vorher as (
    select
        h.*,
        (select max(x.berichtsjahr) from h as x
         where x.gebiet_id = h.gebiet_id and x.berichtsjahr < h.berichtsjahr) as vorjahr
    from h
)

select coalesce(h.gebiet_id, soll.gebiet_id) as gebiet_id, coalesce(h.berichtsjahr, soll.berichtsjahr) as berichtsjahr,
       'Zeile fehlt oder weicht von mart_sozialindex ab' as befund
from h
full outer join soll on soll.gebiet_id = h.gebiet_id and soll.berichtsjahr = h.berichtsjahr
where h.gebiet_id is null or soll.gebiet_id is null
   or h.stichtag <> soll.stichtag
   or h.status_klasse is distinct from soll.status_klasse
   or h.dynamik_klasse is distinct from soll.dynamik_klasse
   or h.handlungsbedarf is distinct from soll.handlungsbedarf

union all

select h.gebiet_id, h.berichtsjahr, 'handlungsbedarf_seit passt nicht zur Folge der Berichtsjahre'
from h
where (coalesce(h.handlungsbedarf, false) <> (h.handlungsbedarf_seit is not null))
   or (h.handlungsbedarf and (
        h.handlungsbedarf_seit > h.berichtsjahr
        or exists (select 1 from h as x
                   where x.gebiet_id = h.gebiet_id
                     and x.berichtsjahr between h.handlungsbedarf_seit and h.berichtsjahr
                     and not coalesce(x.handlungsbedarf, false))
        or exists (select 1 from h as x
                   where x.gebiet_id = h.gebiet_id and x.handlungsbedarf
                     and x.berichtsjahr = (select max(y.berichtsjahr) from h as y
                                           where y.gebiet_id = h.gebiet_id
                                             and y.berichtsjahr < h.handlungsbedarf_seit))
        or h.berichtsjahre_in_folge <> (select count(*) from h as x
                                        where x.gebiet_id = h.gebiet_id
                                          and x.berichtsjahr between h.handlungsbedarf_seit and h.berichtsjahr)))

union all

select v.gebiet_id, v.berichtsjahr, 'bewegung oder verlassen_grund falsch'
from vorher as v
left join h as p on p.gebiet_id = v.gebiet_id and p.berichtsjahr = v.vorjahr
where (v.bewegung = 'verlassen') <> (coalesce(p.handlungsbedarf, false) and not coalesce(v.handlungsbedarf, false))
   or (v.bewegung = 'verlassen') <> (v.verlassen_grund is not null)
   or (v.bewegung = 'erstes_berichtsjahr') <> (v.vorjahr is null)

union all

select h.gebiet_id, h.berichtsjahr, 'Zahl der Treiber falsch'
from h
where (coalesce(h.handlungsbedarf, false)
       and ((case when h.treiber_1_id is not null then 1 else 0 end)
          + (case when h.treiber_2_id is not null then 1 else 0 end)
          + (case when h.treiber_3_id is not null then 1 else 0 end)) <> {{ [n_status, 3] | min }})
   or (not coalesce(h.handlungsbedarf, false) and (h.treiber_1_id is not null or h.treiber is not null))
