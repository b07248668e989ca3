-- School-entry examinations of a school year, one row per child (Stichtag 30.06. at its end).
select
    untersuchung_pseudonym,
    wohnplatz_id,
    geschlecht,
    geburtsjahr,
    geburtsmonat,
    bmi_kategorie,
    bmi_kategorie in ('uebergewicht', 'adipositas') as uebergewichtig,
    sprachfoerderbedarf,
    impfausweis_vorgelegt,
    masern_impfungen,
    frueherkennungsheft_vorgelegt,
    u_untersuchungen_vollstaendig,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('einschulung', 'einschulung') }}
