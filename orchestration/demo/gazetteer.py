"""Static facts of the synthetic district: municipalities, Wohnplätze, the area reform, name lists.

Everything here is hand-written reference material; the simulation turns it into geography and
people. The municipality rows are copied from the project's reference table (AGS, kind, population
on 31.12.2009); the product never reads ../shared.
"""
from __future__ import annotations

from dataclasses import dataclass

KREIS_AGS = "05378"
KREIS_NAME = "Rheinisch-Bergischer Kreis"
SYNTH_MARK = "SYNTHETISCHE DEMODATEN"
SYNTH_LINE = "SYNTHETISCHE DEMODATEN – keine realen Personen"
FILE_SUFFIX = "_SYNTHETISCH"
TARGET_POPULATION_2020 = 283_000


@dataclass(frozen=True)
class Municipality:
    ags: str
    name: str
    kind: str
    population_2009: int
    area_km2: float
    town_centre: tuple[float, float]  # EPSG:25832, the dense core
    region_seed: tuple[float, float]  # rough centroid, used to grow the territory
    plz: tuple[str, ...]
    ort: str  # postal place name as written in addresses


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("05378004", "Bergisch Gladbach", "Stadt", 105699, 83.1, (368900, 5649900), (371200, 5648300),
                 ("51465", "51467", "51469", "51427", "51429"), "Bergisch Gladbach"),
    Municipality("05378008", "Burscheid", "Stadt", 18771, 27.3, (368100, 5662600), (367600, 5662300),
                 ("51399",), "Burscheid"),
    Municipality("05378012", "Kürten", "Gemeinde", 19767, 67.4, (378500, 5656800), (380300, 5657000),
                 ("51515",), "Kürten"),
    Municipality("05378016", "Leichlingen (Rhld.)", "Stadt", 27476, 37.3, (361300, 5663500), (362600, 5664200),
                 ("42799",), "Leichlingen"),
    Municipality("05378020", "Odenthal", "Gemeinde", 15789, 39.4, (367900, 5655200), (370600, 5656300),
                 ("51519",), "Odenthal"),
    Municipality("05378024", "Overath", "Stadt", 26999, 68.9, (379400, 5643800), (382300, 5645000),
                 ("51491",), "Overath"),
    Municipality("05378028", "Rösrath", "Stadt", 27102, 38.8, (372200, 5639800), (371800, 5640600),
                 ("51503",), "Rösrath"),
    Municipality("05378032", "Wermelskirchen", "Stadt", 35611, 74.8, (375100, 5666800), (374300, 5665600),
                 ("42929",), "Wermelskirchen"),
)

