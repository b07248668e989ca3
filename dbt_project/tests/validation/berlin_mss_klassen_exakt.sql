-- Berlin MSS 2021: every published status and dynamics class is reproduced exactly, both by the full
-- chain from the published z-values and by standardising the published sums.
select
    plr_id,
    plr_name,
    status_index_berlin, status_index, status_index_aus_summe,
    status_klasse_berlin, status_klasse, status_klasse_aus_summe,
    dynamik_index_berlin, dynamik_index, dynamik_index_aus_summe,
    dynamik_klasse_berlin, dynamik_klasse, dynamik_klasse_aus_summe
from {{ ref('val_berlin_mss_2021') }}
where coalesce(status_klasse, '-') <> coalesce(status_klasse_berlin, '-')
   or coalesce(status_klasse_aus_summe, '-') <> coalesce(status_klasse_berlin, '-')
   or coalesce(dynamik_klasse, '-') <> coalesce(dynamik_klasse_berlin, '-')
   or coalesce(dynamik_klasse_aus_summe, '-') <> coalesce(dynamik_klasse_berlin, '-')
