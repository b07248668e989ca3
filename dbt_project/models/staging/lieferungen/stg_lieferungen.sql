-- Accepted delivery files, one row per file and raw table.
select
    lieferung_id,
    quelle,
    tabelle,
    datei,
    periode,
    stichtag,
    bezugsdatum,
    coalesce(teil, '') as teil,
    zeilen,
    geladen_am,
    lauf_id
from {{ quelle_oder_leer('extraktion', 'lieferungen') }}
