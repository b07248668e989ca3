-- Every accepted delivery file, one row per file (a workbook feeding two raw tables is one file).
select
    lieferung_id,
    min(quelle) as quelle,
    min(datei) as datei,
    min(periode) as periode,
    min(stichtag) as stichtag,
    min(teil) as teil,
    sum(zeilen) as zeilen,
    max(geladen_am) as geladen_am,
    max(lauf_id) as lauf_id
from {{ ref('stg_lieferungen') }}
group by lieferung_id