# Wohnplätze of today's scheme (Gebietsstand 2021-01-01) per municipality, with a settlement kind:
# "zentrum" (dense core), "stadt" (urban quarter), "dorf" (village / rural area).
WOHNPLAETZE: dict[str, tuple[tuple[str, str], ...]] = {
    "05378004": (
        ("Stadtmitte", "zentrum"),
        ("Gronau", "stadt"), ("Heidkamp", "stadt"), ("Hand", "stadt"), ("Paffrath", "stadt"),
        ("Hebborn", "stadt"), ("Schildgen", "stadt"), ("Katterbach", "stadt"), ("Nussbaum", "stadt"),
        ("Romaney", "stadt"), ("Refrath", "stadt"), ("Alt-Refrath", "stadt"), ("Frankenforst", "stadt"),
        ("Kippekausen", "stadt"), ("Lustheide", "stadt"), ("Bensberg", "stadt"), ("Kaule", "stadt"),
        ("Lückerath", "stadt"), ("Bockenberg", "stadt"), ("Moitzfeld", "stadt"), ("Sand", "stadt"),
        ("Gierath", "stadt"), ("Rommerscheid", "stadt"),
        ("Herkenrath", "dorf"), ("Asselborn", "dorf"), ("Bärbroich", "dorf"), ("Herrenstrunden", "dorf"),
        ("Schwarzbroich", "dorf"), ("Lerbach", "dorf"), ("Unterboschbach", "dorf"), ("Duckterath", "dorf"),
        ("Milchborn", "dorf"),
    ),
    "05378008": (
        ("Zentrum Nord", "zentrum"), ("Zentrum Süd", "zentrum"), ("Hilgen", "stadt"),
        ("Dierath", "dorf"), ("Kaltenherberge", "dorf"),
    ),
    "05378012": (
        ("Kürten", "zentrum"), ("Bechen", "dorf"), ("Dürscheid", "dorf"), ("Biesfeld", "dorf"),
        ("Eichhof", "dorf"), ("Olpe", "dorf"),
    ),
    "05378016": (
        ("Leichlingen-Mitte", "zentrum"), ("Cremers Weiden", "stadt"), ("Büscherhöfen", "stadt"),
        ("Bennert", "stadt"), ("Witzhelden", "dorf"), ("Balken", "dorf"), ("Metzholz", "dorf"),
        ("Oberschmitte", "dorf"),
    ),
    "05378020": (
        ("Odenthal", "zentrum"), ("Altenberg", "dorf"), ("Blecher", "dorf"), ("Eikamp", "dorf"),
    ),
    "05378024": (
        ("Overath-Mitte", "zentrum"), ("Untereschbach", "stadt"), ("Steinenbrück", "stadt"),
        ("Heiligenhaus", "dorf"), ("Marialinden", "dorf"), ("Vilkerath", "dorf"), ("Immekeppel", "dorf"),
        ("Brombach", "dorf"),
    ),
    "05378028": (
        ("Rösrath-Mitte", "zentrum"), ("Hoffnungsthal", "stadt"), ("Forsbach", "stadt"),
        ("Kleineichen", "stadt"), ("Stümpen", "dorf"), ("Venauen", "dorf"), ("Rambrücken", "dorf"),
        ("Lüghausen", "dorf"),
    ),
    "05378032": (
        ("Zentrum", "zentrum"), ("Hünger", "stadt"), ("Tente", "stadt"), ("Pohlhausen", "stadt"),
        ("Dabringhausen", "stadt"), ("Dhünn", "dorf"), ("Eipringhausen", "dorf"), ("Schneppenthal", "dorf"),
        ("Preyersmühle", "dorf"), ("Dreibäumen", "dorf"),
    ),
}

# The area reform of 2021-01-01, described from today's scheme backwards.
# merge: today's area was two areas before (split along its main axis into "<name>-Nord/-Süd" or
#        "-West/-Ost"); it gets a new key.
# split: two of today's areas were one area before; the candidates are tried in order and the first
#        pair that shares a border is used; both get new keys.
# shift: a strip of today's second area belonged to the first area before; both keep their keys
#        (this gives the crosswalk weights other than 0 and 1).
REFORM_MERGES: tuple[str, ...] = ("Paffrath", "Refrath", "Bensberg", "Herkenrath", "Witzhelden",
                                  "Hoffnungsthal", "Dabringhausen")
REFORM_SPLIT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("Gronau", "Heidkamp"), ("Hand", "Katterbach"), ("Nussbaum", "Romaney"), ("Kaule", "Lückerath"),
    ("Sand", "Gierath"), ("Hebborn", "Romaney"), ("Moitzfeld", "Rommerscheid"),
)
REFORM_SHIFT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("Overath-Mitte", "Vilkerath"), ("Overath-Mitte", "Heiligenhaus"), ("Overath-Mitte", "Brombach"),
    ("Untereschbach", "Immekeppel"), ("Steinenbrück", "Untereschbach"), ("Overath-Mitte", "Marialinden"),
)
REFORM_SPLIT_MUNICIPALITY = "05378004"
REFORM_SHIFT_MUNICIPALITY = "05378024"

# Deprivation profiles (0 = affluent, 1 = most deprived) as (year, level) knots, linearly
# interpolated. Areas not listed get a level from their settlement kind plus a small drift.
DEPRIVATION_PROFILES: dict[tuple[str, str], tuple[tuple[float, float], ...]] = {
    ("05378008", "Zentrum Nord"): ((2015.0, 0.80), (2021.0, 1.00), (2026.75, 0.86)),
    ("05378008", "Zentrum Süd"): ((2015.0, 0.48), (2026.75, 0.50)),
    ("05378032", "Zentrum"): ((2015.0, 0.74), (2020.0, 0.80), (2026.75, 0.78)),
    ("05378016", "Cremers Weiden"): ((2015.0, 0.78), (2026.75, 0.80)),
    ("05378004", "Gronau"): ((2015.0, 0.72), (2026.75, 0.76)),
    ("05378004", "Stadtmitte"): ((2015.0, 0.62), (2026.75, 0.66)),
    ("05378004", "Bockenberg"): ((2015.0, 0.68), (2019.0, 0.70), (2026.75, 0.58)),
    ("05378004", "Hand"): ((2015.0, 0.52), (2026.75, 0.32)),
    ("05378028", "Rösrath-Mitte"): ((2015.0, 0.46), (2026.75, 0.30)),
    ("05378016", "Leichlingen-Mitte"): ((2015.0, 0.50), (2026.75, 0.38)),
}
KIND_DEPRIVATION = {"zentrum": 0.42, "stadt": 0.22, "dorf": 0.10}

