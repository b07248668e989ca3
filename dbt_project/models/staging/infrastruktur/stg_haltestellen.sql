-- Bus stops of the transport association at 31.12. (WGS84 latitude / longitude).
select
    haltestelle_id,
    bezeichnung,
    gemeinde_name,
    breite,
    laenge,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('infrastruktur', 'haltestellen') }}
