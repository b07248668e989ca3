"""A small warehouse with the marts of .agents/INTERFACES.md, built for the quality-gate tests.

Two municipalities with five current Wohnplätze (one merged from two areas by the 2021 reform, one
tiny so that suppression has work to do), twelve quarterly Stichtage 2019-Q1..2021-Q4 and thirteen
indicators copied from the catalogue seed (quarterly and yearly, shares, rates, a count, a signed
balance, coverage ratios, places). The marts have the columns of the dbt models in
dbt_project/models/marts (wide marts with `<indikator_id>` / `<indikator_id>_status`, count and trend
columns, the Sozialindex with its components) and follow their rules: municipality and district rows
are the sums of their parts, suppression follows the cell rule of macros/suppression/sperrung.sql
(person counts 0 < n < 3, denominators below the minimum, secondary suppression), yearly values only
at their Stichtag, pre-reform values of the merged area 'geschaetzt'.
Tests copy the file and break one thing at a time.

The module also tests its own invariants, so that a fixture bug cannot make a suite look good.
"""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

PUBLISHED_STICHTAG = "2021-12-31"
STICHTAGE = [date(y, m, d) for y in (2019, 2020, 2021) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
REFORM = date(2021, 1, 1)
KREIS = "05378"
KREIS_NAME = "Rheinisch-Bergischer Kreis"
KOMMUNEN = {"05378004": "Bergisch Gladbach", "05378008": "Burscheid"}
# current Wohnplätze: id -> (name, ags, inhabitants at the first Stichtag)
WOHNPLAETZE = {
    "00401": ("Refrath", "05378004", 4000),
    "00402": ("Bensberg", "05378004", 3000),
    "00405": ("Stadtmitte", "05378004", 2500),  # merged from 00403 + 00404 on 2021-01-01
    "00801": ("Burscheid-Zentrum", "05378008", 1800),
    "00802": ("Hilgen-Nord", "05378008", 150),
}
OLD_WOHNPLAETZE = {
    "00401": ("Refrath", "05378004"), "00402": ("Bensberg", "05378004"),
    "00403": ("Stadtmitte-West", "05378004"), "00404": ("Stadtmitte-Ost", "05378004"),
    "00801": ("Burscheid-Zentrum", "05378008"), "00802": ("Hilgen-Nord", "05378008"),
}
MERGED = {"00405"}

# rows of dbt_project/seeds/indikatoren.csv (subset), same columns
INDIKATOR_COLUMNS = ["indikator_id", "name", "thema", "zaehler", "nenner", "einheit", "faktor", "quelle",
                     "polaritaet", "turnus", "bezugsquartal", "mindestnenner", "max_aenderung", "im_index",
                     "kontext", "reihenfolge"]
INDIKATOREN = [
    ("einwohner", "Einwohnerinnen und Einwohner", "Demografie", "Einwohner", None, "Anzahl", 1,
     "melderegister", "neutral", "quartal", None, 20, 2000.0, None, False, 1),
    ("anteil_65plus", "Anteil ab 65-Jährige", "Demografie", "Einwohner ab 65", "Einwohner", "%", 100,
     "melderegister", "neutral", "quartal", None, 20, 3.0, None, False, 4),
    ("anteil_80plus", "Anteil ab 80-Jährige", "Demografie", "Einwohner ab 80", "Einwohner", "%", 100,
     "melderegister", "neutral", "quartal", None, 20, 2.0, None, False, 5),
    ("wanderungssaldo", "Wanderungssaldo", "Demografie", "Zuzüge minus Fortzüge", "Einwohner", "je 100", 100,
     "melderegister", "neutral", "quartal", None, 20, 10.0, None, False, 11),
    ("sgb2_quote", "SGB-II-Quote", "Existenzsicherung", "Regelleistungsberechtigte", "Einwohner unter 65",
     "%", 100, "sgb2", "negativ", "quartal", None, 20, 3.0, "status", False, 15),
    ("kinderarmut", "Kinderarmut", "Existenzsicherung", "Kinder unter 15 im SGB II", "Einwohner unter 15",
     "%", 100, "sgb2", "negativ", "quartal", None, 20, 5.0, "status", False, 16),
    ("arbeitslosenanteil", "Arbeitslosenanteil", "Existenzsicherung", "Arbeitslose", "Einwohner 15 bis 64",
     "%", 100, "arbeitslosigkeit", "negativ", "quartal", None, 20, 2.0, "status", False, 18),
    ("kita_versorgung_u3", "Betreuungsplätze für unter 3-Jährige", "Jugendhilfe", "Plätze U3",
     "Einwohner unter 3", "je 100", 100, "kita", "positiv", "jahr", 1, 20, 15.0, None, False, 21),
    ("hze_quote", "Hilfen zur Erziehung", "Jugendhilfe", "Laufende Hilfen", "Einwohner unter 21", "je 1.000",
     1000, "hze", "negativ", "quartal", None, 20, 10.0, None, False, 23),
    ("hilfe_zur_pflege", "Hilfe zur Pflege", "Pflege", "Empfänger HzP", "Einwohner ab 65", "je 100", 100,
     "pflege", "negativ", "jahr", 4, 20, 1.0, None, False, 29),
    ("pflegeheimplaetze_80plus", "Pflegeheimplätze", "Pflege", "Plätze vollstationär", "Einwohner ab 80",
     "je 100", 100, "pflege", "positiv", "jahr", 4, 20, 20.0, None, False, 30),
    ("tagespflegeplaetze_80plus", "Tagespflegeplätze", "Pflege", "Plätze Tagespflege", "Einwohner ab 80",
     "je 100", 100, "pflege", "positiv", "jahr", 4, 20, 10.0, None, False, 31),
    ("alleinlebende_80plus", "Alleinlebende ab 80 Jahren", "Pflege", "Alleinlebende ab 80", "Einwohner ab 80",
     "%", 100, "melderegister", "negativ", "quartal", None, 20, 10.0, None, False, 32),
]
CATALOGUE = {i[0]: dict(zip(INDIKATOR_COLUMNS, i)) for i in INDIKATOREN}
# macros/suppression/sperrung.sql: sperrung_zaehler_ohne_personenbezug (subset present here)
OHNE_PERSONENBEZUG = {"kita_versorgung_u3", "pflegeheimplaetze_80plus", "tagespflegeplaetze_80plus",
                      "wanderungssaldo"}
STATUS_INDIKATOREN = ["arbeitslosenanteil", "sgb2_quote", "kinderarmut"]
# mart_pflege / mart_jugendhilfe: (column, indicator, field) as in the dbt models
PFLEGE_KENNZAHLEN = [
    ("einwohner_65plus", "anteil_65plus", "zaehler"), ("anteil_65plus", "anteil_65plus", "wert"),
    ("einwohner_80plus", "anteil_80plus", "zaehler"), ("anteil_80plus", "anteil_80plus", "wert"),
    ("alleinlebende_80plus_anzahl", "alleinlebende_80plus", "zaehler"),
    ("alleinlebende_80plus", "alleinlebende_80plus", "wert"),
    ("hilfe_zur_pflege_empfaenger", "hilfe_zur_pflege", "zaehler"), ("hilfe_zur_pflege", "hilfe_zur_pflege", "wert"),
    ("pflegeheimplaetze", "pflegeheimplaetze_80plus", "zaehler"),
    ("pflegeheimplaetze_80plus", "pflegeheimplaetze_80plus", "wert"),
    ("tagespflegeplaetze", "tagespflegeplaetze_80plus", "zaehler"),
    ("tagespflegeplaetze_80plus", "tagespflegeplaetze_80plus", "wert"),
]
JUGEND_KENNZAHLEN = [
    ("kita_versorgung_u3", "kita_versorgung_u3", "wert"),
    ("hze_faelle", "hze_quote", "zaehler"), ("hze_quote", "hze_quote", "wert"),
    ("kinder_u15_sgb2", "kinderarmut", "zaehler"), ("kinderarmut", "kinderarmut", "wert"),
]
ALTERSBAENDER = {"kinder_0_2": 0.03, "kinder_3_5": 0.03, "kinder_6_9": 0.04, "kinder_10_14": 0.05,
                 "jugendliche_15_17": 0.03, "junge_volljaehrige_18_20": 0.012}
KEY_COLUMNS = ["ebene", "gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag"]
LONG_COLUMNS = ["ebene", "gebiet_id", "stichtag", "indikator_id", "zaehler", "nenner", "wert", "status",
                "status_grund", "lieferung_ids"]


def _due(indikator_id: str, stichtag: date) -> bool:
    entry = CATALOGUE[indikator_id]
    return entry["turnus"] == "quartal" or (stichtag.month - 1) // 3 + 1 == entry["bezugsquartal"]


def _lieferung(indikator_id: str, stichtag: date) -> str:
    return hashlib.sha256(f"{indikator_id}{stichtag}".encode()).hexdigest()


def _counts(wp: str, base: int, t: int, indikator_id: str) -> tuple[float, float | None]:
    """(zaehler, nenner) of one Wohnplatz at quarter index t; simple, smooth, deterministic."""
    pop = base + 10 * t
    seed = int(wp) % 7
    over65 = round(pop * (0.18 + 0.01 * seed))
    over80 = round(pop * (0.06 + 0.004 * seed))
    if indikator_id == "einwohner":
        return float(pop), None
    if indikator_id == "anteil_65plus":
        return float(over65), float(pop)
    if indikator_id == "anteil_80plus":
        return float(over80), float(pop)
    if indikator_id == "wanderungssaldo":
        return float((seed - 3) * 15 + 5 + t % 3), float(pop)
    if indikator_id == "sgb2_quote":
        nenner = round(pop * 0.8)
        return float(round(nenner * (0.03 + 0.01 * seed))), float(nenner)
    if indikator_id == "kinderarmut":
        if wp == "00802":
            return 2.0, 20.0  # two children: the 1-2 rule
        nenner = round(pop * 0.13)
        return float(round(nenner * (0.05 + 0.02 * seed))), float(nenner)
    if indikator_id == "arbeitslosenanteil":
        nenner = round(pop * 0.65)
        return float(round(nenner * (0.03 + 0.005 * seed))), float(nenner)
    if indikator_id == "kita_versorgung_u3":  # 00802: 4-8 children, below the minimum denominator
        return float({"00401": 50, "00402": 35, "00405": 20, "00801": 30, "00802": 10}[wp]), float(round(pop * 0.03))
    if indikator_id == "hze_quote":
        nenner = round(pop * 0.2)
        return float(round(nenner * 0.012)), float(nenner)
    if indikator_id == "hilfe_zur_pflege":
        return float(round(over65 * 0.012)), float(over65)
    if indikator_id == "pflegeheimplaetze_80plus":  # 00802: 11 people 80+, below the minimum
        return float(120 if wp == "00401" else 0), float(over80)
    if indikator_id == "tagespflegeplaetze_80plus":
        return float(12 if wp == "00402" else 0), float(over80)
    if indikator_id == "alleinlebende_80plus":
        return float(round(over80 * 0.35)), float(over80)
    raise KeyError(indikator_id)


def _wert(zaehler: float | None, nenner: float | None, indikator_id: str) -> float | None:
    entry = CATALOGUE[indikator_id]
    if zaehler is None:
        return None
    if entry["einheit"] == "Anzahl":
        return zaehler
    return zaehler / nenner * entry["faktor"] if nenner else None


def _with_totals(parts: list[tuple], einheit: str) -> list[tuple]:
    """Wohnplatz rows (gebiet, ags, zaehler, nenner, status) plus municipality and district sums."""
    rows = [("wohnplatz", *p) for p in parts]
    for gebiet, members in [*((a, [p for p in parts if p[1] == a]) for a in KOMMUNEN), (KREIS, parts)]:
        ebene = "kreis" if gebiet == KREIS else "kommune"
        if any(p[2] is None for p in members):
            rows.append((ebene, gebiet, None, None, None, "fehlt"))
        else:
            nenner = None if einheit == "Anzahl" else sum(p[3] for p in members)
            rows.append((ebene, gebiet, None, sum(p[2] for p in members), nenner, "ok"))
    return rows


def fct_indikator() -> pd.DataFrame:
    rows = []
    for iid in CATALOGUE:
        for t, stichtag in enumerate(STICHTAGE):
            if not _due(iid, stichtag):
                continue
            parts = []
            for wp, (_, ags, base) in WOHNPLAETZE.items():
                zaehler, nenner = _counts(wp, base, t, iid)
                if iid == "kita_versorgung_u3" and stichtag == STICHTAGE[0]:
                    zaehler = nenner = None  # the Kita office did not deliver 2019
                status = "fehlt" if zaehler is None else (
                    "geschaetzt" if wp in MERGED and stichtag < REFORM else "ok")
                parts.append((wp, ags, zaehler, nenner, status))
            for ebene, gebiet, _, zaehler, nenner, status in _with_totals(parts, CATALOGUE[iid]["einheit"]):
                grund = {"fehlt": "nicht_geliefert", "geschaetzt": "gebietsreform"}.get(status)
                rows.append((ebene, gebiet, stichtag, iid, zaehler, nenner, _wert(zaehler, nenner, iid), status,
                             grund, None if status == "fehlt" else _lieferung(iid, stichtag)))
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def _parent(ebene: str, gebiet: str) -> str | None:
    if ebene == "wohnplatz":
        return WOHNPLAETZE[gebiet][1]
    return KREIS if ebene == "kommune" else None


def suppress(cells: pd.DataFrame, group: list[str], person: pd.Series, mindestnenner: pd.Series) -> pd.DataFrame:
    """The rule of macros/suppression/sperrung.sql, top-down over kreis > kommune > wohnplatz."""
    cells = cells.copy()
    published = cells["status"].isin(["ok", "geschaetzt"])
    primary = published & (
        (person & (cells["zaehler"] > 0) & (cells["zaehler"] < 3))
        | (mindestnenner.notna() & (cells["nenner"].isna() | (cells["nenner"] < mindestnenner)))
    )
    reason = pd.Series(None, index=cells.index, dtype=object)
    reason[primary & person & (cells["zaehler"] > 0) & (cells["zaehler"] < 3)] = "fallzahl_1_2"
    reason[primary & reason.isna()] = "nenner_unter_mindestnenner"
    locked = primary.copy()
    cells["_eltern"] = [_parent(e, g) for e, g in zip(cells["ebene"], cells["gebiet_id"])]
    for ebene in ("kommune", "wohnplatz"):
        level = cells[cells["ebene"] == ebene]
        for key, children in level.groupby([*group, "_eltern"]):
            parent = cells[(cells["gebiet_id"] == key[-1])
                           & np.logical_and.reduce([cells[c] == v for c, v in zip(group, key[:-1])])]
            parent_locked, parent_open = bool(locked[parent.index].any()), bool(
                (published[parent.index] & ~locked[parent.index]).any())
            n_locked = int(locked[children.index].sum())
            need = 1 if (parent_open and n_locked == 1) or (parent_locked and n_locked == 0) else 0
            candidates = children[published[children.index] & ~locked[children.index]].sort_values(
                ["zaehler", "gebiet_id"], na_position="last")
            for index in candidates.index[:need]:
                locked[index] = True
                reason[index] = "sekundaersperrung"
    cells.loc[locked | ~published, ["zaehler", "nenner", "wert"]] = None
    cells.loc[locked, "status"] = "gesperrt"
    cells.loc[locked, "status_grund"] = reason[locked]
    return cells.drop(columns="_eltern")


def _names() -> tuple[dict, dict]:
    gebiet_name = {KREIS: KREIS_NAME, **KOMMUNEN, **{k: v[0] for k, v in WOHNPLAETZE.items()}}
    kommune_of = {**{a: a for a in KOMMUNEN}, **{k: v[1] for k, v in WOHNPLAETZE.items()}}
    return gebiet_name, kommune_of


def _with_names(frame: pd.DataFrame) -> pd.DataFrame:
    gebiet_name, kommune_of = _names()
    frame = frame.copy()
    frame["gebiet_name"] = frame["gebiet_id"].map(gebiet_name)
    frame["kommune_ags"] = frame["gebiet_id"].map(kommune_of)
    frame["kommune_name"] = frame["kommune_ags"].map(KOMMUNEN)
    return frame


def mart_indikatoren(fct: pd.DataFrame) -> pd.DataFrame:
    person = ~fct["indikator_id"].isin(OHNE_PERSONENBEZUG)
    mindestnenner = fct["indikator_id"].map(
        lambda i: None if CATALOGUE[i]["einheit"] == "Anzahl" else CATALOGUE[i]["mindestnenner"]).astype(float)
    mart = _with_names(suppress(fct, ["indikator_id", "stichtag"], person, mindestnenner))
    mart["indikator_name"] = mart["indikator_id"].map(lambda i: CATALOGUE[i]["name"])
    mart["thema"] = mart["indikator_id"].map(lambda i: CATALOGUE[i]["thema"])
    mart["einheit"] = mart["indikator_id"].map(lambda i: CATALOGUE[i]["einheit"])
    return mart[["ebene", "gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag", "indikator_id",
                 "indikator_name", "thema", "einheit", "zaehler", "nenner", "wert", "status", "status_grund",
                 "lieferung_ids"]]


def _grid() -> pd.DataFrame:
    grid = pd.DataFrame(
        [(e, g, s) for e, gebiete in [("wohnplatz", list(WOHNPLAETZE)), ("kommune", list(KOMMUNEN)),
                                      ("kreis", [KREIS])] for g in gebiete for s in STICHTAGE],
        columns=["ebene", "gebiet_id", "stichtag"])
    return _with_names(grid)[KEY_COLUMNS]


def _wide(long: pd.DataFrame, kennzahlen: list[tuple[str, str, str]]) -> pd.DataFrame:
    wide = _grid()
    for spalte, indikator, feld in kennzahlen:
        part = long[long["indikator_id"] == indikator][["ebene", "gebiet_id", "stichtag", feld]]
        wide = wide.merge(part.rename(columns={feld: spalte}), on=["ebene", "gebiet_id", "stichtag"], how="left")
    for indikator in dict.fromkeys(k[1] for k in kennzahlen):
        part = long[long["indikator_id"] == indikator][["ebene", "gebiet_id", "stichtag", "status"]]
        wide = wide.merge(part.rename(columns={"status": f"{indikator}_status"}),
                          on=["ebene", "gebiet_id", "stichtag"], how="left")
    return wide


def mart_sozialmonitoring(long: pd.DataFrame) -> pd.DataFrame:
    wide = _grid()
    for indikator in CATALOGUE:
        part = long[long["indikator_id"] == indikator][["ebene", "gebiet_id", "stichtag", "wert", "status"]]
        wide = wide.merge(part.rename(columns={"wert": indikator, "status": f"{indikator}_status"}),
                          on=["ebene", "gebiet_id", "stichtag"], how="left")
    return wide


def mart_pflege(long: pd.DataFrame) -> pd.DataFrame:
    wide = _wide(long, PFLEGE_KENNZAHLEN)
    earlier = wide[["ebene", "gebiet_id", "stichtag", *(k[0] for k in PFLEGE_KENNZAHLEN)]].copy()
    earlier["stichtag"] = earlier["stichtag"].map(lambda s: STICHTAGE[STICHTAGE.index(s) + 8]
                                                  if STICHTAGE.index(s) + 8 < len(STICHTAGE) else None)
    merged = wide.merge(earlier, on=["ebene", "gebiet_id", "stichtag"], how="left", suffixes=("", "_vorher"))
    columns = [*KEY_COLUMNS]
    for spalte, _, _ in PFLEGE_KENNZAHLEN:
        merged[f"{spalte}_veraenderung_2j"] = merged[spalte] - merged[f"{spalte}_vorher"]
        columns += [spalte, f"{spalte}_veraenderung_2j"]
    columns += [f"{i}_status" for i in dict.fromkeys(k[1] for k in PFLEGE_KENNZAHLEN)]
    return merged[columns]


def mart_jugendhilfe(long: pd.DataFrame) -> pd.DataFrame:
    band_rows = []
    for band, share in ALTERSBAENDER.items():
        for t, stichtag in enumerate(STICHTAGE):
            parts = [(wp, ags, float(round((base + 10 * t) * share)), None, "ok")
                     for wp, (_, ags, base) in WOHNPLAETZE.items()]
            for ebene, gebiet, _, zaehler, _, status in _with_totals(parts, "Anzahl"):
                band_rows.append((ebene, gebiet, stichtag, band, zaehler, None, zaehler, status, None))
    bands = pd.DataFrame(band_rows, columns=["ebene", "gebiet_id", "stichtag", "altersband", "zaehler", "nenner",
                                             "wert", "status", "status_grund"])
    bands = suppress(bands, ["altersband", "stichtag"], pd.Series(True, index=bands.index),
                     pd.Series(np.nan, index=bands.index))
    wide = _grid()
    for band in ALTERSBAENDER:
        part = bands[bands["altersband"] == band][["ebene", "gebiet_id", "stichtag", "zaehler", "status"]]
        wide = wide.merge(part.rename(columns={"zaehler": band, "status": f"{band}_status"}),
                          on=["ebene", "gebiet_id", "stichtag"], how="left")
    kennzahlen = _wide(long, JUGEND_KENNZAHLEN)
    return wide.merge(kennzahlen.drop(columns=KEY_COLUMNS[2:5]), on=["ebene", "gebiet_id", "stichtag"])


def _z(values: pd.Series, counted: pd.Series) -> pd.Series:
    """z-value over the counted rows, population sd, 0 when every counted value is equal (macro sozialindex_z)."""
    pool = values[counted & values.notna()]
    sd = pool.std(ddof=0)
    z = (values - pool.mean()) / sd if sd > 0 else values * 0.0
    return z.where(counted & values.notna())


def _rang(komp: pd.DataFrame, z: str) -> pd.Series:
    """Rank of each indicator among those of its role by z-value (1 = highest, ties by id), as the model does."""
    ranked = komp[komp[z].notna()].sort_values([z, "indikator_id"], ascending=[False, True])
    return ranked.groupby(["gebiet_id", "stichtag", "rolle"]).cumcount().add(1).reindex(komp.index)


def _klasse(value: float | None, grenzen: list[tuple[str, float | None]]) -> str | None:
    if value is None or pd.isna(value):
        return None
    return next(k for k, bis in grenzen if bis is None or value <= bis)


def sozialindex(long: pd.DataFrame, fct: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Berlin MSS on the fixture (3 status indicators, 8 quarters dynamics, 300 inhabitants), as the models do."""
    wp = long[long["ebene"] == "wohnplatz"]
    wert = wp.pivot_table(index=["gebiet_id", "stichtag"], columns="indikator_id", values="wert", aggfunc="first",
                          dropna=False)
    status = wp.pivot_table(index=["gebiet_id", "stichtag"], columns="indikator_id", values="status",
                            aggfunc="first", dropna=False)
    einwohner_roh = fct[(fct["ebene"] == "wohnplatz") & (fct["indikator_id"] == "einwohner")].set_index(
        ["gebiet_id", "stichtag"])["zaehler"]
    komponenten, gebiete = [], []
    for i, stichtag in enumerate(STICHTAGE):
        frame = wert.xs(stichtag, level="stichtag").reindex(list(WOHNPLAETZE))
        before = wert.xs(STICHTAGE[i - 8], level="stichtag").reindex(list(WOHNPLAETZE)) if i >= 8 else None
        before_status = status.xs(STICHTAGE[i - 8], level="stichtag").reindex(list(WOHNPLAETZE)) if i >= 8 else None
        roh = einwohner_roh.xs(stichtag, level="stichtag").reindex(list(WOHNPLAETZE))
        indexiert = frame[STATUS_INDIKATOREN].notna().all(axis=1) & (roh >= 300)
        aenderung = (frame[STATUS_INDIKATOREN] - before[STATUS_INDIKATOREN]) if before is not None else \
            frame[STATUS_INDIKATOREN] * np.nan
        dyn = indexiert & aenderung.notna().all(axis=1)
        z = {iid: _z(frame[iid], indexiert) for iid in STATUS_INDIKATOREN}
        zd = {iid: _z(aenderung[iid], dyn) for iid in STATUS_INDIKATOREN}
        summe = sum(z.values()).where(indexiert)
        dsumme = sum(zd.values()).where(dyn)
        index, dindex = _z(summe, indexiert), _z(dsumme, dyn)
        for gebiet in WOHNPLAETZE:
            sk = _klasse(index[gebiet], [("hoch", -1.0), ("mittel", 1.0), ("niedrig", 1.5), ("sehr niedrig", None)])
            dk = _klasse(dindex[gebiet], [("positiv", -1.0), ("stabil", 1.0), ("negativ", None)])
            bedarf = None if sk is None else (sk in ("niedrig", "sehr niedrig") or (sk == "mittel" and dk == "negativ"))
            if sk == "mittel" and dk is None:
                bedarf = None
            grund = None if indexiert[gebiet] else "Statusindikator ohne Wert"
            row = {"gebiet_id": gebiet, "stichtag": stichtag, "einwohner": frame["einwohner"][gebiet],
                   "status_indexiert": bool(indexiert[gebiet]), "grund_nicht_indexiert": grund}
            for iid in STATUS_INDIKATOREN:
                row |= {iid: frame[iid][gebiet], f"{iid}_aenderung": aenderung[iid][gebiet],
                        f"{iid}_z": z[iid][gebiet], f"{iid}_z_dynamik": zd[iid][gebiet]}
                komponenten.append({
                    "gebiet_id": gebiet, "stichtag": stichtag, "indikator_id": iid,
                    "indikator_name": CATALOGUE[iid]["name"], "rolle": "status", "polaritaet": "negativ",
                    "richtung": 1, "wert": frame[iid][gebiet],
                    "wert_status": None if pd.notna(frame[iid][gebiet]) else status[iid][(gebiet, stichtag)],
                    "aenderung": aenderung[iid][gebiet],
                    "vorwert_status": None if before is None or pd.notna(before[iid][gebiet])
                    else before_status[iid][gebiet],
                    "status_indexiert": bool(indexiert[gebiet]), "dynamik_indexiert": bool(dyn[gebiet]),
                    "grund_nicht_indexiert": grund, "grund_ohne_dynamik": None if dyn[gebiet] else "Veränderung unbekannt",
                    "z_status": z[iid][gebiet], "z_dynamik": zd[iid][gebiet], "rang_status": None,
                    "rang_dynamik": None, "einwohner": frame["einwohner"][gebiet]})
            row |= {"status_summe": summe[gebiet], "status_index": index[gebiet], "status_klasse": sk,
                    "dynamik_indexiert": bool(dyn[gebiet]),
                    "grund_ohne_dynamik": None if dyn[gebiet] else "Veränderung unbekannt",
                    "dynamik_summe": dsumme[gebiet], "dynamik_index": dindex[gebiet], "dynamik_klasse": dk,
                    "handlungsbedarf": bedarf, "gebiete_im_statusindex": int(indexiert.sum()),
                    "gebiete_im_dynamikindex": int(dyn.sum())}
            gebiete.append(row)
    mart = _with_names(pd.DataFrame(gebiete).assign(ebene="wohnplatz")).drop(columns="ebene")
    komp = _with_names(pd.DataFrame(komponenten).assign(ebene="wohnplatz")).drop(columns="ebene")
    komp["rang_status"], komp["rang_dynamik"] = _rang(komp, "z_status"), _rang(komp, "z_dynamik")
    first = ["gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag"]
    return (mart[first + [c for c in mart.columns if c not in first]],
            komp[first + [c for c in komp.columns if c not in first]])


# ---------------------------------------------------------------- planning products (issue 9)

# Report Stichtage of mart_handlungsraeume (dbt var planung.berichtsquartal; the models' default is 4). The
# fixture reports in Q3 because its small district changes there: a Wohnplatz new on the list in 2021,
# flagged by its dynamics, beside one flagged by its status every year.
BERICHTSQUARTAL = 3
# Status classes that flag on their own (rules with dynamik "*" in dbt var sozialindex.handlungsbedarf).
STATUS_ALLEIN = {"niedrig", "sehr niedrig"}
# Measures register (newest version): nr -> (title, start, end, Wohnplätze, target indicators). M002's baseline
# (2019-03-31) was not delivered and its end value is suppressed in both Burscheid Wohnplätze; einwohner is a
# count (no comparison group); M003 starts in the first monitoring year, so it has no baseline.
REGISTER_STAND = date(2021, 12, 31)
MASSNAHMEN = {
    "M001": ("Quartiersbüro Stadtmitte", date(2020, 3, 1), None, ["00405"], ["sgb2_quote", "kinderarmut"]),
    "M002": ("U3-Ausbau Burscheid", date(2020, 5, 1), date(2021, 7, 1), ["00801", "00802"],
             ["kita_versorgung_u3", "einwohner"]),
    "M003": ("Seniorentreff Refrath", date(2019, 1, 1), None, ["00401"], ["anteil_80plus"]),
}
# Facilities of the latest deliveries: id -> (name, kind, Wohnplatz or None, places, places under 3).
# 20 day-care centres with a Wohnplatz and one whose street is unknown (1 of 21 = 4.8 %, under the 5 % warning).
KITA_WOHNPLAETZE = ["00401"] * 6 + ["00402"] * 5 + ["00405"] * 5 + ["00801"] * 3 + ["00802"]
EINRICHTUNGEN = {
    **{f"KT{n:04d}": (f"Kita {n}", "kita", wp, 40 + 5 * (n % 4), 10 + n % 3)
       for n, wp in enumerate(KITA_WOHNPLAETZE, start=1)},
    "KT0021": ("Kita Am Neubaugebiet", "kita", None, 50, 12),
    "SCH-0001": ("Grundschule Burscheid", "schule", "00801", None, None),
    "SCH-0002": ("Gymnasium Bensberg", "schule", "00402", None, None),
    "PF-0001": ("Seniorenzentrum Refrath", "pflegeheim", "00401", 90, None),
}
ARTEN = {"kita": ("Kindertageseinrichtung", "kita"), "schule": ("Schule", "infrastruktur"),
         "pflegeheim": ("Pflegeheim (vollstationär)", "pflege")}
RANG_HINWEIS = {"gesperrt": "Wert gesperrt (Datenschutz), daher am Ende der Rangfolge",
                "fehlt": "Wert nicht geliefert, daher am Ende der Rangfolge",
                "ohne_wohnplatz": "Adresse keinem Wohnplatz zugeordnet, daher am Ende der Rangfolge"}


def berichtsstichtage() -> pd.DataFrame:
    """intermediate.int_planung_berichtsstichtage: one report Stichtag per year."""
    rows = [(s.year, s, f"{s.year}-Q{BERICHTSQUARTAL}") for s in STICHTAGE if (s.month - 1) // 3 + 1 == BERICHTSQUARTAL]
    return pd.DataFrame(rows, columns=["berichtsjahr", "stichtag", "quartal_label"])


def _value(x):
    """None for a missing value of any kind (pandas keeps None, NaN and pd.NA side by side in object columns)."""
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else x


def _treiber(komponenten: pd.DataFrame, gebiet: str, stichtag: date, art: str) -> list[dict]:
    """The status indicators driving a flag: ranked by z of the value (art status) or of the change (dynamik)."""
    rang, z = ("rang_status", "z_status") if art == "status" else ("rang_dynamik", "z_dynamik")
    rows = komponenten[(komponenten["gebiet_id"] == gebiet) & (komponenten["stichtag"] == stichtag)
                       & (komponenten["rolle"] == "status") & (komponenten[rang] <= 3)].sort_values(rang)
    return [{"id": r["indikator_id"], "name": r["indikator_name"], "wert": _value(r["wert"]),
             "aenderung": _value(r["aenderung"]), "z": _value(r[z])} for _, r in rows.iterrows()]


def handlungsraeume(index: pd.DataFrame, komponenten: pd.DataFrame) -> pd.DataFrame:
    """mart_handlungsraeume: the flag of each report year, since when, the drivers, why an area left."""
    rows = []
    for gebiet in WOHNPLAETZE:
        vorher = None
        for _, bericht in berichtsstichtage().iterrows():
            s = index[(index["gebiet_id"] == gebiet) & (index["stichtag"] == bericht["stichtag"])].iloc[0]
            jahr, bedarf = int(bericht["berichtsjahr"]), _value(s["handlungsbedarf"])
            markiert, vorher_markiert = bedarf is True, vorher is not None and vorher["handlungsbedarf"] is True
            art = ("status" if s["status_klasse"] in STATUS_ALLEIN else "dynamik") if markiert else None
            treiber = _treiber(komponenten, gebiet, bericht["stichtag"], art) if markiert else []
            row = {key: _value(s[key]) for key in (
                "gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "einwohner", "status_indexiert",
                "grund_nicht_indexiert", "status_index", "status_klasse", "dynamik_index", "dynamik_klasse",
                "grund_ohne_dynamik", "handlungsbedarf")}
            row |= {
                "berichtsjahr": jahr, "stichtag": bericht["stichtag"],
                "handlungsbedarf_seit": (vorher["handlungsbedarf_seit"] if vorher_markiert else jahr) if markiert else None,
                "berichtsjahre_in_folge": (vorher["berichtsjahre_in_folge"] + 1 if vorher_markiert else 1) if markiert else None,
                "bewegung": ("erstes_berichtsjahr" if vorher is None else "weiterhin" if markiert and vorher_markiert
                             else "neu" if markiert else "verlassen" if vorher_markiert else "nicht_markiert"),
                "treiber_art": art,
                "treiber": "; ".join(f"{t['name']} (z = {t['z']:.2f})" for t in treiber) or None,
                "vorbericht_jahr": vorher["berichtsjahr"] if vorher else None,
                "vorbericht_status_klasse": vorher["status_klasse"] if vorher else None,
                "vorbericht_dynamik_klasse": vorher["dynamik_klasse"] if vorher else None,
                "verlassen_grund": (f"Statusklasse {vorher['status_klasse']} → {s['status_klasse']}"
                                    if not markiert and vorher_markiert else None),
                "verlassen_im_jahr": None if markiert else jahr if vorher_markiert else
                                     vorher["verlassen_im_jahr"] if vorher else None,
            }
            for n in (1, 2, 3):
                t = treiber[n - 1] if len(treiber) >= n else {}
                row |= {f"treiber_{n}_{feld}": t.get(feld) for feld in ("id", "name", "wert", "aenderung", "z")}
            rows.append(row)
            vorher = row
    return pd.DataFrame(rows)


def massnahmen_eintraege() -> pd.DataFrame:
    """intermediate.int_planung_massnahmen_eintraege: the newest register, every entry resolved."""
    rows = []
    for nr, (_, _, _, wohnplaetze, ziele) in MASSNAHMEN.items():
        rows += [(nr, "wohnplatz", i, WOHNPLAETZE[wp][0], wp, "zugeordnet") for i, wp in enumerate(wohnplaetze, 1)]
        rows += [(nr, "zielindikator", i, CATALOGUE[z]["name"], z, "zugeordnet") for i, z in enumerate(ziele, 1)]
    return pd.DataFrame(rows, columns=["massnahme_nr", "bezug", "position", "eintrag", "schluessel", "zuordnung"])


def _cell(long: pd.DataFrame, ebene: str, gebiet: str, stichtag, indikator_id: str) -> dict:
    row = long[(long["ebene"] == ebene) & (long["gebiet_id"] == gebiet) & (long["stichtag"] == stichtag)
               & (long["indikator_id"] == indikator_id)]
    return {} if row.empty else {k: _value(v) for k, v in row.iloc[0].items()}


def _pooled(long: pd.DataFrame, hr: pd.DataFrame, nr: str, iid: str, ausgang: date, ende: date) -> tuple:
    """Comparison group of a measure: current Wohnplätze outside it, unflagged in the window, published at both ends."""
    if CATALOGUE[iid]["einheit"] == "Anzahl":
        return 0, None, None
    flagged = set(hr[(hr["handlungsbedarf"] == True) & hr["berichtsjahr"].between(ausgang.year, ende.year)]  # noqa: E712
                  ["gebiet_id"])
    cells = [(_cell(long, "wohnplatz", wp, ausgang, iid), _cell(long, "wohnplatz", wp, ende, iid))
             for wp in WOHNPLAETZE if wp not in MASSNAHMEN[nr][3] and wp not in flagged]
    cells = [(a, e) for a, e in cells if all(c.get("zaehler") is not None and (c.get("nenner") or 0) > 0 for c in (a, e))]
    if not cells:
        return 0, None, None
    faktor = CATALOGUE[iid]["faktor"]
    return (len(cells), sum(a["zaehler"] for a, _ in cells) / sum(a["nenner"] for a, _ in cells) * faktor,
            sum(e["zaehler"] for _, e in cells) / sum(e["nenner"] for _, e in cells) * faktor)


def _minus(a, b):
    return None if a is None or b is None else a - b


def massnahmen(long: pd.DataFrame, hr: pd.DataFrame) -> pd.DataFrame:
    """mart_massnahmen: each measure, Wohnplatz and target indicator with its difference of differences."""
    faellig = long[long["ebene"].isin(["wohnplatz", "kreis"])]
    veroeffentlicht = long[(long["ebene"] == "wohnplatz") & long["wert"].notna()]
    neuestes = hr[hr["berichtsjahr"] == hr["berichtsjahr"].max()].set_index("gebiet_id")
    gebiet_name, _ = _names()
    rows = []
    for nr, (titel, beginn, ende, wohnplaetze, ziele) in MASSNAHMEN.items():
        for wp in wohnplaetze:
            for iid in ziele:
                kat = CATALOGUE[iid]
                vorjahr = faellig[(faellig["indikator_id"] == iid)
                                  & faellig["stichtag"].map(lambda s: s.year == beginn.year - 1)]["stichtag"]
                ausgang = vorjahr.max() if len(vorjahr) else None
                endstichtag = veroeffentlicht[veroeffentlicht["indikator_id"] == iid]["stichtag"].max()
                a, e = _cell(long, "wohnplatz", wp, ausgang, iid), _cell(long, "wohnplatz", wp, endstichtag, iid)
                ka, ke = _cell(long, "kreis", KREIS, ausgang, iid), _cell(long, "kreis", KREIS, endstichtag, iid)
                n, va, ve = _pooled(long, hr, nr, iid, ausgang, endstichtag) if ausgang else (0, None, None)
                vw, vk, vv = _minus(e.get("wert"), a.get("wert")), _minus(ke.get("wert"), ka.get("wert")), _minus(ve, va)
                dd = _minus(vw, vv)
                einordnung = (None if dd is None else "ohne Wertung (Indikator ohne Richtung)"
                              if kat["polaritaet"] == "neutral" else "gleich wie in den Vergleichsgebieten"
                              if dd == 0 else "günstiger als in den Vergleichsgebieten"
                              if (kat["polaritaet"] == "negativ") == (dd < 0) else "ungünstiger als in den Vergleichsgebieten")
                hinweise = ["Beschreibender Vergleich (Differenz der Differenzen), keine Wirkungsmessung."]
                if ausgang is None:
                    hinweise.append("Kein Wert im Jahr vor dem Beginn.")
                elif a.get("wert") is None:
                    hinweise.append(f"Ausgangswert {a.get('status') or 'fehlt'}.")
                if e.get("wert") is None:
                    hinweise.append(f"Endwert {e.get('status') or 'fehlt'}.")
                if a.get("status") == "geschaetzt":
                    hinweise.append("Ausgangswert geschätzt (auf die heutigen Wohnplätze umgerechnet).")
                if kat["einheit"] == "Anzahl":
                    hinweise.append("Anzahl: kein Vergleich mit Vergleichsgebieten.")
                elif ausgang is not None and n == 0:
                    hinweise.append("Keine Vergleichsgebiete mit veröffentlichten Werten.")
                aktuell = neuestes.loc[wp]
                rows.append({
                    "massnahme_nr": nr, "titel": titel, "traeger": "Träger " + nr, "zielgruppe": "Zielgruppe " + nr,
                    "beginn": beginn, "ende": ende, "laufend": ende is None, "register_stand": REGISTER_STAND,
                    "wohnplatz_id": wp, "wohnplatz_name": gebiet_name[wp], "kommune_ags": WOHNPLAETZE[wp][1],
                    "kommune_name": KOMMUNEN[WOHNPLAETZE[wp][1]], "wohnplatz_eintrag": WOHNPLAETZE[wp][0],
                    "indikator_id": iid, "indikator_name": kat["name"], "indikator_eintrag": kat["name"],
                    "einheit": kat["einheit"], "polaritaet": kat["polaritaet"],
                    "ausgangsstichtag": ausgang, "endstichtag": endstichtag,
                    "wert_ausgang": a.get("wert"), "status_ausgang": a.get("status"),
                    "wert_ende": e.get("wert"), "status_ende": e.get("status"), "veraenderung_wohnplatz": vw,
                    "kreis_wert_ausgang": ka.get("wert"), "kreis_wert_ende": ke.get("wert"), "veraenderung_kreis": vk,
                    "vergleich_wohnplaetze": n, "vergleich_wert_ausgang": va, "vergleich_wert_ende": ve,
                    "veraenderung_vergleich": vv, "differenz_der_differenzen_kreis": _minus(vw, vk),
                    "differenz_der_differenzen_vergleich": dd, "einordnung": einordnung,
                    "handlungsraum_berichtsjahr": int(aktuell["berichtsjahr"]),
                    "handlungsraum": _value(aktuell["handlungsbedarf"]),
                    "handlungsbedarf_seit": _value(aktuell["handlungsbedarf_seit"]), "hinweis": " ".join(hinweise),
                })
    return pd.DataFrame(rows)


def einrichtungen(liste: dict | None = None) -> pd.DataFrame:
    """intermediate.int_planung_einrichtungen: the facilities with their Wohnplatz (None: address not assigned)."""
    rows = []
    for eid, (name, art, wp, plaetze, u3) in (liste or EINRICHTUNGEN).items():
        bezeichnung, quelle = ARTEN[art]
        rows.append({
            "einrichtung_id": eid, "einrichtung_name": name, "art": art, "art_bezeichnung": bezeichnung,
            "quelle": quelle, "stand": date(2021, 3, 31) if art == "kita" else date(2020, 12, 31),
            "strasse": None if art == "schule" else "Hauptstraße", "hausnummer": None if art == "schule" else str(len(rows) + 1),
            "ort": None if art == "schule" else "Bergisch Gladbach", "plaetze": plaetze,
            "plaetze_u3": u3 if art == "kita" else None, "plaetze_ue3": plaetze - u3 if art == "kita" else None,
            "wohnplatz_id": wp, "wohnplatz_name": WOHNPLAETZE[wp][0] if wp else None,
            "kommune_ags": WOHNPLAETZE[wp][1] if wp else None,
            "zuordnung": "zugeordnet" if wp else "strasse_unbekannt",
        })
    return pd.DataFrame(rows)


def priorisierung(long: pd.DataFrame, index: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """mart_priorisierung: every facility ranked by every indicator of its Wohnplatz (1 = highest need)."""
    veroeffentlicht = long[(long["ebene"] == "wohnplatz") & long["wert"].notna()]
    index_stichtag = index[index["status_indexiert"]]["stichtag"].max()
    flag = index[index["stichtag"] == index_stichtag].set_index("gebiet_id")["handlungsbedarf"]
    rows = []
    for iid, kat in CATALOGUE.items():
        stichtag = veroeffentlicht[veroeffentlicht["indikator_id"] == iid]["stichtag"].max()
        for _, f in facilities.iterrows():
            cell = _cell(long, "wohnplatz", f["wohnplatz_id"], stichtag, iid) if f["wohnplatz_id"] else {}
            status = "ohne_wohnplatz" if not f["wohnplatz_id"] else cell.get("status") or "fehlt"
            rows.append({**f.to_dict(), "kommune_name": KOMMUNEN.get(f["kommune_ags"]), "indikator_id": iid,
                         "indikator_name": kat["name"], "thema": kat["thema"], "einheit": kat["einheit"],
                         "polaritaet": kat["polaritaet"], "stichtag": stichtag, "wert": cell.get("wert"),
                         "status": status, "status_grund": cell.get("status_grund"), "rang_hinweis": RANG_HINWEIS.get(status),
                         "handlungsraum": _value(flag.get(f["wohnplatz_id"])) if f["wohnplatz_id"] else None,
                         "handlungsraum_stichtag": index_stichtag})
    mart = pd.DataFrame(rows)
    bedarf = mart["wert"].astype(float) * mart["polaritaet"].map({"positiv": -1}).fillna(1)
    gruppe = mart.groupby(["art", "indikator_id"])
    mart["einrichtungen_mit_wert"] = gruppe["wert"].transform("count")
    mart["einrichtungen_gesamt"] = gruppe["wert"].transform("size")
    # SQL rank(): equal need shares a rank; facilities without a value share the last one
    mart["rang"] = bedarf.groupby([mart["art"], mart["indikator_id"]]).rank(method="min", ascending=False)
    mart["rang"] = mart["rang"].fillna(mart["einrichtungen_mit_wert"] + 1).astype(int)
    mart["quintil"] = (1 + np.floor(5.0 * (mart["rang"] - 1) / mart["einrichtungen_mit_wert"])).where(mart["wert"].notna())
    return mart


def dims() -> dict[str, pd.DataFrame]:
    stichtag = pd.DataFrame({
        "stichtag": STICHTAGE,
        "jahr": [s.year for s in STICHTAGE],
        "quartal": [(s.month - 1) // 3 + 1 for s in STICHTAGE],
        "quartal_label": [f"{s.year}-Q{(s.month - 1) // 3 + 1}" for s in STICHTAGE],
        "ist_jahresende": [s.month == 12 for s in STICHTAGE],
        "schuljahr_ende": [s.month == 6 for s in STICHTAGE],
        "gebietsstand": [date(2015, 1, 1) if s < REFORM else REFORM for s in STICHTAGE],
    })
    kommune = pd.DataFrame({"ags": list(KOMMUNEN), "name": list(KOMMUNEN.values()), "art": "Stadt",
                            "kreis_schluessel": KREIS})
    wohnplatz = pd.DataFrame(
        [(f"{wp}@2021-01-01", wp, name, ags, REFORM, REFORM, None, True) for wp, (name, ags, _) in WOHNPLAETZE.items()]
        + [(f"{wp}@2015-01-01", wp, name, ags, date(2015, 1, 1), date(2015, 1, 1), date(2020, 12, 31), False)
           for wp, (name, ags) in OLD_WOHNPLAETZE.items()],
        columns=["wohnplatz_sk", "wohnplatz_id", "name", "ags", "gebietsstand", "gueltig_von", "gueltig_bis",
                 "ist_aktuell"])
    wohnplatz["flaeche_km2"] = 3.5
    return {"dim_stichtag": stichtag, "dim_kommune": kommune, "dim_wohnplatz": wohnplatz,
            "dim_indikator": pd.DataFrame(INDIKATOREN, columns=INDIKATOR_COLUMNS)}


# column types of the planning marts that pandas cannot tell (all-NULL columns, whole numbers with gaps)
PLANUNG_DATES = ("beginn", "ende", "register_stand", "ausgangsstichtag", "endstichtag", "handlungsraum_stichtag", "stand")
PLANUNG_INTEGERS = ("berichtsjahr", "handlungsbedarf_seit", "berichtsjahre_in_folge", "vorbericht_jahr",
                    "verlassen_im_jahr", "handlungsraum_berichtsjahr", "vergleich_wohnplaetze", "rang",
                    "einrichtungen_mit_wert", "einrichtungen_gesamt", "rang_status", "rang_dynamik", "position")
PLANUNG_TEXTS = ("treiber", "treiber_art", "verlassen_grund", "rang_hinweis", "strasse", "hausnummer", "ort",
                 "wohnplatz_id", "wohnplatz_name", "einordnung", "status_ausgang", "status_ende", "hinweis",
                 "treiber_1_id", "treiber_2_id", "treiber_3_id", "treiber_1_name", "treiber_2_name", "treiber_3_name",
                 "kommune_name")


def _sql_types(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """pandas leaves all-NULL columns untyped and dates as objects; give them the interface's types."""
    for name, sql_type in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, table]).fetchall():
        wanted = None
        if name in ("stichtag", "gebietsstand", "gueltig_von", "gueltig_bis", *PLANUNG_DATES):
            wanted = "DATE"
        elif name in ("bezugsquartal", "quintil", "plaetze", "plaetze_u3", "plaetze_ue3"):
            wanted = "INTEGER"
        elif name in PLANUNG_INTEGERS:
            wanted = "BIGINT"
        elif (name.endswith(("_status", "_klasse")) and name != "z_status") or name.startswith("grund_") or name in (
                "status", "status_grund", "lieferung_ids", "wert_status", "vorwert_status", "kommune_ags",
                *PLANUNG_TEXTS):
            wanted = "VARCHAR"
        elif name in ("handlungsbedarf", "status_indexiert", "dynamik_indexiert", "handlungsraum", "laufend"):
            wanted = "BOOLEAN"
        elif sql_type in ("INTEGER", "BIGINT") and name not in ("jahr", "quartal", "faktor", "mindestnenner",
                                                                 "reihenfolge", "richtung", "gebiete_im_statusindex",
                                                                 "gebiete_im_dynamikindex"):
            wanted = "DOUBLE"
        if wanted and wanted != sql_type:
            con.execute(f'ALTER TABLE {schema}.{table} ALTER "{name}" TYPE {wanted}')


