-- Register movements of the quarter (moves in, out and within, births, deaths), one row per event.
select
    ags,
    person_pseudonym,
    ereignis,
    ereignisdatum,
    strassenschluessel_alt,
    hausnummer_alt,
    strassenschluessel_neu,
    hausnummer_neu,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('melderegister', 'melderegister_bewegungen') }}
