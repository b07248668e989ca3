select * from mart_sozialindex