# Citizenship: Destatis 3-digit key, name group for names, share among non-German residents.
CITIZENSHIPS: tuple[tuple[str, str, float], ...] = (
    ("000", "de", 0.0),
    ("163", "tr", 0.24), ("152", "pl", 0.10), ("137", "it", 0.08), ("134", "gr", 0.05),
    ("475", "ar", 0.09), ("154", "ro", 0.07), ("130", "yu", 0.04), ("170", "yu", 0.03),
    ("150", "yu", 0.03), ("160", "ru", 0.04), ("166", "ru", 0.05), ("161", "es", 0.03),
    ("153", "es", 0.02), ("423", "ar", 0.03), ("438", "ar", 0.03), ("125", "ro", 0.02),
    ("148", "de", 0.02), ("151", "de", 0.02),
)
NAME_GROUPS = ("de", "tr", "pl", "it", "gr", "ar", "ro", "yu", "ru", "es")

FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
        "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann",
        "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller",
        "Weiß", "Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
        "Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster", "Simon",
        "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer", "Vogt", "Stein", "Jäger",
        "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas", "Schreiber", "Graf", "Schulte",
        "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl", "Engel", "Horn", "Busch", "Bergmann", "Thomas",
        "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer", "Odenthal", "Kierdorf", "Dahmen", "Heider",
        "Breuer", "Esser", "Jansen", "Hamacher", "Steinbach", "Bosbach", "Höller", "Kürten", "Eschbach",
        "Bremer", "Offermann", "Moll", "Paffrath", "Schiffbauer", "Langen", "Scherer", "Küpper",
        "Hagen", "Kremer", "Lindlar", "Broich", "Dünn", "Thelen", "Nolden", "Rodenkirchen", "Weyer",
        "Kirchner", "Frings", "Löhr", "Strunden", "Büchel", "Wirtz", "Hennes", "Claßen", "Pütz",
    ),
    "tr": ("Yilmaz", "Kaya", "Demir", "Sahin", "Çelik", "Yildiz", "Yildirim", "Öztürk", "Aydin",
           "Özdemir", "Arslan", "Dogan", "Kilic", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan",
           "Simsek", "Polat", "Korkmaz", "Karaca", "Erdogan", "Tekin"),
    "pl": ("Kowalski", "Nowak", "Wisniewski", "Wójcik", "Kowalczyk", "Kaminski", "Lewandowski",
           "Zielinski", "Szymanski", "Wozniak", "Dabrowski", "Kozlowski", "Mazur", "Krawczyk", "Grabowski"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
           "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa"),
    "gr": ("Papadopoulos", "Georgiou", "Nikolaidis", "Papadakis", "Dimitriou", "Ioannidis",
           "Konstantinidis", "Vasileiou"),
    "ar": ("Al-Hassan", "Haddad", "Khalil", "Ibrahim", "Mahmoud", "Hussein", "Ali", "Omar", "Ahmadi",
           "Rahimi", "Karimi", "Hamdan", "Saleh", "Mustafa", "Nasser", "Al-Ahmad", "Younes", "Hosseini"),
    "ro": ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei", "Petrov",
           "Dimitrov", "Georgiev"),
    "yu": ("Horvat", "Kovacevic", "Jovanovic", "Petrovic", "Nikolic", "Markovic", "Hodzic", "Begic",
           "Krasniqi", "Gashi", "Berisha", "Babic"),
    "ru": ("Ivanov", "Petrenko", "Kuznetsov", "Shevchenko", "Bondarenko", "Kovalenko", "Smirnov",
           "Popov", "Melnyk", "Tkachenko", "Wolkow", "Schewtschuk"),
    "es": ("García", "Fernández", "Silva", "Santos", "Pereira", "Rodríguez", "Martínez", "López",
           "Ferreira", "Oliveira", "Gonçalves"),
}

