-- Every address maps to exactly one Wohnplatz: no two ranges of one street (same Gebietsstand) that
-- share a side of the street overlap while pointing to different Wohnplätze. A violation would make
-- addresses 'mehrdeutig' (not assigned). Returns the overlapping pairs.
with abschnitte as (
    select * from {{ ref('int_strassenabschnitte') }}
)

select
    a.gebietsstand, a.ags, a.strassenschluessel,
    a.hausnummer_von as von_a, a.hausnummer_bis as bis_a, a.seite as seite_a, a.wohnplatz_id as wohnplatz_a,
    b.hausnummer_von as von_b, b.hausnummer_bis as bis_b, b.seite as seite_b, b.wohnplatz_id as wohnplatz_b
from abschnitte as a
inner join abschnitte as b
    on a.gebietsstand = b.gebietsstand
    and a.ags = b.ags
    and a.strassenschluessel = b.strassenschluessel
    and a.wohnplatz_id < b.wohnplatz_id
    and a.hausnummer_von <= b.hausnummer_bis
    and b.hausnummer_von <= a.hausnummer_bis
    and (a.seite = b.seite or a.seite = 'beide' or b.seite = 'beide')
