-- Resident register snapshot at the Stichtag, one row per person and municipality file.
-- Decodes citizenship ('000' = German) and Wohnungsstatus (H main, N secondary residence).
select
    ags,
    person_pseudonym,
    haushalt_pseudonym,
    geburtsjahr,
    geburtsmonat,
    geschlecht,
    staatsangehoerigkeit,
    staatsangehoerigkeit = '000' as deutsch,
    strassenschluessel,
    hausnummer,
    einzugsdatum,
    wohnungsstatus,
    case wohnungsstatus when 'H' then 'Hauptwohnung' when 'N' then 'Nebenwohnung' end as wohnungsstatus_bezeichnung,
    wohnungsstatus = 'H' as ist_hauptwohnung,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('melderegister', 'melderegister_bestand') }}