# First names: (group, sex) -> three generations (born before 1960, 1960-1989, from 1990).
_DE_M = (
    ("Hans", "Günter", "Gerhard", "Heinz", "Werner", "Horst", "Helmut", "Manfred", "Dieter", "Karl",
     "Wolfgang", "Klaus", "Jürgen", "Walter", "Rolf", "Heinrich", "Willi", "Josef", "Hubert", "Peter"),
    ("Michael", "Thomas", "Andreas", "Stefan", "Frank", "Markus", "Christian", "Matthias", "Jörg",
     "Sven", "Oliver", "Torsten", "Dirk", "Ralf", "Daniel", "Sebastian", "Tobias", "Marco", "Jan", "Alexander"),
    ("Leon", "Paul", "Ben", "Jonas", "Elias", "Finn", "Noah", "Luis", "Lukas", "Felix", "Max", "Henry",
     "Emil", "Theo", "Niklas", "Tim", "Moritz", "Jakob", "Julian", "Luca", "Anton", "Mats"),
)
_DE_W = (
    ("Ursula", "Helga", "Gisela", "Renate", "Ingrid", "Monika", "Karin", "Erika", "Brigitte", "Elisabeth",
     "Gertrud", "Hildegard", "Margarete", "Christa", "Marianne", "Hannelore", "Anneliese", "Irmgard"),
    ("Sabine", "Petra", "Andrea", "Claudia", "Susanne", "Nicole", "Stefanie", "Birgit", "Martina", "Anja",
     "Katrin", "Sandra", "Tanja", "Silke", "Melanie", "Julia", "Daniela", "Christina", "Kerstin", "Heike"),
    ("Mia", "Emma", "Hannah", "Sofia", "Emilia", "Lina", "Marie", "Lea", "Anna", "Leonie", "Lena",
     "Clara", "Ella", "Laura", "Johanna", "Amelie", "Lilly", "Luisa", "Sophie", "Nele", "Frieda", "Paula"),
)
FIRST_NAMES: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("de", "m"): _DE_M,
    ("de", "w"): _DE_W,
    ("tr", "m"): (("Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "Ibrahim", "Ismail"),
                  ("Murat", "Kemal", "Serkan", "Emre", "Erkan", "Volkan", "Cem", "Burak", "Orhan"),
                  ("Yusuf", "Emir", "Eren", "Mert", "Can", "Deniz", "Kerem", "Arda", "Efe", "Berat")),
    ("tr", "w"): (("Fatma", "Ayse", "Emine", "Hatice", "Zeynep", "Elif", "Meryem", "Sultan"),
                  ("Derya", "Songül", "Sevgi", "Filiz", "Gül", "Nurcan", "Serpil", "Özlem", "Aylin"),
                  ("Elif", "Zeynep", "Defne", "Ecrin", "Asya", "Melek", "Yagmur", "Ela", "Azra", "Lara")),
    ("pl", "m"): (("Stanislaw", "Jan", "Józef", "Tadeusz", "Zbigniew"),
                  ("Piotr", "Krzysztof", "Andrzej", "Tomasz", "Pawel", "Marek", "Grzegorz"),
                  ("Jakub", "Kacper", "Szymon", "Filip", "Mateusz", "Bartosz", "Antoni")),
    ("pl", "w"): (("Maria", "Krystyna", "Zofia", "Danuta", "Halina"),
                  ("Agnieszka", "Katarzyna", "Malgorzata", "Joanna", "Ewa", "Beata", "Magdalena"),
                  ("Zuzanna", "Julia", "Maja", "Natalia", "Wiktoria", "Oliwia", "Alicja")),
    ("it", "m"): (("Giuseppe", "Giovanni", "Antonio", "Salvatore", "Francesco"),
                  ("Marco", "Andrea", "Luca", "Stefano", "Roberto", "Massimo", "Alessandro"),
                  ("Leonardo", "Lorenzo", "Matteo", "Gabriele", "Tommaso", "Riccardo")),
    ("it", "w"): (("Maria", "Anna", "Giuseppina", "Rosa", "Angela"),
                  ("Francesca", "Laura", "Simona", "Paola", "Elena", "Silvia", "Chiara"),
                  ("Giulia", "Sofia", "Aurora", "Alice", "Ginevra", "Martina")),
    ("gr", "m"): (("Georgios", "Ioannis", "Konstantinos", "Dimitrios"),
                  ("Nikolaos", "Christos", "Panagiotis", "Vasilios", "Athanasios"),
                  ("Alexandros", "Nikos", "Stavros", "Giannis")),
    ("gr", "w"): (("Maria", "Eleni", "Aikaterini", "Vasiliki"),
                  ("Sofia", "Anastasia", "Dimitra", "Georgia", "Ioanna"),
                  ("Eleftheria", "Despina", "Zoe", "Christina")),
    ("ar", "m"): (("Mohammed", "Ahmad", "Mahmoud", "Abdullah", "Hassan"),
                  ("Khaled", "Omar", "Ali", "Mustafa", "Samir", "Tarek", "Walid"),
                  ("Adam", "Yusuf", "Amir", "Karim", "Hamza", "Ibrahim", "Omar", "Ilyas")),
    ("ar", "w"): (("Fatima", "Aisha", "Khadija", "Zainab", "Amina"),
                  ("Rania", "Nour", "Leila", "Samira", "Yasmin", "Huda", "Maryam"),
                  ("Sara", "Lara", "Mila", "Malak", "Jana", "Maya", "Hiba", "Rahaf")),
    ("ro", "m"): (("Ion", "Gheorghe", "Vasile", "Constantin"),
                  ("Mihai", "Florin", "Adrian", "Cristian", "Marius", "Ivan"),
                  ("Andrei", "David", "Darius", "Stefan", "Luca")),
    ("ro", "w"): (("Maria", "Elena", "Ioana", "Ana"),
                  ("Mihaela", "Daniela", "Gabriela", "Cristina", "Raluca", "Violeta"),
                  ("Ioana", "Andreea", "Bianca", "Sofia", "Alexia")),
    ("yu", "m"): (("Milan", "Dragan", "Zoran", "Ivan", "Mehmed"),
                  ("Goran", "Dejan", "Nenad", "Adnan", "Edin", "Besim"),
                  ("Luka", "Ilir", "Arian", "Emir", "Marko", "Dario")),
    ("yu", "w"): (("Milica", "Zorica", "Fatima", "Vesna"),
                  ("Jelena", "Ivana", "Snezana", "Amra", "Lejla", "Arjeta"),
                  ("Mila", "Sara", "Ena", "Amela", "Elena", "Drita")),
    ("ru", "m"): (("Wladimir", "Nikolai", "Viktor", "Juri", "Anatoli"),
                  ("Sergej", "Alexej", "Dmitri", "Andrej", "Oleksandr", "Igor"),
                  ("Maxim", "Artem", "Daniil", "Nikita", "Mark", "Bogdan")),
    ("ru", "w"): (("Galina", "Ljudmila", "Tatjana", "Walentina", "Nina"),
                  ("Natalia", "Olga", "Swetlana", "Irina", "Elena", "Oksana"),
                  ("Anastasia", "Sofia", "Polina", "Darja", "Viktoria", "Alina")),
    ("es", "m"): (("José", "Manuel", "Antonio", "Francisco", "João"),
                  ("Carlos", "Miguel", "Javier", "Pedro", "Rui", "Paulo"),
                  ("Pablo", "Diego", "Hugo", "Tiago", "Martín", "Lucas")),
    ("es", "w"): (("María", "Carmen", "Isabel", "Rosa", "Conceição"),
                  ("Ana", "Cristina", "Marta", "Sandra", "Patrícia", "Sílvia"),
                  ("Lucía", "Sofía", "Carla", "Inês", "Beatriz", "Leonor")),
}

