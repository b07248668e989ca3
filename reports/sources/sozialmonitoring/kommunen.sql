select * from dim_kommune
