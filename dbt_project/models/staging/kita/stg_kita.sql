-- Day-care facilities at 01.03. with their hand-written address, places and children cared for.
select
    einrichtung_nr,
    einrichtung_name,
    traeger,
    strasse,
    hausnummer,
    plz,
    ort,
    plaetze_u3,
    plaetze_ue3,
    kinder_u3,
    kinder_ue3,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('kita', 'kita') }}
