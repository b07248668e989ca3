-- The hand-made suppression cases (seed sperrung_testfaelle) through the product's suppression macro,
-- with the expected result beside the actual one.
with

zellen as (
    select * from {{ ref('sperrung_testfaelle') }}
),

gesperrt as (
    {{ sperrung('zellen', gruppe=['fall']) }}
)

select
    g.fall,
    g.ebene,
    g.gebiet_id,
    g.eltern_id,
    z.zaehler as zaehler_eingabe,
    z.nenner as nenner_eingabe,
    g.zaehler,
    g.nenner,
    g.wert,
    g.status,
    g.status_grund,
    z.erwartet_status,
    z.erwartet_grund
from gesperrt as g
inner join zellen as z
    on z.fall = g.fall
    and z.gebiet_id = g.gebiet_id
