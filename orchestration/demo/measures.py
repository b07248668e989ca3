"""The social planning office's hand-kept register of measures (one XLSX, sheet "Maßnahmen").

Kept by hand: dates in several notations, Wohnplätze by number or by name, target indicators as
catalogue ids or German names, free-text remarks, and a measure that spans two Wohnplätze written as
two rows whose other cells are merged vertically.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.demo import contracts
from orchestration.demo import gazetteer as gz
from orchestration.demo.files import Inbox, Sheet, workbook_bytes
from orchestration.demo.geography import Geography
from orchestration.demo.timeline import Quarter, german_date


@dataclass
class Measure:
    title: str
    operator: str
    areas: tuple[tuple[str, str, str], ...]  # (AGS, Wohnplatz name, how it is written: "nr" | "name")
    target_group: str
    indicators: str
    begin: object  # as typed: "03/2019", "2019", "01.03.2019" or a date
    begin_date: dt.date
    end: object = "offen"
    remark: str | None = None


MEASURES: tuple[Measure, ...] = (
    Measure("Niedrigschwelliger Treffpunkt „Büdchen“ im Quartier", "Ev. Kirchengemeinde Burscheid / Stadt Burscheid",
            (("05378008", "Zentrum Nord", "name"),), "Bewohnerinnen und Bewohner des Quartiers, v. a. Familien",
            "sgb2_quote; Kinderarmut", "03/2019", dt.date(2019, 3, 1), "offen",
            "Offener Treff mit Sozialberatung, 3 Tage/Woche; Finanzierung bis 2025 gesichert"),
    Measure("Jugendberufsagentur Rhein-Berg – Anlaufstelle Burscheid",
            "Jobcenter Rhein-Berg, Agentur für Arbeit Bergisch Gladbach, Kreisjugendamt",
            (("05378008", "Zentrum Nord", "nr"), ("05378008", "Zentrum Süd", "nr")),
            "Junge Menschen unter 25 Jahren", "arbeitslosenanteil; langzeitarbeitslose", "2020",
            dt.date(2020, 1, 1), "laufend", "Sprechstunden im Rathaus und im Jugendzentrum"),
    Measure("Aufsuchende Jugendarbeit (§ 16h SGB II)", "Jobcenter Rhein-Berg / Caritasverband RheinBerg e.V.",
            (("05378008", "Zentrum Nord", "nr"),), "Schwer erreichbare junge Menschen (15–25 Jahre)",
            "arbeitslosenanteil; SGB-II-Quote", "01.04.2021", dt.date(2021, 4, 1), "",
            "Streetwork, zwei halbe Stellen"),
    Measure("Aufsuchende Familienberatung im Übergang Schule–Beruf",
            "Kreisjugendamt / Diakonie Leverkusen-Rhein-Berg",
            (("05378008", "Zentrum Nord", "name"),),
            "SGB-II-Familien mit Kindern ab Klasse 8", "Kinderarmut; alleinerziehende_bg; sgb2_quote",
            dt.date(2021, 9, 1), dt.date(2021, 9, 1), "offen",
            "Hausbesuche; Kooperation mit den weiterführenden Schulen"),
    Measure("Sprachförderung in Kitas (Bundesprogramm Sprach-Kitas)", "Stadt Leichlingen, Kita-Träger",
            (("05378016", "Cremers Weiden", "name"),), "Kinder in Kitas mit hohem Förderbedarf",
            "seu_sprachfoerderbedarf", "01/2016", dt.date(2016, 1, 1), "06/2023",
            "Programm zum 30.06.2023 beendet, Fortführung aus Landesmitteln geprüft"),
    Measure("Quartiersmanagement Innenstadt", "Stadt Wermelskirchen",
            (("05378032", "Zentrum", "nr"),), "Alle Bewohnerinnen und Bewohner",
            "sgb2_quote; anteil_65plus", "2018", dt.date(2018, 1, 1), "offen",
            "Städtebauförderung „Sozialer Zusammenhalt“"),
    Measure("Bewegungsförderung „Fit von klein auf“", "Kreisgesundheitsamt / Sportvereine",
            (("05378004", "Bockenberg", "name"), ("05378004", "Gronau", "name")), "Kinder von 3 bis 6 Jahren",
            "seu_uebergewicht", "09/2017", dt.date(2017, 9, 1), "12/2020", "Modellprojekt, abgeschlossen"),
    Measure("Frühe Hilfen – Familienbüro", "Stadt Bergisch Gladbach, Jugendamt",
            (("05378004", "Gronau", "nr"),), "Familien mit Kindern unter 3 Jahren", "hze_quote; Kinderarmut",
            "2018", dt.date(2018, 1, 1), "laufend", None),
    Measure("Ausbau der U3-Betreuung", "Stadt Overath", (("05378024", "Overath-Mitte", "name"),),
            "Familien mit Kindern unter 3 Jahren", "kita_versorgung_u3", "08/2016", dt.date(2016, 8, 1), "07/2019",
            "3 neue Gruppen, abgeschlossen"),
    Measure("Netzwerk Alleinerziehende", "Stadt Wermelskirchen / Kath. Familienbildungsstätte",
            (("05378032", "Zentrum", "name"),), "Alleinerziehende", "alleinerziehende_bg",
            "01.02.2019", dt.date(2019, 2, 1), "2024", None),
    Measure("Seniorennetzwerk im Quartier", "Stadt Rösrath / Seniorenbeirat", (("05378028", "Rösrath-Mitte", "nr"),),
            "Menschen ab 65 Jahren", "anteil_65plus", "05/2022", dt.date(2022, 5, 1), "offen", None),
)


def write_measures(inbox: Inbox, geo: Geography, until: Quarter) -> None:
    stand = until.stichtag
    if not inbox.wanted("massnahmen", stand.isoformat()):
        return
    cols = contracts.columns("massnahmen")
    names = [c["name"] for c in cols]
    by_name = {(wp.ags, wp.name): wp for wp in geo.new_wps}
    rows, merges = [], []
    number = 0
    for measure in MEASURES:
        if measure.begin_date > stand:
            continue
        number += 1
        first_row = len(rows)
        for k, (ags, name, how) in enumerate(measure.areas):
            wp = by_name[(ags, name)]
            values = {"massnahme_nr": f"M{number:03d}", "titel": measure.title, "traeger": measure.operator,
                      "wohnplaetze": wp.key if how == "nr" else wp.name, "zielgruppe": measure.target_group,
                      "zielindikatoren": measure.indicators, "beginn": measure.begin, "ende": measure.end,
                      "bemerkung": measure.remark}
            if k > 0:  # continuation row of a merged block: only the Wohnplatz is filled in
                values = {"wohnplaetze": values["wohnplaetze"]}
            rows.append([values.get(n) for n in names])
        if len(measure.areas) > 1:
            for ci, n in enumerate(names):
                if n != "wohnplaetze":
                    letter = "ABCDEFGHI"[ci]
                    merges.append((letter, first_row, first_row + len(measure.areas) - 1))
    header_rows = 1
    title_rows = ["Maßnahmenregister der Sozialplanung", f"Stand: {german_date(stand)}", gz.SYNTH_LINE]
    data_start = len(title_rows) + 1 + header_rows + 1  # first data row (1-based)
    merge_ranges = [f"{c}{data_start + a}:{c}{data_start + b}" for c, a, b in merges]
    sheet = Sheet(contracts.file_spec("massnahmen", "massnahmen")["blatt"], title_rows,
                  [[c["quelle"] for c in cols]], rows, merges=merge_ranges,
                  widths=(7, 44, 40, 18, 34, 36, 12, 10, 48), merge_titles=True)
    inbox.write_bytes("massnahmen", "massnahmen", stand.isoformat(), f"Massnahmenregister_Stand_{stand.isoformat()}",
                      "xlsx", workbook_bytes([sheet]))
