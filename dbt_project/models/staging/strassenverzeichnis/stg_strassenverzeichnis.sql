-- Street directory: house-number ranges of a street side -> Wohnplatz, one version per Gebietsstand.
select
    ags,
    strassenschluessel,
    strassenname,
    hausnummer_von,
    hausnummer_bis,
    seite,
    wohnplatz_id,
    wohnplatz_name,
    {{ lieferung_spalten('gebietsstand') }}
from {{ quelle_oder_leer('strassenverzeichnis', 'strassenverzeichnis') }}