def add_to_zaehler(fct: pd.DataFrame, indikator_id: str, stichtag: date, wohnplatz: str, delta: float) -> pd.DataFrame:
    """A genuine change in the data: the Wohnplatz, its municipality and the district move together."""
    fct = fct.copy()
    gebiete = {wohnplatz, WOHNPLAETZE[wohnplatz][1], KREIS}
    rows = (fct["indikator_id"] == indikator_id) & (fct["stichtag"] == stichtag) & fct["gebiet_id"].isin(gebiete)
    fct.loc[rows, "zaehler"] += delta
    fct.loc[rows, "wert"] = [_wert(z, n, indikator_id) for z, n in zip(fct.loc[rows, "zaehler"], fct.loc[rows, "nenner"])]
    return fct


def build_warehouse(path: Path, adjust=None, facilities: dict | None = None) -> Path:
    """The fixture file; `adjust(fct) -> fct` changes the facts before every mart is derived from them,
    `facilities` replaces the facility list (EINRICHTUNGEN) of the priority lists."""
    fct = fct_indikator()
    if adjust is not None:
        fct = adjust(fct)
    long = mart_indikatoren(fct)
    index, komponenten = sozialindex(long, fct)
    hr = handlungsraeume(index, komponenten)
    facility_rows = einrichtungen(facilities)
    tables = {
        "core": {**dims(), "fct_indikator": fct},
        "intermediate": {
            "int_planung_berichtsstichtage": berichtsstichtage(),
            "int_planung_massnahmen_eintraege": massnahmen_eintraege(),
            "int_planung_einrichtungen": facility_rows,
        },
        "marts": {
            "mart_indikatoren": long,
            "mart_sozialmonitoring": mart_sozialmonitoring(long),
            "mart_pflege": mart_pflege(long),
            "mart_jugendhilfe": mart_jugendhilfe(long),
            "mart_sozialindex": index,
            "mart_sozialindex_komponenten": komponenten,
            "mart_handlungsraeume": hr,
            "mart_massnahmen": massnahmen(long, hr),
            "mart_priorisierung": priorisierung(long, index, facility_rows),
        },
    }
    con = duckdb.connect(str(path))
    try:
        for schema, frames in tables.items():
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            for name, frame in frames.items():
                con.register("frame", frame)
                con.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM frame")
                con.unregister("frame")
                _sql_types(con, schema, name)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("quality") / "warehouse.duckdb")


