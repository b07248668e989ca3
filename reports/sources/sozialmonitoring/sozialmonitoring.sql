select * from mart_sozialmonitoring
