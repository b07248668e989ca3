-- Period alignment of the deliveries: a yearly or school-year delivery belongs to the Stichtag of its
-- reference quarter (Kita 01.03. -> 31.03., school year -> 30.06., 31.12. -> Q4). A delivery at any
-- other Stichtag would be silently ignored by fct_indikator, so it fails here.
select l.*
from {{ ref('stg_lieferungen') }} as l
inner join {{ ref('quellen') }} as q on q.quelle = l.quelle
where q.turnus in ('jahr', 'schuljahr')
  and extract(quarter from l.stichtag) <> q.bezugsquartal
