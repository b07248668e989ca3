select * from dim_quelle
