-- Berlin MSS 2021, full chain from the published (2-decimal) z-values through the product's macros:
--  * re-standardising a published z column changes it by less than 0.001 (it is already standardised);
--  * the status/dynamics sums match the published sums within 0.015 (three z-values rounded to 0.01);
--  * the status index matches within 0.01; the dynamics index within the bound that the published
--    rounding alone explains (0.005 + 3 x 0.005 / sd of the sum, 0.0122; 2 of 536 areas differ by 0.0104,
--    both by exactly the input rounding: their sums from the rounded z-values are 0.01 off the published
--    sum, see route 2 in berlin_mss_index_toleranz, which is within 0.01 everywhere).
select *
from {{ ref('val_berlin_mss_2021') }}
where status_indexiert
  and (abs(zs1_neu - zs1) >= 0.001 or abs(zs3_neu - zs3) >= 0.001 or abs(zs4_neu - zs4) >= 0.001
       or abs(zd1_neu - zd1) >= 0.001 or abs(zd3_neu - zd3) >= 0.001 or abs(zd4_neu - zd4) >= 0.001
       or abs(status_summe - status_summe_berlin) > 0.015
       or abs(dynamik_summe - dynamik_summe_berlin) > 0.015
       or abs(status_index - status_index_berlin) > 0.01
       or abs(dynamik_index - dynamik_index_berlin) > rundungsgrenze_dynamik_index
       or rundungsgrenze_dynamik_index > 0.0125)
