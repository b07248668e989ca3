"""Health office deliveries: school entry examinations (JSON) and dental findings in day care (CSV)."""
from __future__ import annotations

import datetime as dt

import numpy as np

from orchestration.demo import contracts
from orchestration.demo import gazetteer as gz
from orchestration.demo.files import Inbox, csv_bytes, de_decimal, json_bytes
from orchestration.demo.randomness import stream
from orchestration.demo.snapshot import Snapshot
from orchestration.demo.timeline import day_number, from_day_number, school_year_label
from orchestration.demo.yearly import KitaRecord


def _cohort(snap: Snapshot, entry_year: int) -> np.ndarray:
    """Children entering school in August of entry_year: six years old by 30 September."""
    lo = day_number(dt.date(entry_year - 7, 10, 1))
    hi = day_number(dt.date(entry_year - 6, 9, 30))
    birth = snap.col("birth")
    return np.flatnonzero((birth >= lo) & (birth <= hi))


def write_einschulung(inbox: Inbox, snap: Snapshot, seed: int) -> None:
    """School year ending in the snapshot's year (Stichtag 30 June)."""
    entry = snap.q.year
    label = school_year_label(entry)
    if not inbox.wanted("einschulung", snap.q.label):
        return
    rng = stream(seed, "einschulung", label)
    kids = _cohort(snap, entry)
    kids = kids[rng.permutation(len(kids))]
    n = len(kids)
    d = snap.dep_person[kids]
    migrant = (snap.col("grp")[kids] > 0) | (snap.col("nat")[kids] > 0)
    sgb2 = snap.in_sgb2[kids]
    u = rng.random((n, 8))
    p_obese = 0.028 * (1 + 1.7 * d + 0.4 * sgb2)
    p_over = 0.058 * (1 + 1.3 * d + 0.3 * sgb2)
    bmi = np.where(u[:, 0] < p_obese, "adipositas",
                   np.where(u[:, 0] < p_obese + p_over, "uebergewicht",
                            np.where(u[:, 0] > 0.93, "untergewicht", "normal"))).astype(object)
    bmi[u[:, 1] < 0.01] = None
    language = u[:, 2] < np.clip(0.07 + 0.26 * d + 0.32 * migrant + 0.08 * sgb2, 0, 0.95)
    language_missing = u[:, 1] > 0.985
    card = u[:, 3] < 0.965 - 0.06 * d
    p2 = 0.955 - 0.09 * d
    doses = np.where(u[:, 4] < 0.004, 3, np.where(u[:, 4] < p2, 2, np.where(u[:, 4] < p2 + 0.035, 1, 0)))
    booklet = u[:, 5] < 0.955 - 0.08 * d
    complete = u[:, 6] < 0.93 - 0.27 * d - 0.05 * sgb2
    sexes = snap.col("sex")[kids]
    birth = snap.col("birth")[kids]
    wp = snap.wp[kids]
    cols = contracts.columns("einschulung")
    records = []
    for i in range(n):
        block, k = divmod(i + 1, 100_000)
        number = f"SEU-{entry if block == 0 else 9000 + block:04d}-{k:05d}"
        values = {
            "untersuchung_pseudonym": number,
            "wohnplatz_id": snap.wps[int(wp[i])].key,
            "geschlecht": "mwd"[int(sexes[i])],
            "geburtsdatum": from_day_number(int(birth[i])).isoformat(),
            "bmi_kategorie": bmi[i],
            "sprachfoerderbedarf": None if language_missing[i] else bool(language[i]),
            "impfausweis_vorgelegt": bool(card[i]),
            "masern_impfungen": int(doses[i]) if card[i] else None,
            "frueherkennungsheft_vorgelegt": bool(booklet[i]),
            "u_untersuchungen_vollstaendig": bool(complete[i]) if booklet[i] else None,
        }
        records.append({c["quelle"]: values[c["name"]] for c in cols})
    spec = contracts.file_spec("einschulung", "einschulung")
    head = {
        spec["meta"]: {
            "titel": f"Schuleingangsuntersuchungen – {gz.SYNTH_MARK}",
            "hinweis": gz.SYNTH_LINE,
            "amt": "Kreisgesundheitsamt Rheinisch-Bergischer Kreis, Kinder- und Jugendgesundheitsdienst",
            "schuljahr": label,
            "untersuchungszeitraum": f"{entry - 1}-09-01/{entry}-05-31",
            "gebietsstand": snap.scheme,
            "anzahl": n,
            "exportiert_am": f"{entry}-07-15",
        },
    }
    data = json_bytes(head, spec["datensaetze"], records)
    inbox.write_bytes("einschulung", "einschulung", snap.q.label, f"Schuleingangsuntersuchung_{label}", "json", data)


def write_zahngesundheit(inbox: Inbox, snap: Snapshot, kitas: list[KitaRecord], seed: int) -> None:
    entry = snap.q.year
    label = school_year_label(entry)
    if not inbox.wanted("zahngesundheit", snap.q.label):
        return
    rng = stream(seed, "zahngesundheit", label)
    cols = contracts.columns("zahngesundheit")
    rows = []
    for r in kitas:
        examined = int(rng.binomial(r.children_ue3, 0.84))
        if examined == 0:
            continue
        caries = int(rng.binomial(examined, min(0.05 + 0.32 * r.dep, 0.8)))
        values = {"schuljahr": school_year_label(entry, "/"), "einrichtung_name": r.facility.name,
                  "strasse": r.street, "hausnummer": str(r.number), "ort": r.ort, "untersuchte_kinder": examined,
                  "kinder_mit_karies": caries,
                  "anteil_naturgesund": de_decimal(100.0 * (examined - caries) / examined, 1)}
        rows.append([values[c["name"]] for c in cols])
    spec = contracts.file_spec("zahngesundheit", "zahngesundheit")
    data = csv_bytes([c["quelle"] for c in cols], rows, sep=spec["trennzeichen"], encoding=spec["encoding"],
                     crlf=True)
    inbox.write_bytes("zahngesundheit", "zahngesundheit", snap.q.label, f"Zahngesundheit_Kitas_{label}", "csv", data)
