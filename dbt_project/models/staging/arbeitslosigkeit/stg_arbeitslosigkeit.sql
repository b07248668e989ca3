-- Unemployment figures of the BA per Wohnplatz (scheme valid at the Stichtag) plus municipality and
-- district totals. Area level decoded to the monitoring's `ebene`; the BA's marks decoded.
select
    case ebene when 'Wohnplatz' then 'wohnplatz' when 'Gemeinde' then 'kommune' when 'Kreis' then 'kreis' end as ebene,
    gebiet_schluessel as gebiet_id,
    gebiet_name,
    arbeitslose,
    {{ kennung_dekodiert('arbeitslose_kennung') }} as arbeitslose_kennung,
    arbeitslose_sgb3,
    {{ kennung_dekodiert('arbeitslose_sgb3_kennung') }} as arbeitslose_sgb3_kennung,
    arbeitslose_sgb2,
    {{ kennung_dekodiert('arbeitslose_sgb2_kennung') }} as arbeitslose_sgb2_kennung,
    langzeitarbeitslose,
    {{ kennung_dekodiert('langzeitarbeitslose_kennung') }} as langzeitarbeitslose_kennung,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('arbeitslosigkeit', 'arbeitslosigkeit') }}
