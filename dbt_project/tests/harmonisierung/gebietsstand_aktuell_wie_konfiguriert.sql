{{ config(severity='warn') }}
-- Today's Wohnplatz scheme is the newest delivered boundary version (data-driven); the project also names
-- it in var gebietsstand_aktuell. A difference means a new Gebietsstand arrived (update the var, check
-- the crosswalk) or an expected one is missing.
select max(gebietsstand) as geliefert, cast('{{ var("gebietsstand_aktuell") }}' as date) as konfiguriert
from {{ ref('int_wohnplaetze') }}
having max(gebietsstand) <> cast('{{ var("gebietsstand_aktuell") }}' as date)
