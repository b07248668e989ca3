{{ config(severity='warn') }}
-- The area reform moves population between Wohnplätze of the same municipality only. If a weight
-- crossed a municipal border, municipality sums of carried-over figures would differ from the
-- municipality sums as delivered (int_kennzahlen uses the latter).
select x.*
from {{ ref('int_gebietsreform_gewichte') }} as x
inner join {{ ref('int_wohnplaetze') }} as alt
    on alt.gebietsstand = x.gebietsstand_alt and alt.wohnplatz_id = x.wohnplatz_id_alt
inner join {{ ref('int_wohnplaetze') }} as neu
    on neu.gebietsstand = x.gebietsstand_neu and neu.wohnplatz_id = x.wohnplatz_id_neu
where alt.ags <> neu.ags
