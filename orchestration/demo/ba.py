"""Federal Employment Agency tables per Wohnplatz: SGB II benefits and unemployment.

Layout as the BA's small-area exports: a 3-line preamble, an empty line, the header, one row per
Wohnplatz, then the municipalities and the district, an empty line and the footnotes. Wohnplatz
counts of 1 or 2 are masked "*", zero is "-"; municipality and district rows are true totals.
"""
from __future__ import annotations

import numpy as np

from orchestration.demo import contracts
from orchestration.demo import gazetteer as gz
from orchestration.demo import social as so
from orchestration.demo.files import Inbox, csv_bytes, de_decimal
from orchestration.demo.randomness import stream
from orchestration.demo.snapshot import Snapshot
from orchestration.demo.timeline import MONTHS_DE

FOOTNOTES = (
    "* Werte von 1 oder 2 sind aus Datenschutzgründen anonymisiert",
    "- nichts vorhanden",
    ". Zahlenwert unbekannt oder nicht verfügbar",
    "© Statistik der Bundesagentur für Arbeit (synthetisch)",
)
# Once or twice in the history the BA could not deliver a Wohnplatz figure ("."):
NOT_AVAILABLE = {("sgb2", "2018-Q3"): "alleinerziehende_bg", ("arbeitslosigkeit", "2023-Q1"): "langzeitarbeitslose"}


def masked(n: int) -> str:
    if n == 0:
        return "-"
    if n <= 2:
        return "*"
    return str(int(n))


def _month_label(snap: Snapshot) -> tuple[str, str]:
    q = snap.q
    return f"{q.year}-{q.last_month:02d}", f"{MONTHS_DE[q.last_month - 1]} {q.year}"


def sgb2_counts(snap: Snapshot, by: str) -> dict[str, np.ndarray]:
    u65 = snap.age < 65
    sg = snap.in_sgb2 & u65
    heads = sg & snap.is_head
    return {
        "bedarfsgemeinschaften": snap.count(heads, by),
        "regelleistungsberechtigte": snap.count(sg, by),
        "kinder_unter_15": snap.count(sg & (snap.age < 15), by),
        "alleinerziehende_bg": snap.count(heads & (snap.category == so.SINGLE_PARENT), by),
        "_einwohner_u65": snap.count(u65, by),
    }


def unemployment_counts(snap: Snapshot, by: str) -> dict[str, np.ndarray]:
    unemp = snap.col("unemp")
    u = unemp > 0
    return {
        "arbeitslose": snap.count(u, by),
        "arbeitslose_sgb3": snap.count(u & ~snap.in_sgb2, by),
        "arbeitslose_sgb2": snap.count(u & snap.in_sgb2, by),
        "langzeitarbeitslose": snap.count(unemp >= 4, by),
    }


def _rows(snap: Snapshot, counts_fn, source: str, seed: int) -> list[list]:
    cols = contracts.columns(source)
    names = [c["name"] for c in cols]
    wp_counts = counts_fn(snap, "wp")
    muni_counts = counts_fn(snap, "muni")
    dot_column = NOT_AVAILABLE.get((source, snap.q.label))
    dot_row = int(stream(seed, "ba-not-available", source, snap.q.label).integers(len(snap.wps))) \
        if dot_column else -1
    rows = []

    def quote(c: dict, i: int, rlb_text: str) -> str | None:
        pop = int(c["_einwohner_u65"][i])
        if pop == 0 or rlb_text in ("*", "."):
            return None
        return de_decimal(100.0 * c["regelleistungsberechtigte"][i] / pop, 1)

    for i, wp in enumerate(snap.wps):
        values = {"ebene": "Wohnplatz", "gebiet_schluessel": wp.key, "gebiet_name": wp.name}
        for k, arr in wp_counts.items():
            if not k.startswith("_"):
                values[k] = "." if (i == dot_row and k == dot_column) else masked(int(arr[i]))
        if "quote_ba" in names:
            values["quote_ba"] = quote(wp_counts, i, values["regelleistungsberechtigte"])
        rows.append([values.get(n) for n in names])
    totals: list[tuple[str, str, str, dict, int | None]] = []
    for mi, m in enumerate(gz.MUNICIPALITIES):
        totals.append(("Gemeinde", m.ags, m.name, muni_counts, mi))
    totals.append(("Kreis", gz.KREIS_AGS, gz.KREIS_NAME, muni_counts, None))
    for level, key, name, counts, mi in totals:
        values = {"ebene": level, "gebiet_schluessel": key, "gebiet_name": name}
        for k, arr in counts.items():
            values[k] = int(arr.sum() if mi is None else arr[mi])
        if "quote_ba" in names:
            pop = values["_einwohner_u65"]
            values["quote_ba"] = de_decimal(100.0 * values["regelleistungsberechtigte"] / pop, 1) if pop else None
        rows.append([values.get(n) for n in names])
    return rows


def write_sgb2(inbox: Inbox, snap: Snapshot, seed: int) -> None:
    _write(inbox, snap, seed, "sgb2", sgb2_counts, "SGB2_Wohnplaetze",
           "Jobcenter Rhein-Berg / Statistik der Bundesagentur für Arbeit",
           "Leistungsberechtigte nach dem SGB II nach Wohnplätzen – Rheinisch-Bergischer Kreis")


def write_unemployment(inbox: Inbox, snap: Snapshot, seed: int) -> None:
    _write(inbox, snap, seed, "arbeitslosigkeit", unemployment_counts, "Arbeitslose_Wohnplaetze",
           "Statistik der Bundesagentur für Arbeit",
           "Arbeitslose nach Rechtskreisen und Wohnplätzen – Rheinisch-Bergischer Kreis")


def _write(inbox: Inbox, snap: Snapshot, seed: int, source: str, counts_fn, stem: str, office: str,
           title: str) -> None:
    if not inbox.wanted(source, snap.q.label):
        return
    spec = contracts.file_spec(source, source)
    month, month_text = _month_label(snap)
    preamble = (office, title, f"Berichtsmonat: {month_text} – {gz.SYNTH_MARK}", "")
    data = csv_bytes(contracts.headers(source), _rows(snap, counts_fn, source, seed), sep=spec["trennzeichen"],
                     encoding=spec["encoding"], crlf=True, preamble=preamble, footer=("",) + FOOTNOTES)
    inbox.write_bytes(source, source, snap.q.label, f"{stem}_{month}", "csv", data)
