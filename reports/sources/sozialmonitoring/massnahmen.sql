select * from mart_massnahmen
