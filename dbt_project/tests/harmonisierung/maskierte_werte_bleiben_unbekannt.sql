-- A count the source masked ('*') is unknown, never 0: on today's scheme the Wohnplatz's value is
-- NULL with status 'gesperrt'; from an older scheme every new Wohnplatz the masked area feeds (weight
-- > 0) is NULL too. Returns the rows that carry a number although a masked cell feeds them.
with maskiert as (
    select quelle, stichtag, gebietsstand, gebiet_id, kennzahl, ist_aktueller_gebietsstand
    from {{ ref('int_kennzahlen_geliefert') }}
    where ebene = 'wohnplatz' and kennung = 'maskiert'
),

betroffen as (
    select m.quelle, m.stichtag, m.kennzahl, m.gebiet_id as wohnplatz_id
    from maskiert as m
    where m.ist_aktueller_gebietsstand
    union
    select m.quelle, m.stichtag, m.kennzahl, x.wohnplatz_id_neu
    from maskiert as m
    inner join {{ ref('int_gebietsreform_gewichte') }} as x
        on x.gebietsstand_alt = m.gebietsstand and x.wohnplatz_id_alt = m.gebiet_id
    where not m.ist_aktueller_gebietsstand
)

select k.*
from {{ ref('int_kennzahlen_wohnplatz') }} as k
inner join betroffen as b
    on b.quelle = k.quelle and b.stichtag = k.stichtag and b.kennzahl = k.kennzahl
    and b.wohnplatz_id = k.wohnplatz_id
where k.wert is not null or k.status <> 'gesperrt'