def _query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _columns(db: Path, table: str) -> list[str]:
    return [r[0] for r in _query(db, "SELECT column_name FROM information_schema.columns "
                                     f"WHERE table_name = '{table}' ORDER BY ordinal_position")]


def test_fixture_marts_have_the_columns_of_the_interface_and_the_models(fixture_db: Path) -> None:
    assert {"ebene", "gebiet_id", "stichtag", "indikator_id", "zaehler", "nenner", "wert", "status",
            "status_grund", "lieferung_ids", "gebiet_name", "kommune_ags", "kommune_name", "thema",
            "indikator_name", "einheit"} <= set(_columns(fixture_db, "mart_indikatoren"))
    for table in ("mart_sozialmonitoring", "mart_pflege", "mart_jugendhilfe"):
        assert _columns(fixture_db, table)[:6] == KEY_COLUMNS
    assert {"sgb2_quote", "sgb2_quote_status"} <= set(_columns(fixture_db, "mart_sozialmonitoring"))
    assert {"einwohner_80plus", "anteil_80plus_veraenderung_2j", "anteil_80plus_status"} <= set(
        _columns(fixture_db, "mart_pflege"))
    assert {"kinder_0_2", "kinder_0_2_status", "hze_faelle", "hze_quote_status"} <= set(
        _columns(fixture_db, "mart_jugendhilfe"))
    assert {"status_index", "status_klasse", "kinderarmut_z", "handlungsbedarf"} <= set(
        _columns(fixture_db, "mart_sozialindex"))


