-- Recipients of help for care (SGB XII ch. 7) per Wohnplatz at 31.12.
select
    wohnplatz_id,
    wohnplatz_name,
    empfaenger,
    empfaenger_ambulant,
    empfaenger_stationaer,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('pflege', 'pflege_hzp') }}
