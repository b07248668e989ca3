-- The indicator catalogue (seed `indikatoren`), one row per indicator.
select
    indikator_id,
    name,
    thema,
    zaehler,
    nenner,
    einheit,
    faktor,
    quelle,
    polaritaet,
    turnus,
    bezugsquartal,
    mindestnenner,
    max_aenderung,
    im_index,
    coalesce(kontext, false) as kontext,
    reihenfolge
from {{ ref('indikatoren') }}