def test_fixture_parts_add_up_and_suppression_is_applied(fixture_db: Path) -> None:
    unequal = _query(fixture_db, """
        SELECT k.gebiet_id, k.stichtag, k.indikator_id FROM core.fct_indikator k
        JOIN core.fct_indikator w ON w.ebene = 'wohnplatz' AND left(w.gebiet_id, 3) = right(k.gebiet_id, 3)
             AND w.stichtag = k.stichtag AND w.indikator_id = k.indikator_id
        WHERE k.ebene = 'kommune' GROUP BY ALL HAVING any_value(k.zaehler) <> sum(w.zaehler)""")
    assert unequal == []
    reasons = dict(_query(fixture_db, "SELECT status_grund, count(*) FROM marts.mart_indikatoren "
                                      "WHERE status = 'gesperrt' GROUP BY ALL"))
    assert set(reasons) == {"fallzahl_1_2", "nenner_unter_mindestnenner", "sekundaersperrung"}
    assert _query(fixture_db, "SELECT count(*) FROM marts.mart_indikatoren WHERE zaehler > 0 AND zaehler < 3 "
                              "AND indikator_id <> 'wanderungssaldo'") == [(0,)]
    assert _query(fixture_db, "SELECT count(*) FROM marts.mart_jugendhilfe WHERE junge_volljaehrige_18_20_status "
                              "= 'gesperrt'")[0][0] > 0
    indexed = _query(fixture_db, "SELECT count(*) FILTER (WHERE status_indexiert), count(*) FILTER "
                                 "(WHERE dynamik_indexiert) FROM marts.mart_sozialindex")[0]
    assert indexed[0] > 0 and indexed[1] > 0


