select * from mart_datenqualitaet
