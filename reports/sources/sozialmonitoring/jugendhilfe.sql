select * from mart_jugendhilfe
