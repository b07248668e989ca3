-- Dental examinations per day-care facility and school year (facility named by name and address).
select
    schuljahr,
    einrichtung_name,
    strasse,
    hausnummer,
    ort,
    untersuchte_kinder,
    kinder_mit_karies,
    anteil_naturgesund,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('zahngesundheit', 'zahngesundheit') }}
