-- Educational-support cases (SGB VIII) running at some time of the quarter; type of help decoded.
select
    fall_pseudonym,
    geburtsjahr,
    geschlecht,
    hilfeart,
    case hilfeart
        when '27.2' then 'Flexible Hilfe (§ 27 Abs. 2)'
        when '29' then 'Soziale Gruppenarbeit (§ 29)'
        when '30' then 'Erziehungsbeistand, Betreuungshelfer (§ 30)'
        when '31' then 'Sozialpädagogische Familienhilfe (§ 31)'
        when '32' then 'Erziehung in einer Tagesgruppe (§ 32)'
        when '33' then 'Vollzeitpflege (§ 33)'
        when '34' then 'Heimerziehung, sonstige betreute Wohnform (§ 34)'
        when '35' then 'Intensive sozialpädagogische Einzelbetreuung (§ 35)'
        when '35a' then 'Eingliederungshilfe bei seelischer Behinderung (§ 35a)'
        when '41' then 'Hilfe für junge Volljährige (§ 41)'
    end as hilfeart_bezeichnung,
    case
        when hilfeart in ('27.2', '29', '30', '31', '35', '35a', '41') then 'ambulant'
        when hilfeart = '32' then 'teilstationaer'
        when hilfeart in ('33', '34') then 'stationaer'
    end as hilfeform,
    hilfebeginn,
    hilfeende,
    wohnplatz_id,
    stichtag as stichtag_geliefert,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('hze', 'hze') }}
