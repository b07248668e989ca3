"""The published marts on a synthetic core: suppression proven, Sozialindex recomputed, docs complete.

The fixture writes a synthetic `core` schema (the interfaces of .agents/INTERFACES.md: dim_wohnplatz,
dim_kommune, dim_stichtag, dim_indikator from the catalogue seed, fct_indikator, fct_bevoelkerung) for
the district's 8 municipalities and 81 Wohnplätze over 12 quarters, with deliberately many small areas
and counts, masked source cells, crosswalked (fractional) values and one missing delivery. dbt then
builds and tests only the marts on it (models/marts, their unit tests and tests/marts). The tests below
check what dbt's own tests cannot express:

* no suppressed cell of mart_indikatoren or of the age bands of mart_jugendhilfe is determined by the
  published totals (exact linear algebra: rank of the system "parent = sum of children");
* the Sozialindex recomputed with pandas from the published values equals mart_sozialindex;
* every column of every mart is described in its YAML and every mart declares its grain.

`check_*` functions take a DuckDB connection, so the same checks run on a real warehouse:
SOZIALMONITOR_MARTS_DB=data/dev/marts.duckdb .venv/bin/pytest tests/test_dbt_marts.py -q
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from fixtures.dbt_cli import DBT_DIR, run_dbt

MARTS = ("mart_indikatoren", "mart_sozialmonitoring", "mart_sozialindex", "mart_sozialindex_komponenten",
         "mart_pflege", "mart_jugendhilfe")
KOMMUNEN = [("05378004", 32), ("05378008", 5), ("05378012", 6), ("05378016", 8), ("05378020", 4),
            ("05378024", 8), ("05378028", 8), ("05378032", 10)]
STICHTAGE = pd.date_range("2019-03-31", periods=12, freq="QE").date
ALTERSBAENDER = ["kinder_0_2", "kinder_3_5", "kinder_6_9", "kinder_10_14", "jugendliche_15_17",
                 "junge_volljaehrige_18_20"]
# share of the population that forms each indicator's denominator (roughly the demo district's)
NENNER_ANTEIL = {"anteil_65plus": 1, "altenquotient": 0.6, "sgb2_quote": 0.77, "kinderarmut": 0.13,
                 "alleinerziehende_bg": 0.05, "arbeitslosenanteil": 0.64, "langzeitarbeitslose": 0.64,
                 "grundsicherung_alter": 0.23, "kita_versorgung_u3": 0.027, "kita_versorgung_ue3": 0.028,
                 "hze_quote": 0.19, "hilfe_zur_pflege": 0.23, "pflegeheimplaetze_80plus": 0.075,
                 "tagespflegeplaetze_80plus": 0.075, "alleinlebende_80plus": 0.075,
                 "alleinlebende_65plus": 0.23, "alleinerziehende_haushalte": 0.1, "ersatzquote": 0.13,
                 "anteil_55_64": 0.64}
RATE = {"sgb2_quote": 0.08, "kinderarmut": 0.12, "arbeitslosenanteil": 0.05, "langzeitarbeitslose": 0.02,
        "hze_quote": 0.012, "hilfe_zur_pflege": 0.015, "grundsicherung_alter": 0.03,
        "kita_versorgung_u3": 0.45, "kita_versorgung_ue3": 0.95, "pflegeheimplaetze_80plus": 0.12,
        "tagespflegeplaetze_80plus": 0.03}


# --------------------------------------------------------------------------------------------------
# synthetic core
# --------------------------------------------------------------------------------------------------
def _catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    con.execute("create schema if not exists core")
    con.execute(f"""
        create or replace table core.dim_indikator as
        select * from read_csv('{DBT_DIR / 'seeds' / 'indikatoren.csv'}', header = true, all_varchar = true)""")
    for column, typ in (("faktor", "integer"), ("bezugsquartal", "integer"), ("mindestnenner", "integer"),
                        ("max_aenderung", "double"), ("kontext", "boolean"), ("reihenfolge", "integer")):
        con.execute(f"alter table core.dim_indikator alter {column} type {typ}")
    return con.execute("select * from core.dim_indikator").df()


def build_synthetic_core(path: Path, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    con = duckdb.connect(str(path))
    try:
        catalogue = _catalogue(con)
        # areas: every municipality has a few very small Wohnplätze so that suppression has work to do
        wohnplaetze = []
        for ags, n in KOMMUNEN:
            for i in range(1, n + 1):
                size = int(rng.integers(15, 280)) if rng.random() < 0.15 else int(rng.integers(400, 9000))
                wohnplaetze.append((f"{ags[-3:]}{i:02d}", ags, size, float(rng.beta(2, 4))))
        wp = pd.DataFrame(wohnplaetze, columns=["wohnplatz_id", "ags", "groesse", "benachteiligung"])
        con.register("wp", wp)
        con.execute("""
            create or replace table core.dim_kommune as
            select ags, 'Gemeinde ' || ags as name, 'Stadt' as art, '05378' as kreis_schluessel
            from (select distinct ags from wp)""")
        con.execute("""
            create or replace table core.dim_wohnplatz as
            select wohnplatz_id || '@2021-01-01' as wohnplatz_sk, wohnplatz_id, 'Wohnplatz ' || wohnplatz_id as name,
                   ags, date '2021-01-01' as gebietsstand, date '2021-01-01' as gueltig_von,
                   cast(null as date) as gueltig_bis, true as ist_aktuell, 1.0 as flaeche_km2,
                   cast(null as varchar) as geometrie_geojson, 7.1 as schwerpunkt_lon, 51.0 as schwerpunkt_lat
            from wp
            union all  -- a retired area of the old scheme: must not appear in any mart
            select '00499@2015-01-01', '00499', 'Alt', '05378004', date '2015-01-01', date '2015-01-01',
                   date '2020-12-31', false, 1.0, null, 7.1, 51.0""")
        stichtage = pd.DataFrame({"stichtag": pd.to_datetime(STICHTAGE)})
        stichtage["jahr"] = stichtage["stichtag"].dt.year
        stichtage["quartal"] = stichtage["stichtag"].dt.quarter
        con.register("st", stichtage)
        con.execute("""
            create or replace table core.dim_stichtag as
            select cast(stichtag as date) as stichtag, jahr, quartal, jahr || '-Q' || quartal as quartal_label,
                   quartal = 4 as ist_jahresende, quartal = 2 as schuljahr_ende,
                   case when stichtag < date '2021-01-01' then date '2015-01-01' else date '2021-01-01' end as gebietsstand
            from st""")

        # population by single year of age (0..99), sex, citizenship
        alter = np.arange(100)
        gewicht = np.where(alter < 80, 1.0, np.maximum(0.05, 1.0 - 0.08 * (alter - 80)))
        gewicht = gewicht / gewicht.sum()
        bev = []
        for t, stichtag in enumerate(STICHTAGE):
            for row in wp.itertuples():
                n = max(1, int(row.groesse * (1 + 0.003 * t)))
                counts = rng.multinomial(n, gewicht)
                for a in np.nonzero(counts)[0]:
                    c = int(counts[a])
                    deutsch = int(rng.binomial(c, 0.9))
                    for d, k in ((True, deutsch), (False, c - deutsch)):
                        if k:
                            m = int(rng.binomial(k, 0.5))
                            for g, kk in (("m", m), ("w", k - m)):
                                if kk:
                                    bev.append((row.wohnplatz_id, stichtag, int(a), g, d, kk))
        bev_df = pd.DataFrame(bev, columns=["wohnplatz_id", "stichtag", "alter_jahre", "geschlecht", "deutsch", "einwohner"])
        con.register("bev", bev_df)
        con.execute("""
            create or replace table core.fct_bevoelkerung as
            select wohnplatz_id, cast(stichtag as date) as stichtag, cast(alter_jahre as integer) as alter_jahre,
                   case when alter_jahre < 18 then 'unter 18' when alter_jahre < 65 then '18-64' else '65+' end as altersgruppe,
                   geschlecht, deutsch, cast(einwohner as bigint) as einwohner
            from bev""")
        ew = bev_df.groupby(["wohnplatz_id", "stichtag"])["einwohner"].sum()

        # indicators per Wohnplatz; municipality and district rows are the sums (as in fct_indikator)
        zeilen = []
        for ind in catalogue.itertuples():
            faellig = [s for s in STICHTAGE if ind.turnus == "quartal" or (s.month - 1) // 3 + 1 == ind.bezugsquartal]
            for s in faellig:
                geschaetzt = s.year < 2021 and ind.quelle in ("sgb2", "arbeitslosigkeit", "grundsicherung")
                fehlt = ind.quelle == "hze" and s == STICHTAGE[-1]          # a late office
                for row in wp.itertuples():
                    bevoelkerung = int(ew[(row.wohnplatz_id, s)])
                    if ind.einheit == "Anzahl":
                        zaehler, nenner = float(bevoelkerung), None
                    else:
                        nenner = float(rng.binomial(bevoelkerung, min(1.0, NENNER_ANTEIL.get(ind.indikator_id, 0.3))))
                        rate = RATE.get(ind.indikator_id, 0.2) * (0.3 + 2.4 * row.benachteiligung)
                        zaehler = float(rng.binomial(int(nenner), min(0.99, rate)))
                        if geschaetzt:                       # crosswalked: fractional estimates
                            zaehler = round(zaehler * 0.97 + rng.random(), 2)
                    status, grund = ("geschaetzt", "umgeschluesselt") if geschaetzt else ("ok", None)
                    if ind.quelle in ("sgb2", "arbeitslosigkeit") and not geschaetzt and zaehler in (1.0, 2.0):
                        status, grund = "gesperrt", "quelle_maskiert"   # the BA masks 1-2 ('*')
                    if fehlt:
                        status, grund = "fehlt", "nicht_geliefert"
                    zeilen.append(("wohnplatz", row.wohnplatz_id, row.ags, s, ind.indikator_id, zaehler, nenner,
                                   status, grund, int(ind.faktor), ind.einheit))
        df = pd.DataFrame(zeilen, columns=["ebene", "gebiet_id", "ags", "stichtag", "indikator_id", "zaehler",
                                           "nenner", "status", "status_grund", "faktor", "einheit"])
        con.register("wpi", df)
        con.execute("""
            create or replace table core.fct_indikator as
            with summen as (
                select 'kommune' as ebene, ags as gebiet_id, stichtag, indikator_id, sum(zaehler) as zaehler,
                       sum(nenner) as nenner, max(faktor) as faktor, max(einheit) as einheit,
                       bool_or(status = 'fehlt') as fehlt, bool_or(status = 'geschaetzt') as geschaetzt
                from wpi group by ags, stichtag, indikator_id
                union all
                select 'kreis', '05378', stichtag, indikator_id, sum(zaehler), sum(nenner), max(faktor), max(einheit),
                       bool_or(status = 'fehlt'), bool_or(status = 'geschaetzt')
                from wpi group by stichtag, indikator_id
            ), alle as (
                select ebene, gebiet_id, stichtag, indikator_id,
                       case when status = 'gesperrt' then null else zaehler end as zaehler, nenner,
                       status, status_grund, faktor, einheit
                from wpi
                union all
                select ebene, gebiet_id, stichtag, indikator_id, zaehler, nenner,
                       case when fehlt then 'fehlt' when geschaetzt then 'geschaetzt' else 'ok' end,
                       case when fehlt then 'nicht_geliefert' when geschaetzt then 'umgeschluesselt' end,
                       faktor, einheit
                from summen
            )
            select ebene, gebiet_id, cast(stichtag as date) as stichtag, indikator_id,
                   cast(zaehler as double) as zaehler, cast(nenner as double) as nenner,
                   cast(case when status not in ('ok', 'geschaetzt') then null
                             when einheit = 'Anzahl' then zaehler
                             when nenner = 0 then null else zaehler / nenner * faktor end as double) as wert,
                   status, status_grund, 'synthetisch' as lieferung_ids
            from alle""")
    finally:
        con.close()


@pytest.fixture(scope="module")
def synthetisch(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("marts")
    warehouse, target = base / "warehouse.duckdb", base / "target"
    build_synthetic_core(warehouse)
    # the planning marts (issue 9) need intermediate/planung models; tests/test_dbt_planung.py covers them
    result = run_dbt(["build", "--select", "path:models/marts", "--exclude", "mart_priorisierung",
                      "mart_handlungsraeume", "mart_massnahmen"], warehouse, target)
    return {"warehouse": warehouse, "target": target, "result": result,
            "run_results": json.loads((target / "run_results.json").read_text())}


def open_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    """The file attached under a neutral name: a file called marts.duckdb would make the catalog `marts`
    clash with the schema `marts` in two-part names."""
    c = duckdb.connect()
    c.execute(f"attach '{path}' as wh (read_only)")
    c.execute("use wh")
    return c


@pytest.fixture(scope="module")
def con(synthetisch):
    c = open_read_only(synthetisch["warehouse"])
    yield c
    c.close()


# --------------------------------------------------------------------------------------------------
# checks (usable on any warehouse with the marts)
# --------------------------------------------------------------------------------------------------
def recoverable_cells(cells: pd.DataFrame, gruppe: list[str]) -> pd.DataFrame:
    """Suppressed cells whose value the published totals determine (linear algebra, exact).

    `cells`: gruppe..., gebiet_id, eltern_id, status. Unknowns are the cells without a published number
    (gesperrt, fehlt); every parent present in the group gives the equation parent = sum of children.
    A suppressed cell x is determined iff the unit vector of x lies in the row space of the equations'
    unknown part, i.e. appending it does not raise the rank.
    """
    found = []
    for key, g in cells.groupby(gruppe, sort=False):
        unknown = g.loc[g["status"].isin(["gesperrt", "fehlt"]), "gebiet_id"].tolist()
        if not (g["status"] == "gesperrt").any():
            continue
        index = {gid: i for i, gid in enumerate(unknown)}
        present = set(g["gebiet_id"])
        rows = []
        for parent, children in g[g["eltern_id"].notna()].groupby("eltern_id"):
            if parent not in present:
                continue
            row = np.zeros(len(unknown))
            if parent in index:
                row[index[parent]] += 1
            for child in children["gebiet_id"]:
                if child in index:
                    row[index[child]] -= 1
            if row.any():
                rows.append(row)
        if not rows:
            continue
        a = np.array(rows)
        rank = np.linalg.matrix_rank(a)
        for gid in g.loc[g["status"] == "gesperrt", "gebiet_id"]:
            unit = np.zeros(len(unknown))
            unit[index[gid]] = 1
            if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
                found.append({**dict(zip(gruppe, key if isinstance(key, tuple) else (key,))), "gebiet_id": gid})
    return pd.DataFrame(found)


def check_mart_indikatoren_nicht_rueckrechenbar(c) -> pd.DataFrame:
    cells = c.execute("""
        select indikator_id, stichtag, gebiet_id, status,
               case ebene when 'wohnplatz' then kommune_ags when 'kommune' then substr(kommune_ags, 1, 5) end as eltern_id
        from marts.mart_indikatoren""").df()
    return recoverable_cells(cells, ["indikator_id", "stichtag"])


def check_altersbaender_nicht_rueckrechenbar(c) -> pd.DataFrame:
    union = " union all ".join(
        f"select '{b}' as altersband, stichtag, gebiet_id, {b}_status as status, "
        f"case ebene when 'wohnplatz' then kommune_ags when 'kommune' then substr(kommune_ags, 1, 5) end as eltern_id "
        f"from marts.mart_jugendhilfe" for b in ALTERSBAENDER)
    return recoverable_cells(c.execute(union).df(), ["altersband", "stichtag"])


def _klasse(index, klassen):
    if pd.isna(index):
        return None
    for k in klassen:
        if "unter" in k and k["unter"] is not None:
            if index < k["unter"]:
                return k["klasse"]
        elif "bis" in k and k["bis"] is not None:
            if index <= k["bis"]:
                return k["klasse"]
        else:
            return k["klasse"]


def recompute_sozialindex(c) -> pd.DataFrame:
    """The Sozialindex from the published values of mart_indikatoren, written with pandas from the method
    description (Berlin MSS), independent of the dbt macros."""
    config = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text())["vars"]["sozialindex"]
    status_ids = config["status_indikatoren"]
    lag = int(config["dynamik_quartale"])
    minimum = config["mindest_einwohner"]
    werte = c.execute(f"""
        select gebiet_id, stichtag, indikator_id, wert from marts.mart_indikatoren
        where ebene = 'wohnplatz' and indikator_id in ({", ".join(f"'{i}'" for i in status_ids)})""").df()
    polaritaet = dict(c.execute("select indikator_id, polaritaet from core.dim_indikator").fetchall())
    einwohner = c.execute("""select gebiet_id, stichtag, zaehler as einwohner from core.fct_indikator
                             where ebene = 'wohnplatz' and indikator_id = 'einwohner'""").df()
    werte["stichtag"] = pd.to_datetime(werte["stichtag"])
    einwohner["stichtag"] = pd.to_datetime(einwohner["stichtag"])
    breit = werte.pivot_table(index=["gebiet_id", "stichtag"], columns="indikator_id", values="wert", aggfunc="first",
                              dropna=False).reindex(columns=status_ids)
    frueher = breit.copy()
    frueher.index = frueher.index.set_levels(frueher.index.levels[1] + pd.offsets.QuarterEnd(lag), level=1)
    aenderung = breit - frueher.reindex(breit.index)
    gebiete = c.execute("select wohnplatz_id from core.dim_wohnplatz where ist_aktuell").df()["wohnplatz_id"]
    stichtage = sorted(werte["stichtag"].unique())
    raster = pd.MultiIndex.from_product([sorted(gebiete), stichtage], names=["gebiet_id", "stichtag"])
    breit, aenderung = breit.reindex(raster), aenderung.reindex(raster)
    ew = einwohner.set_index(["gebiet_id", "stichtag"])["einwohner"].reindex(raster)
    richtung = pd.Series({i: -1.0 if polaritaet[i] == "positiv" else 1.0 for i in status_ids})

    out = pd.DataFrame(index=raster)
    out["status_indexiert"] = (ew >= minimum) & breit.notna().all(axis=1)
    out["dynamik_indexiert"] = out["status_indexiert"] & aenderung.notna().all(axis=1)

    def z_by_stichtag(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
        sub = frame[mask]
        grouped = sub.groupby(level="stichtag")
        return ((sub - grouped.transform("mean")) / grouped.transform(lambda s: s.std(ddof=0))).fillna(0.0)

    zs = z_by_stichtag(breit, out["status_indexiert"]) * richtung
    zd = z_by_stichtag(aenderung, out["dynamik_indexiert"]) * richtung
    out["status_summe"] = zs.sum(axis=1)
    out["dynamik_summe"] = zd.sum(axis=1)
    out.loc[~out["status_indexiert"], "status_summe"] = np.nan
    out.loc[~out["dynamik_indexiert"], "dynamik_summe"] = np.nan
    out["status_index"] = z_by_stichtag(out[["status_summe"]], out["status_indexiert"])["status_summe"]
    out["dynamik_index"] = z_by_stichtag(out[["dynamik_summe"]], out["dynamik_indexiert"])["dynamik_summe"]
    out["status_klasse"] = out["status_index"].map(lambda v: _klasse(v, config["status_klassen"]))
    out["dynamik_klasse"] = out["dynamik_index"].map(lambda v: _klasse(v, config["dynamik_klassen"]))

    def flag(row):
        if row.status_klasse is None:
            return None
        results = []
        for rule in config["handlungsbedarf"]:
            s_ok = rule["status"] == "*" or rule["status"] == row.status_klasse
            if rule["dynamik"] == "*":
                results.append(s_ok)
            elif row.dynamik_klasse is None:
                results.append(None if s_ok else False)
            else:
                results.append(s_ok and rule["dynamik"] == row.dynamik_klasse)
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False

    out["handlungsbedarf"] = [flag(r) for r in out.itertuples()]
    return out.reset_index()


def check_sozialindex(c) -> list[str]:
    expected = recompute_sozialindex(c)
    mart = c.execute("select * from marts.mart_sozialindex").df()
    mart["stichtag"] = pd.to_datetime(mart["stichtag"])
    merged = expected.merge(mart, on=["gebiet_id", "stichtag"], suffixes=("_py", "_mart"), how="outer", indicator=True)
    problems = []
    if not (merged["_merge"] == "both").all():
        problems.append(f"rows differ: {merged['_merge'].value_counts().to_dict()}")
    for column in ("status_indexiert", "dynamik_indexiert"):
        if not (merged[f"{column}_py"].astype(bool) == merged[f"{column}_mart"].astype(bool)).all():
            problems.append(column)
    for column in ("status_summe", "status_index", "dynamik_summe", "dynamik_index"):
        a, b = merged[f"{column}_py"].astype(float), merged[f"{column}_mart"].astype(float)
        if not ((a.isna() & b.isna()) | ((a - b).abs() <= 1e-9)).all():
            problems.append(f"{column}: max diff {(a - b).abs().max()}")
    for column in ("status_klasse", "dynamik_klasse", "handlungsbedarf"):
        # pandas never calls two missing values equal: compare their text with a marker for "none"
        a = merged[f"{column}_py"].astype(object).map(lambda v: "-" if pd.isna(v) else str(v))
        b = merged[f"{column}_mart"].astype(object).map(lambda v: "-" if pd.isna(v) else str(v))
        if not (a == b).all():
            problems.append(f"{column}: {int((a != b).sum())} rows differ")
    return problems


# --------------------------------------------------------------------------------------------------
# tests on the synthetic district
# --------------------------------------------------------------------------------------------------
def test_dbt_builds_and_tests_the_marts(synthetisch):
    result = synthetisch["result"]
    assert result.returncode == 0, result.stdout[-8000:]
    statuses = {r["unique_id"]: r["status"] for r in synthetisch["run_results"]["results"]}
    assert {f"model.sozialmonitor.{m}" for m in MARTS} <= set(statuses)
    unit = [u for u in statuses if u.startswith("unit_test.")]
    singular = [u for u in statuses if u.startswith("test.") and "mart" in u]
    assert len(unit) >= 3 and len(singular) >= 10
    assert all(s in ("success", "pass") for s in statuses.values()), statuses


def test_suppression_had_work_to_do(con):
    counts = dict(con.execute("""select status_grund, count(*) from marts.mart_indikatoren
                                 where status = 'gesperrt' group by 1""").fetchall())
    for grund in ("fallzahl_1_2", "nenner_unter_mindestnenner", "sekundaersperrung", "quelle_maskiert"):
        assert counts.get(grund, 0) > 0, counts
    baender = con.execute(" union all ".join(
        f"select count(*) filter (where {b}_status = 'gesperrt') from marts.mart_jugendhilfe" for b in ALTERSBAENDER)).fetchall()
    assert sum(r[0] for r in baender) > 0


def test_no_suppressed_cell_is_recoverable(con):
    assert check_mart_indikatoren_nicht_rueckrechenbar(con).empty
    assert check_altersbaender_nicht_rueckrechenbar(con).empty


def test_without_secondary_suppression_cells_would_leak(con):
    """Not a vacuous proof: on the same data, the primary suppression alone leaves recoverable cells."""
    cells = con.execute("""
        select indikator_id, stichtag, gebiet_id,
               case when status_grund = 'sekundaersperrung' then 'ok' else status end as status,
               case ebene when 'wohnplatz' then kommune_ags when 'kommune' then substr(kommune_ags, 1, 5) end as eltern_id
        from marts.mart_indikatoren""").df()
    assert len(recoverable_cells(cells, ["indikator_id", "stichtag"])) > 0


def test_recoverability_check_detects_a_leak():
    """The rank check itself must find a cell that is only primary-suppressed (no secondary partner)."""
    cells = pd.DataFrame([
        ("g", "K", None, "ok"), ("g", "W1", "K", "gesperrt"), ("g", "W2", "K", "ok"), ("g", "W3", "K", "ok"),
        ("h", "K", None, "ok"), ("h", "W1", "K", "gesperrt"), ("h", "W2", "K", "gesperrt"), ("h", "W3", "K", "ok"),
    ], columns=["gruppe", "gebiet_id", "eltern_id", "status"])
    found = recoverable_cells(cells, ["gruppe"])
    assert found.to_dict("records") == [{"gruppe": "g", "gebiet_id": "W1"}]


def test_no_small_counts_published_anywhere(con):
    columns = {
        "mart_pflege": ["einwohner_65plus", "einwohner_80plus", "alleinlebende_80plus_anzahl", "hilfe_zur_pflege_empfaenger"],
        "mart_jugendhilfe": ALTERSBAENDER + ["hze_faelle", "kinder_u15_sgb2"],
        "mart_sozialindex": ["einwohner"],
        "mart_sozialmonitoring": ["einwohner"],
    }
    for mart, cols in columns.items():
        for column in cols:
            n = con.execute(f"select count(*) from marts.{mart} where {column} > 0 and {column} < 3").fetchone()[0]
            assert n == 0, (mart, column)
    n = con.execute("""select count(*) from marts.mart_indikatoren m join core.dim_indikator i using (indikator_id)
                       where m.zaehler > 0 and m.zaehler < 3 and m.indikator_id not in
                       ('kita_versorgung_u3', 'kita_versorgung_ue3', 'pflegeheimplaetze_80plus',
                        'tagespflegeplaetze_80plus', 'hausaerzte_je_10000', 'apotheken_je_10000',
                        'wanderungssaldo', 'bevoelkerungsentwicklung_2j')""").fetchone()[0]
    assert n == 0


def test_sozialindex_recomputed_independently(con):
    assert check_sozialindex(con) == []
    indexed = con.execute("select count(*) from marts.mart_sozialindex where status_indexiert").fetchone()[0]
    flagged = con.execute("select count(*) from marts.mart_sozialindex where handlungsbedarf").fetchone()[0]
    assert indexed > 0 and flagged > 0


def test_top_drivers_are_one_query_away(con):
    """Issue 9 needs the three indicators with the highest z-values per flagged Wohnplatz."""
    top = con.execute("""
        select k.gebiet_id, k.stichtag, count(*) as n
        from marts.mart_sozialindex_komponenten k
        join marts.mart_sozialindex s using (gebiet_id, stichtag)
        where s.handlungsbedarf and k.rolle = 'status' and k.rang_status <= 3
        group by 1, 2""").df()
    assert not top.empty and (top["n"] == 3).all()


def test_every_mart_column_is_documented_and_every_mart_has_a_grain(synthetisch, con):
    manifest = json.loads((synthetisch["target"] / "manifest.json").read_text())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for mart in MARTS:
        node = nodes[mart]
        assert "Grain:" in node["description"] and node["config"]["meta"].get("grain"), mart
        documented = {name for name, col in node["columns"].items() if col.get("description", "").strip()}
        actual = {r[0] for r in con.execute(f"describe marts.{mart}").fetchall()}
        assert actual - documented == set(), (mart, sorted(actual - documented))
        assert documented - actual == set(), (mart, sorted(documented - actual))


# --------------------------------------------------------------------------------------------------
# the same checks on the demo warehouse (SOZIALMONITOR_MARTS_DB points them at another one)
# --------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_real_warehouse_suppression_and_index(demo_world):
    c = open_read_only(os.environ.get("SOZIALMONITOR_MARTS_DB") or str(demo_world.warehouse))
    try:
        assert check_mart_indikatoren_nicht_rueckrechenbar(c).empty
        assert check_altersbaender_nicht_rueckrechenbar(c).empty
        assert check_sozialindex(c) == []
    finally:
        c.close()
