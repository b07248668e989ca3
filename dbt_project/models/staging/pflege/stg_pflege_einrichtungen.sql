-- Care facilities at 31.12. with address and places; kind of facility decoded to a short code.
select
    einrichtung_name,
    art,
    case art
        when 'Vollstationäre Pflege' then 'vollstationaer'
        when 'Kurzzeitpflege' then 'kurzzeitpflege'
        when 'Tagespflege' then 'tagespflege'
        when 'Ambulanter Pflegedienst' then 'ambulant'
    end as art_code,
    strasse,
    hausnummer,
    ort,
    plaetze,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('pflege', 'pflege_einrichtungen') }}
