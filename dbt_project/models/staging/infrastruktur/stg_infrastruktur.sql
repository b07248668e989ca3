-- Infrastructure points (GP practices, pharmacies, grocery stores, schools) at 31.12., EPSG:25832.
select
    kategorie,
    case kategorie
        when 'hausarzt' then 'Hausarztpraxis'
        when 'apotheke' then 'Apotheke'
        when 'lebensmittel' then 'Lebensmittelmarkt'
        when 'schule' then 'Schule'
    end as kategorie_bezeichnung,
    bezeichnung,
    stand,
    geometrie_geojson,
    {{ lieferung_spalten() }}
from {{ quelle_oder_leer('infrastruktur', 'infrastruktur') }}
