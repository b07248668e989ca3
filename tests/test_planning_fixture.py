"""A small published file for the planning tests (digest, Steckbrief, priority list), and its shape checks.

Two municipalities with three Wohnplätze each, quarterly Stichtage 2023-Q1 .. 2025-Q4, every indicator of
the catalogue (read from the dbt seed, the single source of truth) at the Stichtage its cadence is due,
municipality and district values, the Sozialindex, the facility ranking and the measures register.
Table and column names are those of the published file (see the dbt YAMLs under
dbt_project/models/marts/ and models/core/, and orchestration/publish/publication.py); the tests at the
end of this module hold the fixture to them, so it cannot drift from the real publication unnoticed.

Values are deterministic (seeded per area and indicator) and move by less than a fifth of each
indicator's plausibility bound per observation, so that a previous and a later publication built here
agree on every shared cell and no change is reported unless a test makes one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from orchestration.publish.publication import DATENQUALITAET_COLUMNS, PUBLIKATION_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "dbt_project" / "seeds"
MODELS = ROOT / "dbt_project" / "models"

KREIS = ("05378", "Rheinisch-Bergischer Kreis")
KOMMUNEN = [("05378008", "Burscheid"), ("05378012", "Kürten")]
# (id, name, ags, inhabitants)
WOHNPLAETZE = [
    ("00801", "Zentrum Nord", "05378008", 5200),
    ("00802", "Zentrum Süd", "05378008", 2900),
    ("00803", "Hilgen", "05378008", 4500),
    ("01201", "Kürten-Mitte", "05378012", 3800),
    ("01202", "Bechen", "05378012", 2600),
    ("01203", "Dürscheid", "05378012", 260),
]
KLEINER_WOHNPLATZ = "01203"  # too small: its rates are suppressed, it is not indexed
# Base Sozialindex per Wohnplatz: (status class, dynamics class, need for action)
INDEX_PLAN = {
    "00801": ("sehr niedrig", "stabil", True),
    "00802": ("mittel", "stabil", False),
    "00803": ("mittel", "positiv", False),
    "01201": ("mittel", "negativ", True),
    "01202": ("hoch", "stabil", False),
    "01203": (None, None, None),
}
STATUS_INDEX = {"hoch": -1.3, "mittel": 0.2, "niedrig": 1.2, "sehr niedrig": 2.1}
INDEX_STATUS = ["arbeitslosenanteil", "sgb2_quote", "kinderarmut"]
INDEX_KONTEXT = ["alleinerziehende_bg", "langzeitarbeitslose", "grundsicherung_alter", "ersatzquote", "anteil_55_64"]
# Suppressed in every quarter (stable, so no change is reported): (Wohnplatz, indicator) -> reason
GESPERRT = {("00803", "hilfe_zur_pflege"): "fallzahl_1_2"}
KLEIN_GESPERRT = ["sgb2_quote", "kinderarmut", "alleinerziehende_bg", "seu_uebergewicht", "seu_sprachfoerderbedarf",
                  "seu_masern", "seu_frueherkennung", "kita_karies", "hze_quote", "arbeitslosenanteil",
                  "langzeitarbeitslose", "hilfe_zur_pflege", "grundsicherung_alter"]
HOCH_GUT = {"seu_masern", "seu_frueherkennung", "nahversorgung_500m", "oepnv_300m", "kita_versorgung_ue3"}
# Facilities: (id, name, kind, Wohnplatz, places)
EINRICHTUNGEN = [
    ("K01", "Kita Sonnenschein", "kita", "00801", 75),
    ("K02", "Kita Regenbogen", "kita", "00801", 60),
    ("K03", "Familienzentrum Hilgen", "kita", "00803", 90),
    ("K04", "Kita Am Markt", "kita", "00802", 45),
    ("K05", "Kita Kürten-Mitte", "kita", "01201", 80),
    ("K06", "Kita Bechen", "kita", "01202", 55),
    ("K07", "Waldkita Dürscheid", "kita", "01203", 20),
    ("K08", "Kita Löwenzahn", "kita", "01201", 40),
    ("S01", "Grundschule Burscheid", "schule", "00802", 240),
    ("S02", "Grundschule Bechen", "schule", "01202", 180),
    ("P01", "Seniorenzentrum Hilgen", "pflegeheim", "00803", 80),
]
FIRST_STICHTAG = dt.date(2023, 3, 31)


def quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    days, year, q = [], first.year, (first.month - 1) // 3 + 1
    while True:
        day = dt.date(year, 3 * q, 31 if q in (1, 4) else 30)
        if day > last:
            return days
        days.append(day)
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)


def catalogue() -> pd.DataFrame:
    frame = pd.read_csv(SEEDS / "indikatoren.csv", dtype={"bezugsquartal": "Int64"}, keep_default_na=False,
                        na_values={"bezugsquartal": [""], "max_aenderung": [""]})
    frame["im_index"] = frame["im_index"].replace("", None)
    frame["kontext"] = frame["kontext"].astype(str).str.lower() == "true"
    return frame


def sources() -> pd.DataFrame:
    return pd.read_csv(SEEDS / "quellen.csv", dtype={"bezugsquartal": "Int64", "lieferfrist_tage": "Int64"})


def due(row, day: dt.date) -> bool:
    quarter = (day.month - 1) // 3 + 1
    return row.turnus == "quartal" or (not pd.isna(row.bezugsquartal) and quarter == int(row.bezugsquartal))


def lieferung_id(quelle: str, day: dt.date, teil: str = "") -> str:
    return hashlib.sha256(f"{quelle}|{day}|{teil}".encode()).hexdigest()


def _series(area: str, ind, days: list[dt.date], inhabitants: int) -> list[tuple[float, float | None]]:
    """(value, denominator) per due Stichtag: a smooth random walk well inside the plausibility bound."""
    rng = random.Random(f"{area}|{ind.indikator_id}")
    step = 0.15 * float(ind.max_aenderung)
    if ind.einheit == "Anzahl":
        return [(float(inhabitants + i * rng.randint(-3, 3)), None) for i, _ in enumerate(days)]
    low, high = (70.0, 97.0) if ind.indikator_id in HOCH_GUT else {
        "%": (3.0, 35.0), "je 100": (5.0, 60.0), "je 1.000": (10.0, 60.0), "je 10.000": (2.0, 9.0)}[ind.einheit]
    value, denominator, out = rng.uniform(low, high), max(30, int(inhabitants * rng.uniform(0.15, 0.9))), []
    for _ in days:
        out.append((value, float(denominator)))
        value = min(high, max(low, value + rng.uniform(-step, step)))
    return out


def indicator_rows(days: list[dt.date]) -> pd.DataFrame:
    """mart_indikatoren for every area level, with the fixture's stable suppressions."""
    kat, names = catalogue(), {a: n for a, n in KOMMUNEN}
    rows = []
    for ind in kat.itertuples():
        due_days = [d for d in days if due(ind, d)]
        if not due_days:
            continue
        per_area = {w[0]: _series(w[0], ind, due_days, w[3]) for w in WOHNPLAETZE}
        for i, day in enumerate(due_days):
            ids = (",".join(lieferung_id(ind.quelle, day, a) for a, _ in KOMMUNEN) if ind.quelle == "melderegister"
                   else lieferung_id(ind.quelle, day))
            base = dict(stichtag=day, indikator_id=ind.indikator_id, indikator_name=ind.name, thema=ind.thema,
                        einheit=ind.einheit, lieferung_ids=ids)
            totals: dict[str, list[float]] = {}
            for wid, wname, ags, _ in WOHNPLAETZE:
                value, denominator = per_area[wid][i]
                numerator = value if denominator is None else value * denominator / ind.faktor
                for key in (ags, KREIS[0]):
                    acc = totals.setdefault(key, [0.0, 0.0])
                    acc[0] += numerator
                    acc[1] += denominator or 0.0
                reason = GESPERRT.get((wid, ind.indikator_id)) or (
                    "nenner_unter_mindestnenner" if wid == KLEINER_WOHNPLATZ and ind.indikator_id in KLEIN_GESPERRT else None)
                cell = dict(zaehler=None, nenner=None, wert=None, status="gesperrt", status_grund=reason) if reason else \
                    dict(zaehler=numerator, nenner=denominator, wert=value, status="ok", status_grund=None)
                rows.append({**base, "ebene": "wohnplatz", "gebiet_id": wid, "gebiet_name": wname, "kommune_ags": ags,
                             "kommune_name": names[ags], **cell})
            for key, (numerator, denominator) in totals.items():
                kreis = key == KREIS[0]
                value = numerator if ind.einheit == "Anzahl" else numerator / denominator * ind.faktor
                rows.append({**base, "ebene": "kreis" if kreis else "kommune", "gebiet_id": key,
                             "gebiet_name": KREIS[1] if kreis else names[key], "kommune_ags": None if kreis else key,
                             "kommune_name": None if kreis else names[key], "zaehler": numerator,
                             "nenner": None if ind.einheit == "Anzahl" else denominator, "wert": value,
                             "status": "ok", "status_grund": None})
    columns = ["ebene", "gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag", "indikator_id",
               "indikator_name", "thema", "einheit", "zaehler", "nenner", "wert", "status", "status_grund",
               "lieferung_ids"]
    return pd.DataFrame(rows, columns=columns)