PLANNING_MARTS = ["mart_sozialindex_komponenten", "mart_handlungsraeume", "mart_massnahmen", "mart_priorisierung"]


@pytest.mark.parametrize("mart", PLANNING_MARTS)
def test_fixture_planning_marts_have_the_columns_of_the_models(fixture_db: Path, mart: str) -> None:
    import yaml

    from orchestration.settings import get_settings

    document = yaml.safe_load((get_settings().dbt_project_dir / "models" / "marts" / f"{mart}.yml").read_text())
    model = next(m for m in document["models"] if m["name"] == mart)
    assert set(_columns(fixture_db, mart)) == {c["name"] for c in model["columns"]}


def test_fixture_planning_marts_hold_the_cases_the_suites_judge(fixture_db: Path) -> None:
    assert {r[0] for r in _query(fixture_db, "SELECT DISTINCT treiber_art FROM marts.mart_handlungsraeume "
                                             "WHERE treiber_art IS NOT NULL")} == {"status", "dynamik"}
    assert {"erstes_berichtsjahr", "neu", "weiterhin", "nicht_markiert"} <= {
        r[0] for r in _query(fixture_db, "SELECT DISTINCT bewegung FROM marts.mart_handlungsraeume")}
    assert _query(fixture_db, "SELECT count(*) FROM marts.mart_sozialindex_komponenten "
                              "WHERE vorwert_status = 'gesperrt'")[0][0] > 0
    assert {"ok", "gesperrt", "ohne_wohnplatz"} <= {
        r[0] for r in _query(fixture_db, "SELECT DISTINCT status FROM marts.mart_priorisierung")}
    assert {("gesperrt", "kita_versorgung_u3"), ("fehlt", "kita_versorgung_u3")} <= set(_query(fixture_db, """
        SELECT status_ende, indikator_id FROM marts.mart_massnahmen UNION SELECT status_ausgang, indikator_id
        FROM marts.mart_massnahmen"""))
    # a count, a measure without baseline and comparison groups with published values
    assert _query(fixture_db, "SELECT count(*) FILTER (WHERE einheit = 'Anzahl'), count(*) FILTER (WHERE "
                              "ausgangsstichtag IS NULL), max(vergleich_wohnplaetze) FROM marts.mart_massnahmen") \
        == [(2, 1, 3)]

