-- Berlin MSS 2021: exactly the 536 planning areas with published values are indexed (status and
-- dynamics), the 6 without are not and carry a reason. Returns the offending rows.
with pruefung as (
    select
        plr_id,
        plr_name,
        status_indexiert,
        dynamik_indexiert,
        grund_nicht_indexiert,
        status_index_berlin,
        count(case when status_indexiert then 1 end) over () as indexiert_gesamt
    from {{ ref('val_berlin_mss_2021') }}
)
select *
from pruefung
where status_indexiert <> (status_index_berlin is not null)
   or dynamik_indexiert <> (status_index_berlin is not null)
   or (not status_indexiert and grund_nicht_indexiert is null)
   or (status_indexiert and grund_nicht_indexiert is not null)
   or indexiert_gesamt <> 536
