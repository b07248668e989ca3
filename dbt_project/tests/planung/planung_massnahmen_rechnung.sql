-- mart_massnahmen recomputed from the published values: the Wohnplatz and district values are those of
-- mart_indikatoren at the two Stichtage, the changes and both differences of differences add up, the
-- baseline lies in the year before the start, and every row carries the note that this is no
-- measurement of effects.
with

m as (select * from {{ ref('mart_massnahmen') }}),
i as (select * from {{ ref('mart_indikatoren') }})

select m.massnahme_nr, m.wohnplatz_id, m.indikator_id, 'Werte nicht die veröffentlichten' as befund
from m
left join i as wa on wa.ebene = 'wohnplatz' and wa.gebiet_id = m.wohnplatz_id
    and wa.indikator_id = m.indikator_id and wa.stichtag = m.ausgangsstichtag
left join i as we on we.ebene = 'wohnplatz' and we.gebiet_id = m.wohnplatz_id
    and we.indikator_id = m.indikator_id and we.stichtag = m.endstichtag
left join i as ka on ka.ebene = 'kreis' and ka.indikator_id = m.indikator_id and ka.stichtag = m.ausgangsstichtag
left join i as ke on ke.ebene = 'kreis' and ke.indikator_id = m.indikator_id and ke.stichtag = m.endstichtag
where m.wert_ausgang is distinct from wa.wert
   or m.wert_ende is distinct from we.wert
   or m.kreis_wert_ausgang is distinct from ka.wert
   or m.kreis_wert_ende is distinct from ke.wert

union all

select massnahme_nr, wohnplatz_id, indikator_id, 'Differenzen rechnen nicht'
from m
where abs(coalesce(veraenderung_wohnplatz, 0) - coalesce(wert_ende - wert_ausgang, 0)) > 1e-9
   or abs(coalesce(veraenderung_kreis, 0) - coalesce(kreis_wert_ende - kreis_wert_ausgang, 0)) > 1e-9
   or abs(coalesce(veraenderung_vergleich, 0) - coalesce(vergleich_wert_ende - vergleich_wert_ausgang, 0)) > 1e-9
   or abs(coalesce(differenz_der_differenzen_kreis, 0) - coalesce(veraenderung_wohnplatz - veraenderung_kreis, 0)) > 1e-9
   or abs(coalesce(differenz_der_differenzen_vergleich, 0) - coalesce(veraenderung_wohnplatz - veraenderung_vergleich, 0)) > 1e-9
   or (veraenderung_wohnplatz is null) <> (wert_ende is null or wert_ausgang is null)

union all

select massnahme_nr, wohnplatz_id, indikator_id, 'Ausgangsstichtag nicht im Jahr vor dem Beginn'
from m
where ausgangsstichtag is not null
  and extract(year from ausgangsstichtag) <> extract(year from beginn) - 1

union all

select massnahme_nr, wohnplatz_id, indikator_id, 'Hinweis auf beschreibenden Vergleich fehlt'
from m
where hinweis is null or hinweis not like 'Beschreibender Vergleich (Differenz der Differenzen), keine Wirkungsmessung.%'
