-- Recipients of basic income in old age (SGB XII ch. 4) per Wohnplatz at 31.12.
select
    wohnplatz_id,
    wohnplatz_name,
    empfaenger_65plus,
    empfaenger_frauen,
    empfaenger_nichtdeutsch,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('grundsicherung', 'grundsicherung') }}
