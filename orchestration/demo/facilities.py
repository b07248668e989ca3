"""Facilities of the district: day care, care facilities, doctors, pharmacies, grocery stores,
schools and bus stops, each at an address of the district, with the years it was open.

Counts follow the population scale (a state-sized run has state-sized infrastructure); locations and
names come from the fixed geography seed, so the same facility keeps its name and address.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orchestration.demo import gazetteer as gz
from orchestration.demo import names as nm
from orchestration.demo.geography import Geography
from orchestration.demo.randomness import GEOGRAPHY_SEED, stream

FIRST_YEAR, LAST_YEAR = 2000, 2100

_THEMES = ("Sonnenschein", "Regenbogen", "Pusteblume", "Zwergenland", "Wichtelhaus", "Kunterbunt", "Löwenzahn",
           "Schatzkiste", "Spatzennest", "Rappelkiste", "Sternschnuppe", "Purzelbaum", "Marienkäfer", "Abenteuerland",
           "Waldwichtel", "Bachpiraten", "Zauberwald", "Pünktchen", "Schneckenhaus", "Kleine Strolche",
           "Hummelnest", "Wirbelwind", "Seepferdchen", "Villa Kunterbunt", "Arche Noah", "Blumenwiese")
_SAINTS = ("Laurentius", "Joseph", "Marien", "Clemens", "Nikolaus", "Johann Baptist", "Engelbert", "Pankratius",
           "Antonius", "Servatius", "Michael", "Elisabeth", "Martin", "Barbara")
_PHARMACY = ("Löwen", "Adler", "Rathaus", "Markt", "Stern", "Sonnen", "Linden", "Stadt", "Park", "Bahnhof",
             "Kreuz", "Hirsch", "Einhorn", "Rosen", "Brunnen", "Burg", "Schloss", "Post", "Kur", "Berg")
_GROCERY = ("REWE", "EDEKA", "ALDI SÜD", "LIDL", "Netto Marken-Discount", "PENNY", "Kaufland", "nahkauf",
            "Hit", "Bioladen", "Dorfladen")
_GROCERY_WEIGHTS = np.array([0.18, 0.16, 0.12, 0.12, 0.1, 0.08, 0.03, 0.06, 0.03, 0.05, 0.07])
UNMATCHABLE_STREETS = ("Am Neubaugebiet", "Zur alten Ziegelei", "Im Neuen Feld", "An der Baustelle")


@dataclass
class Facility:
    fid: str
    kind: str
    name: str
    operator: str
    addr: int
    opened: int
    closed: int
    weight_u3: float = 0.0
    weight_ue3: float = 0.0
    places: int | None = None
    style: str = "exact"
    number_style: str = "plain"
    x: float = 0.0
    y: float = 0.0

    def active(self, year: int) -> bool:
        return self.opened <= year <= self.closed


@dataclass
class Facilities:
    kitas: list[Facility] = field(default_factory=list)
    care: list[Facility] = field(default_factory=list)
    points: list[Facility] = field(default_factory=list)  # hausarzt, apotheke, lebensmittel, schule
    stops: list[Facility] = field(default_factory=list)
    unmatchable_streets: tuple[str, ...] = UNMATCHABLE_STREETS


def _count(base: int, scale: float, minimum: int = 8) -> int:
    return max(minimum, int(round(base * scale)))


def _pick_addresses(geo: Geography, rng, n: int, weight: np.ndarray) -> np.ndarray:
    w = np.where(geo.addr_newbuild, 0.0, weight)
    w = w / w.sum()
    replace = n > int((w > 0).sum())
    return rng.choice(len(w), size=n, replace=replace, p=w)


def _years(rng, n: int, late_share: float, close_share: float) -> tuple[np.ndarray, np.ndarray]:
    opened = np.where(rng.random(n) < late_share, rng.integers(2016, 2026, n), FIRST_YEAR)
    closed = np.where(rng.random(n) < close_share, rng.integers(2017, 2026, n), LAST_YEAR)
    closed = np.maximum(closed, opened + 2)
    return opened, closed


def build_facilities(geo: Geography, scale: float) -> Facilities:
    fac = Facilities()
    density = geo.cell_density[geo.addr_cell]
    cap = geo.addr_capacity
    wp_of = geo.addr_new
    muni_of = geo.addr_muni
    numbers = set(zip(geo.addr_street.tolist(), geo.addr_number.tolist()))

    def wp_name(a: int) -> str:
        return geo.new_wps[int(wp_of[a])].name

    def town(a: int) -> gz.Municipality:
        return gz.MUNICIPALITIES[int(muni_of[a])]

    # --- day care
    rng = stream(GEOGRAPHY_SEED, "facilities", "kita", scale)
    n = _count(150, scale)
    addrs = _pick_addresses(geo, rng, n, cap * (0.4 + density))
    opened, closed = _years(rng, n, 0.16, 0.03)
    used: set[tuple[int, str]] = set()
    for i, a in enumerate(addrs.tolist()):
        m = town(a)
        kind = rng.choice(["stadt", "kath", "ev", "awo", "drk", "eltern", "montessori", "wald"],
                          p=[0.38, 0.2, 0.14, 0.08, 0.06, 0.08, 0.03, 0.03])
        theme = str(rng.choice(_THEMES))
        saint = str(rng.choice(_SAINTS))
        commune = "Stadt" if m.kind == "Stadt" else "Gemeinde"
        name, operator = {
            "stadt": (f"{'Städt.' if m.kind == 'Stadt' else 'Gemeindl.'} Kita {theme}", f"{commune} {m.ort}"),
            "kath": (f"Kath. Kita St. {saint}", f"Kath. Kirchengemeinde St. {saint} {m.ort}"),
            "ev": (f"Ev. Kita {theme}", f"Ev. Kirchengemeinde {wp_name(a)}"),
            "awo": (f"AWO-Kita {theme}", "AWO Kreisverband Rhein-Oberberg e.V."),
            "drk": (f"DRK-Kita {theme}", "DRK-Kreisverband Rheinisch-Bergischer Kreis e.V."),
            "eltern": (f"Elterninitiative {theme} e.V.", f"Elterninitiative {theme} e.V."),
            "montessori": (f"Montessori-Kinderhaus {wp_name(a)}", "Montessori-Förderverein e.V."),
            "wald": (f"Waldkindergarten {wp_name(a)}", "Waldkindergarten e.V."),
        }[str(kind)]
        if (int(muni_of[a]), name) in used:
            name = f"{name} {wp_name(a)}"
        used.add((int(muni_of[a]), name))
        style = str(rng.choice(["exact", "abbrev", "ss", "lower", "space"], p=[0.55, 0.22, 0.1, 0.06, 0.07]))
        street, num = int(geo.addr_street[a]), int(geo.addr_number[a])
        if geo.addr_suffix[a]:
            number_style = "suffix"
        elif (street, num + 2) in numbers and rng.random() < 0.12:
            number_style = "range"
        else:
            number_style = "plain"
        fac.kitas.append(Facility(f"KT{i + 1:04d}", "kita", name, operator, a, int(opened[i]), int(closed[i]),
                                  weight_u3=float(rng.uniform(0.3, 1.6)), weight_ue3=float(rng.uniform(0.5, 1.5)),
                                  style=style, number_style=number_style))

    # --- care facilities
    rng = stream(GEOGRAPHY_SEED, "facilities", "pflege", scale)
    specs = (("Vollstationäre Pflege", 30, (80, 121)), ("Tagespflege", 20, (12, 21)),
             ("Kurzzeitpflege", 8, (10, 17)), ("Ambulanter Pflegedienst", 40, None))
    k = 0
    for art, base, places in specs:
        n = _count(base, scale, minimum=3)
        addrs = _pick_addresses(geo, rng, n, cap * (0.3 + density))
        opened, closed = _years(rng, n, 0.12, 0.04)
        for i, a in enumerate(addrs.tolist()):
            wp, m = wp_name(a), town(a)
            fam = nm.FAMILY[int(rng.integers(0, 140))]
            name = str(rng.choice({
                "Vollstationäre Pflege": [f"Seniorenzentrum {wp}", f"Caritas-Altenzentrum St. {rng.choice(_SAINTS)}",
                                          f"AWO Seniorenzentrum {wp}", f"Haus {wp}", f"Diakonie-Pflegeheim {wp}",
                                          f"Seniorenresidenz Am {rng.choice(gz.STREET_OBJECTS_MN)}"],
                "Tagespflege": [f"Tagespflege {wp}", f"Caritas-Tagespflege {wp}", f"Tagespflege Haus {fam}"],
                "Kurzzeitpflege": [f"Kurzzeitpflege {wp}", f"Kurzzeitpflege im Seniorenzentrum {wp}"],
                "Ambulanter Pflegedienst": [f"Ambulanter Pflegedienst {fam}", f"Caritas-Pflegestation {m.ort}",
                                            f"Diakoniestation {m.ort}", f"Pflegedienst {fam} & {nm.FAMILY[k % 140]}",
                                            f"Häusliche Krankenpflege {fam} GmbH", "Pflegedienst Bergisches Land"],
            }[art]))
            k += 1
            n_places = int(rng.integers(*places)) if places else None
            style = str(rng.choice(["exact", "abbrev"], p=[0.8, 0.2]))
            fac.care.append(Facility(f"PF{k:04d}", art, name, "", a, int(opened[i]), int(closed[i]),
                                     places=n_places, style=style))

    # --- points of interest (GeoJSON)
    rng = stream(GEOGRAPHY_SEED, "facilities", "points", scale)
    pt_specs = (("hausarzt", 160, 1.4), ("apotheke", 65, 2.0), ("lebensmittel", 110, 2.6), ("schule", 75, 0.8))
    for cat, base, power in pt_specs:
        n = _count(base, scale)
        addrs = _pick_addresses(geo, rng, n, cap * (density + 0.01) ** power)
        opened, closed = _years(rng, n, 0.06, 0.06)
        for i, a in enumerate(addrs.tolist()):
            wp, m = wp_name(a), town(a)
            fam = nm.FAMILY[int(rng.integers(0, 140))]
            if cat == "hausarzt":
                name = str(rng.choice([f"Hausarztpraxis Dr. med. {fam}",
                                       f"Gemeinschaftspraxis Dres. {fam} und {nm.FAMILY[int(rng.integers(0, 140))]}",
                                       f"Praxis {fam}, Allgemeinmedizin", f"Hausärztliches Zentrum {wp}"]))
            elif cat == "apotheke":
                name = str(rng.choice([f"{rng.choice(_PHARMACY)}-Apotheke", f"{wp}-Apotheke",
                                       f"Apotheke am {rng.choice(['Markt', 'Rathaus', 'Bahnhof', 'Park'])}"]))
            elif cat == "lebensmittel":
                chain = str(rng.choice(_GROCERY, p=_GROCERY_WEIGHTS / _GROCERY_WEIGHTS.sum()))
                name = f"{chain} {fam}" if chain in ("EDEKA", "nahkauf") else (
                    f"{chain} {wp}" if chain in ("Dorfladen", "Bioladen") else chain)
            else:
                kind = rng.choice(["GGS", "KGS", "Realschule", "Gymnasium", "Gesamtschule", "Förderschule"],
                                  p=[0.45, 0.17, 0.1, 0.12, 0.1, 0.06])
                name = f"{kind} {wp}" if kind in ("GGS", "KGS", "Förderschule") else f"{kind} {m.ort} {wp}"
            fac.points.append(Facility(f"{cat[:2].upper()}{i + 1:05d}", cat, name, "", a, int(opened[i]),
                                       int(closed[i]), x=float(geo.addr_x[a]), y=float(geo.addr_y[a])))

    # --- bus stops (positions beside the road, a few new ones over the years)
    rng = stream(GEOGRAPHY_SEED, "facilities", "stops", scale)
    n = _count(1300, scale)
    addrs = _pick_addresses(geo, rng, n, (density + 0.02) ** 0.6)
    opened, closed = _years(rng, n, 0.04, 0.02)
    stop_ids = rng.choice(np.arange(10000, 99999), size=n, replace=False) if n < 80000 else \
        np.arange(100000, 100000 + n)
    for i, a in enumerate(addrs.tolist()):
        street = geo.street_name[int(geo.addr_street[a])]
        wp = wp_name(a)
        name = str(rng.choice([street, f"{wp} Mitte", f"{wp} Kirche", f"{wp} Schule", f"{wp} Friedhof",
                               f"{street}/{wp}", f"{wp}, {street}"], p=[0.45, 0.1, 0.1, 0.1, 0.05, 0.1, 0.1]))
        fac.stops.append(Facility(f"de:05378:{int(stop_ids[i])}", "haltestelle", name, "", a, int(opened[i]),
                                  int(closed[i]), x=float(geo.addr_x[a] + rng.uniform(-15, 15)),
                                  y=float(geo.addr_y[a] + rng.uniform(-15, 15))))
    return fac


def handwritten_street(name: str, style: str) -> str:
    """The street as somebody types it into a facility list."""
    if style == "abbrev":
        return name.replace("straße", "str.").replace("Straße", "Str.")
    if style == "ss":
        return name.replace("ß", "ss")
    if style == "lower":
        return name.lower()
    if style == "space":
        return name.replace(" Straße", "straße") if " Straße" in name else name + " "
    return name


def handwritten_number(number: int, suffix: str, style: str) -> str | int:
    if style == "suffix":
        return f"{number}{suffix}"
    if style == "range":
        return f"{number}-{number + 2}"
    return number
