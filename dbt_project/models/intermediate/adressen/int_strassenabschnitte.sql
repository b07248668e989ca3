-- Street directory ranges of every Gebietsstand with the normalised street name (for facilities whose
-- address is written by hand) and a flag for today's version, the one every address is assigned with.
with aktuell as (
    select max(gebietsstand) as gebietsstand from {{ ref('stg_strassenverzeichnis') }}
)

select
    v.gebietsstand,
    v.gebietsstand = a.gebietsstand as ist_aktuell,
    v.ags,
    v.strassenschluessel,
    v.strassenname,
    {{ strassenname_normalisiert('v.strassenname') }} as strassenname_normalisiert,
    v.hausnummer_von,
    v.hausnummer_bis,
    v.seite,
    v.wohnplatz_id,
    v.lieferung_id
from {{ ref('stg_strassenverzeichnis') }} as v
cross join aktuell as a
