select * from mart_priorisierung
