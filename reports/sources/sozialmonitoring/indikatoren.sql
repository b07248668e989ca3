select * from mart_indikatoren
