-- SGB II figures of the BA per Wohnplatz (scheme valid at the Stichtag) plus municipality and district
-- totals. Area level decoded to the monitoring's `ebene`; the BA's marks decoded (NULL count = unknown).
select
    case ebene when 'Wohnplatz' then 'wohnplatz' when 'Gemeinde' then 'kommune' when 'Kreis' then 'kreis' end as ebene,
    gebiet_schluessel as gebiet_id,
    gebiet_name,
    bedarfsgemeinschaften,
    {{ kennung_dekodiert('bedarfsgemeinschaften_kennung') }} as bedarfsgemeinschaften_kennung,
    regelleistungsberechtigte,
    {{ kennung_dekodiert('regelleistungsberechtigte_kennung') }} as regelleistungsberechtigte_kennung,
    kinder_unter_15,
    {{ kennung_dekodiert('kinder_unter_15_kennung') }} as kinder_unter_15_kennung,
    alleinerziehende_bg,
    {{ kennung_dekodiert('alleinerziehende_bg_kennung') }} as alleinerziehende_bg_kennung,
    quote_ba,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('sgb2', 'sgb2') }}