# Street names: common names first (every municipality gets most of them), then combinations.
STREET_COMMON: tuple[str, ...] = (
    "Hauptstraße", "Schulstraße", "Kirchstraße", "Bahnhofstraße", "Am Markt", "Lindenweg", "Gartenstraße",
    "Bergstraße", "Dorfstraße", "Wiesenweg", "Mühlenweg", "Talstraße", "Ringstraße", "Feldstraße",
    "Birkenweg", "Eichenweg", "Buchenweg", "Ahornweg", "Rosenweg", "Waldstraße", "Friedhofstraße",
    "Am Sportplatz", "Im Wiesengrund", "Auf dem Berg", "Burgstraße", "Kölner Straße", "Mozartstraße",
    "Goethestraße", "Schillerstraße", "Beethovenstraße", "Sonnenweg", "Industriestraße", "Poststraße",
    "Am Bach", "Brückenstraße", "Rathausplatz", "Marktstraße", "Amselweg", "Finkenweg", "Drosselweg",
    "Kastanienallee", "Parkstraße", "Höhenweg", "Neue Straße", "Alte Landstraße", "Mittelstraße",
)
STREET_STEMS: tuple[str, ...] = (
    "Linden", "Eichen", "Birken", "Buchen", "Ahorn", "Kastanien", "Ulmen", "Erlen", "Tannen", "Fichten",
    "Eschen", "Weiden", "Pappel", "Holunder", "Rosen", "Tulpen", "Nelken", "Flieder", "Veilchen", "Lilien",
    "Garten", "Wiesen", "Feld", "Wald", "Berg", "Tal", "Bach", "Mühlen", "Schul", "Kirch", "Markt",
    "Bahnhof", "Post", "Schloss", "Burg", "Hof", "Sonnen", "Stern", "Amsel", "Drossel", "Finken",
    "Lerchen", "Meisen", "Schwalben", "Falken", "Adler", "Eulen", "Hasen", "Fuchs", "Dachs", "Quellen",
    "Brunnen", "Heide", "Moor", "Acker", "Weinberg", "Kapellen", "Kloster", "Zehnt",
    "Steinbruch", "Ziegelei", "Kalk", "Eisen", "Hammer", "Schmiede", "Weber", "Gerber", "Hirten",
    "Schäfer", "Jäger", "Förster", "Müller", "Bäcker", "Schmied", "Apfel", "Kirschen", "Birnen",
    "Nuss", "Hasel", "Rotdorn", "Weißdorn", "Schlehen", "Brombeer", "Himbeer", "Erdbeer", "Wacholder",
    "Ginster", "Farn", "Moos", "Klee", "Hafer", "Roggen", "Weizen", "Gersten", "Flachs", "Hopfen",
)
STREET_SUFFIXES: tuple[str, ...] = ("straße", "weg", "gasse", "pfad", "ring", "allee", "feld", "steig", "hang")
STREET_PERSONS: tuple[str, ...] = (
    "Goethe", "Schiller", "Lessing", "Heine", "Uhland", "Eichendorff", "Mörike", "Hölderlin", "Kleist",
    "Bach", "Händel", "Haydn", "Schubert", "Brahms", "Mozart", "Beethoven", "Wagner", "Kant", "Humboldt",
    "Bismarck", "Stein", "Hardenberg", "Adenauer", "Ebert", "Stresemann", "Heuss", "Kolping", "Bodelschwingh",
    "Röntgen", "Diesel", "Daimler", "Benz", "Zeppelin", "Siemens", "Bosch", "Gutenberg", "Dürer",
    "Kopernikus", "Kepler", "Gauß", "Einstein", "Planck", "Scholl", "Stauffenberg", "Luther", "Zwingli",
)
STREET_PLACES: tuple[str, ...] = (
    "Kölner", "Odenthaler", "Altenberger", "Bensberger", "Overather", "Burscheider", "Leichlinger",
    "Solinger", "Wermelskirchener", "Dhünner", "Kürtener", "Lindlarer", "Wipperfürther", "Rösrather",
    "Siegburger", "Leverkusener", "Opladener", "Remscheider", "Wuppertaler", "Düsseldorfer",
)
# "Am Hügel", "An der Linde": articles by grammatical gender.
STREET_ARTICLES_MN: tuple[str, ...] = ("Am", "Im", "Auf dem", "Zum", "Hinter dem", "Vor dem")
STREET_ARTICLES_F: tuple[str, ...] = ("An der", "In der", "Zur", "Auf der", "Hinter der")
STREET_OBJECTS_MN: tuple[str, ...] = (
    "Hügel", "Acker", "Bach", "Berg", "Hang", "Wäldchen", "Rain", "Kamp", "Siefen", "Broich", "Hof",
    "Kirchberg", "Steinacker", "Mühlenbach", "Heidchen", "Knipp", "Driesch", "Pesch", "Bungert",
    "Weiher", "Schlagbaum", "Pfarrgarten", "Fronhof", "Sonnenhang", "Eichholz", "Birkenhain",
)
STREET_OBJECTS_F: tuple[str, ...] = (
    "Brücke", "Kapelle", "Linde", "Eiche", "Höhe", "Mühle", "Aue", "Hecke", "Kuhle", "Schmitte",
    "Furth", "Bleiche", "Viehtrift", "Heide", "Burg",
)
