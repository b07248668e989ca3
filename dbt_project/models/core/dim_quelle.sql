-- The sources (Fachplanungen) with office, cadence and delivery deadline (seed `quellen`).
select
    quelle,
    titel,
    amt,
    turnus,
    bezugsquartal,
    lieferfrist_tage,
    gebietsbezug,
    tabellen,
    reihenfolge
from {{ ref('quellen') }}
