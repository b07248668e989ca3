-- Every hand-made suppression case comes out exactly as worked out by hand: status, reason, and NULL
-- numerator/denominator/value for suppressed cells, unchanged numbers for the others.
select *
from {{ ref('val_sperrung_testfaelle') }}
where status <> erwartet_status
   or coalesce(status_grund, '') <> coalesce(erwartet_grund, '')
   or (status = 'gesperrt' and (zaehler is not null or nenner is not null or wert is not null))
   or (status <> 'gesperrt' and (coalesce(zaehler, -1) <> coalesce(zaehler_eingabe, -1)
                                 or coalesce(nenner, -1) <> coalesce(nenner_eingabe, -1)))
