-- Crosswalk of the area reform: population share of an old Wohnplatz living in each new one.
-- The delivery's Gebietsstand is the NEW scheme (file name ..._<alt>_<datum>, periode = datum).
select
    wohnplatz_id_alt,
    wohnplatz_id_neu,
    anteil_bevoelkerung,
    einwohner_schnitt,
    stand_gewichte,
    {{ lieferung_spalten('gebietsstand_neu') }}
from {{ quelle_oder_leer('gebietsreform', 'gebietsreform') }}
