select wohnplatz_id, name, ags, flaeche_km2, schwerpunkt_lon, schwerpunkt_lat from dim_wohnplatz where ist_aktuell
