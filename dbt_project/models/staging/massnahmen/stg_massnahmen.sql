-- The planning office's hand-kept register of measures, every loaded version (`stand`); the newest is current.
select
    massnahme_nr,
    titel,
    traeger,
    wohnplaetze,
    zielgruppe,
    zielindikatoren,
    beginn,
    ende,
    ende is null as laufend,
    bemerkung,
    {{ lieferung_spalten('stand') }}
from {{ quelle_oder_leer('massnahmen', 'massnahmen') }}
