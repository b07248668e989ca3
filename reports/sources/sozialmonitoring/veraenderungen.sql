select * from veraenderungen
