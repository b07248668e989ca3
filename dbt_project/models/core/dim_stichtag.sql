-- The quarterly Stichtage of the monitoring with the Wohnplatz scheme valid on each.
select
    stichtag,
    jahr,
    quartal,
    quartal_label,
    ist_jahresende,
    schuljahr_ende,
    gebietsstand
from {{ ref('int_stichtage') }}
