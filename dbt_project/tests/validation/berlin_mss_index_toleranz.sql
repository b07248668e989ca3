-- Berlin MSS 2021: the standardisation macro reproduces the published status and dynamics index of all
-- 536 indexed areas within 0.01 when fed the published sums (the quantity Berlin standardised).
select
    plr_id,
    plr_name,
    status_index_berlin,
    status_index_aus_summe,
    dynamik_index_berlin,
    dynamik_index_aus_summe
from {{ ref('val_berlin_mss_2021') }}
where status_index_berlin is not null
  and (status_index_aus_summe is null
       or dynamik_index_aus_summe is null
       or abs(status_index_aus_summe - status_index_berlin) > 0.01
       or abs(dynamik_index_aus_summe - dynamik_index_berlin) > 0.01)
