-- Every Wohnplatz and target indicator named in the current measures register exists (contract
-- orchestration/sources/massnahmen.yaml, pruefungen). An unknown or ambiguous entry would silently
-- drop a measure from mart_massnahmen, so it fails the build and is listed here.
select massnahme_nr, bezug, position, eintrag, zuordnung
from {{ ref('int_planung_massnahmen_eintraege') }}
where zuordnung <> 'zugeordnet'
