select * from dim_indikator
