select * from mart_handlungsraeume
