select * from publikation
