"""Yearly deliveries: basic income in old age, day care, care planning, infrastructure points."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo import contracts
from orchestration.demo import gazetteer as gz
from orchestration.demo.facilities import Facilities, Facility, handwritten_number, handwritten_street
from orchestration.demo.files import Inbox, Sheet, csv_bytes, json_bytes, workbook_bytes
from orchestration.demo.geography import Geography
from orchestration.demo.randomness import stream
from orchestration.demo.snapshot import Snapshot
from orchestration.demo.timeline import german_date

HZP_GROUP = "Empfänger Hilfe zur Pflege"


def _title_rows(title: str, period_line: str) -> list[str]:
    return [title, period_line, gz.SYNTH_LINE]


# ----------------------------------------------------------------------------- Grundsicherung

def write_grundsicherung(inbox: Inbox, snap: Snapshot) -> None:
    q = snap.q
    if not inbox.wanted("grundsicherung", q.label):
        return
    gs = snap.grundsicherung
    total = snap.count(gs)
    women = snap.count(gs & (snap.col("sex") == 1))
    foreign = snap.count(gs & (snap.col("nat") > 0))
    cols = contracts.columns("grundsicherung")
    rows = []
    for i, wp in enumerate(snap.wps):
        values = {"wohnplatz_id": wp.key, "wohnplatz_name": wp.name, "empfaenger_65plus": int(total[i]),
                  "empfaenger_frauen": int(women[i]), "empfaenger_nichtdeutsch": int(foreign[i])}
        rows.append([values[c["name"]] for c in cols])
    spec = contracts.file_spec("grundsicherung", "grundsicherung")
    summe = [spec["summenzeile"], None, int(total.sum()), int(women.sum()), int(foreign.sum())]
    sheet = Sheet(spec["blatt"],
                  _title_rows("Empfängerinnen und Empfänger von Grundsicherung im Alter (SGB XII, 4. Kapitel) "
                              "nach Wohnplätzen", f"Stand: {german_date(q.stichtag)}"),
                  [[c["quelle"] for c in cols]], rows, footer_rows=[summe], widths=(14, 28, 18, 16, 18))
    inbox.write_bytes("grundsicherung", "grundsicherung", q.label, f"Grundsicherung_Alter_{q.year}", "xlsx",
                      workbook_bytes([sheet]))


# ----------------------------------------------------------------------------- day care

@dataclass
class KitaRecord:
    facility: Facility
    street: str
    number: str | int
    plz: str
    ort: str
    places_u3: int
    places_ue3: int
    children_u3: int
    children_ue3: int
    dep: float  # deprivation of the facility's Wohnplatz (for the dental service's findings)


def _distribute(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total by weights (largest remainder)."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    exact = total * weights / weights.sum()
    base = np.floor(exact).astype(int)
    rest = total - base.sum()
    base[np.argsort(-(exact - base), kind="stable")[:rest]] += 1
    return base


def kita_year(snap: Snapshot, fac: Facilities, geo: Geography, seed: int) -> list[KitaRecord]:
    """The day-care list at 1 March of the snapshot's year, sized from the register's children."""
    year = snap.q.year
    rng = stream(seed, "kita", year)
    u3 = snap.count_muni(snap.age < 3)
    ue3 = snap.count_muni((snap.age >= 3) & (snap.age < 6))
    coverage_u3 = min(0.26 + 0.015 * (year - 2015), 0.5)
    muni_factor = stream(seed, "kita-muni").uniform(0.88, 1.12, len(gz.MUNICIPALITIES))
    active = [f for f in fac.kitas if f.active(year)]
    dep_new = snap.dep
    names_by_muni = {}
    for s, m in enumerate(geo.street_muni.tolist()):
        names_by_muni.setdefault(m, set()).add(geo.street_name[s])
    records: list[KitaRecord] = []
    for mi, m in enumerate(gz.MUNICIPALITIES):
        here = [f for f in active if int(geo.addr_muni[f.addr]) == mi]
        if not here:
            continue
        w3 = np.array([f.weight_u3 for f in here])
        w6 = np.array([f.weight_ue3 for f in here])
        places_u3 = _distribute(int(round(u3[mi] * coverage_u3 * muni_factor[mi])), w3)
        places_ue3 = _distribute(int(round(ue3[mi] * 0.93 * muni_factor[mi] ** 0.3)), w6)
        occupancy = rng.uniform(0.9, 1.04, (len(here), 2))
        for j, f in enumerate(here):
            a = f.addr
            street_name = geo.street_name[int(geo.addr_street[a])]
            style = f.style if rng.random() > 0.1 else str(rng.choice(["exact", "abbrev", "lower"]))
            records.append(KitaRecord(
                f, handwritten_street(street_name, style),
                handwritten_number(int(geo.addr_number[a]), geo.addr_suffix[a], f.number_style),
                m.plz[a % len(m.plz)], m.ort, int(places_u3[j]), int(places_ue3[j]),
                int(min(round(places_u3[j] * occupancy[j, 0]), places_u3[j] * 1.1)),
                int(min(round(places_ue3[j] * occupancy[j, 1]), places_ue3[j] * 1.1)),
                float(dep_new[int(geo.addr_new[a])])))
    # one or two facilities a year with an address nobody can match (a street not in the directory)
    for k in rng.choice(len(records), size=min(len(records), int(rng.integers(1, 3))), replace=False):
        r = records[int(k)]
        muni = int(geo.addr_muni[r.facility.addr])
        r.street = next(s for s in fac.unmatchable_streets if s not in names_by_muni[muni])
        r.number = 3
    records.sort(key=lambda r: r.facility.fid)
    return records


def write_kita(inbox: Inbox, snap: Snapshot, records: list[KitaRecord]) -> None:
    q = snap.q
    if not inbox.wanted("kita", q.label):
        return
    cols = contracts.columns("kita")
    rows = []
    for r in records:
        values = {"einrichtung_nr": r.facility.fid, "einrichtung_name": r.facility.name,
                  "traeger": r.facility.operator, "strasse": r.street, "hausnummer": r.number,
                  "plz": int(r.plz), "ort": r.ort, "plaetze_u3": r.places_u3, "plaetze_ue3": r.places_ue3,
                  "kinder_u3": r.children_u3, "kinder_ue3": r.children_ue3}
        rows.append([values[c["name"]] for c in cols])
    spec = contracts.file_spec("kita", "kita")
    date = f"{q.year}-03-01"
    sheet = Sheet(spec["blatt"],
                  _title_rows("Kindertageseinrichtungen im Kreisjugendamtsbezirk – Plätze und betreute Kinder",
                              f"Stichtag: 01.03.{q.year}"),
                  [[c["quelle"] for c in cols]], rows, widths=(14, 34, 40, 26, 11, 8, 18, 12, 12, 14, 14))
    inbox.write_bytes("kita", "kita", q.label, f"Kindertagesbetreuung_{date}", "xlsx", workbook_bytes([sheet]))


# ----------------------------------------------------------------------------- care planning

def write_pflege(inbox: Inbox, snap: Snapshot, fac: Facilities, geo: Geography) -> None:
    q = snap.q
    if not inbox.wanted("pflege", q.label):
        return
    stand = f"Stand: {german_date(q.stichtag)}"
    e_cols = contracts.columns("pflege_einrichtungen", "pflege")
    order = {"Vollstationäre Pflege": 0, "Kurzzeitpflege": 1, "Tagespflege": 2, "Ambulanter Pflegedienst": 3}
    active = sorted((f for f in fac.care if f.active(q.year)), key=lambda f: (order[f.kind], f.name, f.fid))
    e_rows = []
    for f in active:
        a = f.addr
        m = gz.MUNICIPALITIES[int(geo.addr_muni[a])]
        values = {"einrichtung_name": f.name, "art": f.kind,
                  "strasse": handwritten_street(geo.street_name[int(geo.addr_street[a])], f.style),
                  "hausnummer": f"{int(geo.addr_number[a])}{geo.addr_suffix[a]}", "ort": m.ort,
                  "plaetze": f.places}
        e_rows.append([values[c["name"]] for c in e_cols])
    e_spec = contracts.file_spec("pflege", "pflege_einrichtungen")
    sheet1 = Sheet(e_spec["blatt"], _title_rows("Pflegeeinrichtungen im Rheinisch-Bergischen Kreis", stand),
                   [[c["quelle"] for c in e_cols]], e_rows, widths=(44, 26, 28, 11, 20, 8), merge_titles=True)

    h_cols = contracts.columns("pflege_hzp", "pflege")
    h_spec = contracts.file_spec("pflege", "pflege_hzp")
    top, bottom = [], []
    for c in h_cols:  # a merged group cell above "insgesamt", "ambulant", "stationär"
        if c["quelle"].startswith(HZP_GROUP + " "):
            top.append(HZP_GROUP if not any(t == HZP_GROUP for t in top) else None)
            bottom.append(c["quelle"][len(HZP_GROUP) + 1:])
        else:
            top.append(c["quelle"])
            bottom.append(None)
    recipient, stationary = snap.care_need
    total = snap.count(recipient)
    stat = snap.count(stationary)
    h_rows = []
    for i, wp in enumerate(snap.wps):
        values = {"wohnplatz_id": wp.key, "wohnplatz_name": wp.name, "empfaenger": int(total[i]),
                  "empfaenger_ambulant": int(total[i] - stat[i]), "empfaenger_stationaer": int(stat[i])}
        h_rows.append([values[c["name"]] for c in h_cols])
    group_first = top.index(HZP_GROUP) + 1
    group_last = group_first + sum(1 for b in bottom if b is not None) - 1
    letters = "ABCDEFGHIJ"
    merges = [letters[group_first - 1] + "{h}:" + letters[group_last - 1] + "{h}"]
    merges += [letters[i] + "{h}:" + letters[i] + "{h_next}" for i, b in enumerate(bottom) if b is None]
    sheet2 = Sheet(h_spec["blatt"],
                   _title_rows("Empfängerinnen und Empfänger von Hilfe zur Pflege (SGB XII, 7. Kapitel) "
                               "nach Wohnplätzen", stand),
                   [top, bottom], h_rows, merges=merges, widths=(14, 28, 14, 14, 14), merge_titles=True)
    data = workbook_bytes([sheet1, sheet2])
    inbox.write_bytes("pflege", "pflege_einrichtungen", q.label, f"Pflegeplanung_{q.year}", "xlsx", data)


# ----------------------------------------------------------------------------- infrastructure

def write_infrastruktur(inbox: Inbox, q, fac: Facilities, geo: Geography, stop_lonlat: np.ndarray) -> None:
    if not inbox.wanted("infrastruktur", q.label):
        return
    stand = q.stichtag.isoformat()
    cols = {c["name"]: c["quelle"] for c in contracts.columns("infrastruktur")}
    features = []
    for f in sorted((f for f in fac.points if f.active(q.year)), key=lambda f: (f.kind, f.name, f.fid)):
        features.append({"type": "Feature",
                         "properties": {cols["kategorie"]: f.kind, cols["bezeichnung"]: f.name, cols["stand"]: stand},
                         cols["geometrie_geojson"]: {"type": "Point", "coordinates": [round(f.x, 2), round(f.y, 2)]}})
    head = {"type": "FeatureCollection",
            "name": f"Infrastrukturstandorte {q.year} – {gz.SYNTH_MARK}",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}}
    data = json_bytes(head, "features", features)
    inbox.write_bytes("infrastruktur", "infrastruktur", q.label, f"Infrastruktur_{q.year}", "geojson", data)

    s_cols = contracts.columns("haltestellen", "infrastruktur")
    spec = contracts.file_spec("infrastruktur", "haltestellen")
    dec = spec["dezimalzeichen"]
    rows = []
    for i, f in enumerate(fac.stops):
        if not f.active(q.year):
            continue
        m = gz.MUNICIPALITIES[int(geo.addr_muni[f.addr])]
        lon, lat = stop_lonlat[i]
        values = {"haltestelle_id": f.fid, "bezeichnung": f.name, "gemeinde_name": m.ort,
                  "breite": f"{lat:.6f}".replace(".", dec), "laenge": f"{lon:.6f}".replace(".", dec)}
        rows.append([values[c["name"]] for c in s_cols])
    data = csv_bytes([c["quelle"] for c in s_cols], rows, sep=spec["trennzeichen"], encoding=spec["encoding"],
                     crlf=False)
    inbox.write_bytes("infrastruktur", "haltestellen", q.label, f"Haltestellen_{q.year}", "csv", data)
