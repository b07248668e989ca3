-- Official house coordinates (EPSG:25832), one point per address.
select
    ags,
    strassenschluessel,
    hausnummer,
    nullif(trim(hausnummer_zusatz), '') as hausnummer_zusatz,
    ostwert,
    nordwert,
    {{ lieferung_spalten('gebietsstand') }}
from {{ quelle_oder_leer('hauskoordinaten', 'hauskoordinaten') }}