def sozialindex_columns() -> list[str]:
    cols = ["gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag", "einwohner", "status_indexiert",
            "grund_nicht_indexiert"]
    for ind in INDEX_STATUS + INDEX_KONTEXT:
        cols += [ind, f"{ind}_aenderung", f"{ind}_z", f"{ind}_z_dynamik"]
    return cols + ["status_summe", "status_index", "status_klasse", "dynamik_indexiert", "grund_ohne_dynamik",
                   "dynamik_summe", "dynamik_index", "dynamik_klasse", "handlungsbedarf", "gebiete_im_statusindex",
                   "gebiete_im_dynamikindex"]


def sozialindex_rows(indicators: pd.DataFrame, days: list[dt.date]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """mart_sozialindex (wide) and mart_sozialindex_komponenten (long) after INDEX_PLAN."""
    wp = indicators[indicators.ebene == "wohnplatz"].set_index(["gebiet_id", "stichtag", "indikator_id"])
    kat = catalogue().set_index("indikator_id")
    wide, long = [], []
    for wid, wname, ags, _ in WOHNPLAETZE:
        klasse, dynamik, flag = INDEX_PLAN[wid]
        rng = random.Random(f"index|{wid}")
        for day in days:
            indexed = klasse is not None
            row = {c: None for c in sozialindex_columns()}
            row.update(gebiet_id=wid, gebiet_name=wname, kommune_ags=ags, kommune_name=dict(KOMMUNEN)[ags],
                       stichtag=day, einwohner=wp.loc[(wid, day, "einwohner"), "wert"], status_indexiert=indexed,
                       grund_nicht_indexiert=None if indexed else "weniger als 300 Einwohner",
                       status_klasse=klasse, dynamik_klasse=dynamik, dynamik_indexiert=indexed, handlungsbedarf=flag,
                       grund_ohne_dynamik=None if indexed else "nicht im Statusindex",
                       gebiete_im_statusindex=5, gebiete_im_dynamikindex=5)
            if indexed:
                row["status_index"] = STATUS_INDEX[klasse] + rng.uniform(-0.05, 0.05)
                row["dynamik_index"] = {"positiv": -1.4, "stabil": 0.1, "negativ": 1.3}[dynamik]
            for role, ids in (("status", INDEX_STATUS), ("kontext", INDEX_KONTEXT)):
                zs = []
                for ind in ids:
                    key = (wid, day, ind)
                    value = wp.loc[key, "wert"] if key in wp.index else None
                    z = (row["status_index"] or 0) + rng.uniform(-0.8, 0.8) if indexed and value is not None else None
                    row[ind], row[f"{ind}_z"] = value, z
                    zs.append((ind, value, z, wp.loc[key, "status"] if key in wp.index else None))
                ranked = sorted([t for t in zs if t[2] is not None], key=lambda t: (-t[2], t[0]))
                ranks = {t[0]: n for n, t in enumerate(ranked, 1)}
                for ind, value, z, status in zs:
                    long.append(dict(gebiet_id=wid, gebiet_name=wname, kommune_ags=ags,
                                     kommune_name=dict(KOMMUNEN)[ags], stichtag=day, indikator_id=ind,
                                     indikator_name=kat.loc[ind, "name"], rolle=role,
                                     polaritaet=kat.loc[ind, "polaritaet"], richtung=1, wert=value,
                                     wert_status=status, aenderung=None, vorwert_status=None,
                                     status_indexiert=indexed, dynamik_indexiert=indexed,
                                     grund_nicht_indexiert=row["grund_nicht_indexiert"],
                                     grund_ohne_dynamik=row["grund_ohne_dynamik"], z_status=z, z_dynamik=None,
                                     rang_status=ranks.get(ind), rang_dynamik=None, einwohner=row["einwohner"]))
            row["status_summe"] = row["status_index"]
            wide.append(row)
    return pd.DataFrame(wide, columns=sozialindex_columns()), pd.DataFrame(long)


def priorisierung_rows(indicators: pd.DataFrame, index: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """mart_priorisierung as the planning colleague publishes it: facility x indicator at the newest Stichtag."""
    latest = indicators[(indicators.ebene == "wohnplatz") & (indicators.stichtag == day)].set_index(
        ["gebiet_id", "indikator_id"])
    flags = index[index.stichtag == day].set_index("gebiet_id")["handlungsbedarf"]
    names = {w[0]: (w[1], dict(KOMMUNEN)[w[2]]) for w in WOHNPLAETZE}
    rows = []
    for ind in ("sgb2_quote", "kinderarmut"):
        for fid, fname, kind, wid, places in EINRICHTUNGEN:
            cell = latest.loc[(wid, ind)]
            rows.append(dict(einrichtung_id=fid, einrichtung_name=fname, einrichtung_art=kind, plaetze=places,
                             wohnplatz_id=wid, wohnplatz_name=names[wid][0], kommune_name=names[wid][1],
                             stichtag=day, indikator_id=ind, indikator_name=cell.indikator_name, wert=cell.wert,
                             status=cell.status, handlungsraum=flags.get(wid)))
    frame = pd.DataFrame(rows)
    con = duckdb.connect()
    con.register("p", frame)
    # rank 1 = highest value (both indicators are 'negativ'); suppressed values get no rank and no quintile
    ranked = con.execute("""
        SELECT * EXCLUDE (rang, quintil), rang, quintil FROM (
          SELECT p.*, CASE WHEN wert IS NOT NULL THEN rank() OVER (PARTITION BY einrichtung_art, indikator_id,
                   wert IS NULL ORDER BY wert DESC) END AS rang,
                 CASE WHEN wert IS NOT NULL THEN ntile(5) OVER (PARTITION BY einrichtung_art, indikator_id,
                   wert IS NULL ORDER BY wert DESC) END AS quintil
          FROM p) ORDER BY einrichtung_art, indikator_id, rang NULLS LAST, einrichtung_name""").df()
    con.close()
    return ranked


def massnahmen_rows() -> pd.DataFrame:
    return pd.DataFrame([
        dict(massnahme_nr="M001", titel="Niedrigschwelliger Treffpunkt (Büdchen)", traeger="Diakonie",
             wohnplatz_id="00801", zielgruppe="Erwachsene im Leistungsbezug", zielindikatoren="sgb2_quote;kinderarmut",
             beginn=dt.date(2019, 3, 1), ende=None, laufend=True),
        dict(massnahme_nr="M002", titel="Jugendberufsagentur", traeger="Jobcenter Rhein-Berg",
             wohnplatz_id="00801", zielgruppe="Jugendliche 15–24", zielindikatoren="arbeitslosenanteil",
             beginn=dt.date(2020, 9, 1), ende=dt.date(2024, 8, 1), laufend=False),
        dict(massnahme_nr="M003", titel="Familienbüro Kürten", traeger="Caritas", wohnplatz_id="01201",
             zielgruppe="Familien", zielindikatoren="kinderarmut", beginn=dt.date(2022, 1, 1), ende=None, laufend=True),
    ])


def publikation_row(publikation_id: str, veroeffentlicht_am: dt.datetime, stichtag: dt.date) -> dict:
    q = f"{stichtag.year}-Q{(stichtag.month - 1) // 3 + 1}"
    return dict(publikation_id=publikation_id, veroeffentlicht_am=veroeffentlicht_am, stichtag=stichtag, quartal=q,
                fenster_von=q, fenster_bis=q, lauf_id=publikation_id, code_version="test", pruefungen=40,
                pruefungen_bestanden=39, warnungen=1, pruefungen_zusammenfassung=json.dumps({"bestanden": 39}),
                lieferungen=json.dumps([]))


def quality_rows(publikation_id: str) -> pd.DataFrame:
    rows = [dict(publikation_id=publikation_id, ebene="gx", quelle=None, objekt="marts/mart_indikatoren",
                 pruefung="expect_column_values_to_not_be_null", schweregrad="error", status="bestanden",
                 beschreibung="Pflichtspalten gefüllt", details=None)]
    for quelle in ("melderegister", "sgb2", "arbeitslosigkeit", "hze"):
        rows.append(dict(publikation_id=publikation_id, ebene="frist", quelle=quelle, objekt=f"raw/{quelle}",
                         pruefung="lieferung_aktuell", schweregrad="warn", status="bestanden",
                         beschreibung="Lieferung aktuell", details=json.dumps({"tage_ueberfaellig": 0})))
    return pd.DataFrame(rows, columns=list(DATENQUALITAET_COLUMNS))


def build_publication(path: Path, last: dt.date, publikation_id: str, veroeffentlicht_am: dt.datetime, *,
                      previous_log: list[dict] | None = None, with_priorisierung: bool = True,
                      with_massnahmen: bool = True) -> Path:
    """Write a published file with Stichtage FIRST_STICHTAG..last into `path` and return it."""
    days = quarter_ends(FIRST_STICHTAG, last)
    indicators = indicator_rows(days)
    index, komponenten = sozialindex_rows(indicators, days)
    kat = catalogue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        tables = {"mart_indikatoren": indicators, "mart_sozialindex": index,
                  "mart_sozialindex_komponenten": komponenten, "dim_indikator": kat, "dim_quelle": sources(),
                  "mart_datenqualitaet": quality_rows(publikation_id)}
        if with_priorisierung:
            tables["mart_priorisierung"] = priorisierung_rows(indicators, index, days[-1])
        if with_massnahmen:
            tables["mart_massnahmen"] = massnahmen_rows()
        for name, frame in tables.items():
            con.register("_f", frame)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _f')
            con.unregister("_f")
        _write_dimensions(con, days)
        _write_wide(con, kat)
        cols = ", ".join(f"{c} {t}" for c, t in PUBLIKATION_COLUMNS.items())
        con.execute(f"CREATE TABLE publikation ({cols})")
        for row in [*(previous_log or []), publikation_row(publikation_id, veroeffentlicht_am, days[-1])]:
            con.execute(f"INSERT INTO publikation VALUES ({', '.join('?' for _ in PUBLIKATION_COLUMNS)})",
                        [row[c] for c in PUBLIKATION_COLUMNS])
    finally:
        con.close()
    return path


def _write_dimensions(con: duckdb.DuckDBPyConnection, days: list[dt.date]) -> None:
    con.execute("""CREATE TABLE dim_kommune AS SELECT * FROM (VALUES ('05378008', 'Burscheid', 'Stadt', '05378'),
                   ('05378012', 'Kürten', 'Gemeinde', '05378')) t(ags, name, art, kreis_schluessel)""")
    con.execute("""CREATE TABLE dim_wohnplatz (wohnplatz_sk VARCHAR, wohnplatz_id VARCHAR, name VARCHAR, ags VARCHAR,
        gebietsstand DATE, gueltig_von DATE, gueltig_bis DATE, ist_aktuell BOOLEAN, flaeche_km2 DOUBLE,
        geometrie_geojson JSON, schwerpunkt_lon DOUBLE, schwerpunkt_lat DOUBLE)""")
    for n, (wid, name, ags, _) in enumerate(WOHNPLAETZE):
        lon, lat = 7.1 + n * 0.02, 51.0 + n * 0.01
        ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
        con.execute("INSERT INTO dim_wohnplatz VALUES (?, ?, ?, ?, DATE '2021-01-01', DATE '2021-01-01', NULL, true, "
                    "?, ?, ?, ?)", [f"{wid}@2021-01-01", wid, name, ags, 1.5 + n,
                                    json.dumps({"type": "Polygon", "coordinates": [ring]}), lon + 0.005, lat + 0.005])
    con.execute("INSERT INTO dim_wohnplatz VALUES ('00899@2015-01-01', '00899', 'Altes Gebiet', '05378008', "
                "DATE '2015-01-01', DATE '2015-01-01', DATE '2020-12-31', false, 1.0, NULL, NULL, NULL)")
    con.execute("CREATE TABLE dim_stichtag (stichtag DATE, jahr INTEGER, quartal INTEGER, quartal_label VARCHAR, "
                "ist_jahresende BOOLEAN, schuljahr_ende BOOLEAN, gebietsstand DATE)")
    for day in days:
        q = (day.month - 1) // 3 + 1
        con.execute("INSERT INTO dim_stichtag VALUES (?, ?, ?, ?, ?, ?, DATE '2021-01-01')",
                    [day, day.year, q, f"{day.year}-Q{q}", q == 4, q == 2])
    con.execute("""CREATE TABLE dim_lieferung AS
        SELECT DISTINCT trim(l) AS lieferung_id, i.quelle, i.quelle || '_' || strftime(m.stichtag, '%Y-%m-%d') || '.csv'
               AS datei, strftime(m.stichtag, '%Y') || '-Q' || quarter(m.stichtag) AS periode, m.stichtag, '' AS teil,
               100 AS zeilen, TIMESTAMP '2026-01-10 08:00:00' AS geladen_am, 'lauf' AS lauf_id
        FROM mart_indikatoren m JOIN dim_indikator i USING (indikator_id),
             unnest(string_split(m.lieferung_ids, ',')) AS u(l)""")


def _write_wide(con: duckdb.DuckDBPyConnection, kat: pd.DataFrame) -> None:
    """mart_sozialmonitoring: one `<id>` / `<id>_status` pair per catalogue row, as the dbt model pivots it."""
    pairs = ", ".join(f"max(wert) FILTER (WHERE indikator_id = '{i}') AS {i}, "
                      f"max(status) FILTER (WHERE indikator_id = '{i}') AS {i}_status"
                      for i in kat.sort_values("reihenfolge").indikator_id)
    con.execute(f"""CREATE TABLE mart_sozialmonitoring AS SELECT ebene, gebiet_id, gebiet_name, kommune_ags,
        kommune_name, stichtag, {pairs} FROM mart_indikatoren GROUP BY ALL ORDER BY ALL""")


# ---------------------------------------------------------------- the fixture agrees with the real models


def _yaml_columns(relative: str) -> list[str]:
    model = yaml.safe_load((MODELS / relative).read_text(encoding="utf-8"))["models"][0]
    return [c["name"] for c in model["columns"]]


def test_fixture_tables_have_the_published_columns(tmp_path):
    path = build_publication(tmp_path / "p.duckdb", dt.date(2024, 6, 30), "lauf-a", dt.datetime(2024, 8, 1, 9))
    con = duckdb.connect(str(path), read_only=True)
    try:
        def columns(table):
            return [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]

        for table, yml in [("mart_indikatoren", "marts/mart_indikatoren.yml"),
                           ("mart_sozialindex", "marts/mart_sozialindex.yml"),
                           ("mart_sozialindex_komponenten", "marts/mart_sozialindex_komponenten.yml"),
                           ("dim_indikator", "core/dim_indikator.yml"), ("dim_wohnplatz", "core/dim_wohnplatz.yml"),
                           ("dim_stichtag", "core/dim_stichtag.yml"), ("dim_lieferung", "core/dim_lieferung.yml"),
                           ("dim_quelle", "core/dim_quelle.yml"), ("dim_kommune", "core/dim_kommune.yml")]:
            assert columns(table) == _yaml_columns(yml), table
        assert columns("publikation") == list(PUBLIKATION_COLUMNS)
        assert columns("mart_datenqualitaet") == list(DATENQUALITAET_COLUMNS)
        wide = columns("mart_sozialmonitoring")
        assert wide[:6] == ["ebene", "gebiet_id", "gebiet_name", "kommune_ags", "kommune_name", "stichtag"]
        assert len(wide) == 6 + 2 * len(catalogue())
    finally:
        con.close()


def test_fixture_has_no_change_between_two_publications_unless_made(tmp_path):
    """The shared cells of an earlier and a later build are identical (the digest tests rely on it)."""
    early = build_publication(tmp_path / "a.duckdb", dt.date(2025, 9, 30), "a", dt.datetime(2025, 11, 1))
    late = build_publication(tmp_path / "b.duckdb", dt.date(2025, 12, 31), "b", dt.datetime(2026, 2, 1))
    con = duckdb.connect()
    con.execute(f"ATTACH '{early}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{late}' AS b (READ_ONLY)")
    differing = con.execute("""SELECT count(*) FROM a.mart_indikatoren x JOIN b.mart_indikatoren y
        USING (ebene, gebiet_id, stichtag, indikator_id)
        WHERE x.wert IS DISTINCT FROM y.wert OR x.status IS DISTINCT FROM y.status""").fetchone()[0]
    shared = con.execute("SELECT count(*) FROM a.mart_indikatoren").fetchone()[0]
    assert shared > 1000 and differing == 0
