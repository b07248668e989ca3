select * from mart_pflege
