select * from dim_lieferung
