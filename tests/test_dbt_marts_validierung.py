"""The marts' methods against fixed references, through dbt (no warehouse needed).

* Berlin's published "Monitoring Soziale Stadtentwicklung 2021" table (seed
  `berlin_mss_2021_index_plr`, a byte-identical copy of ../shared/reference/berlin_mss_2021_index_plr.csv)
  goes through the product's Sozialindex macros (model `val_berlin_mss_2021`) and the dbt tests in
  dbt_project/tests/validation/ compare it with the published indices and classes. Here the same table is
  recomputed independently with pandas, so that a macro and its test cannot be wrong in the same way.
* The hand-made suppression cases (seed `sperrung_testfaelle`) go through the suppression macro.

Run: .venv/bin/pytest tests/test_dbt_marts_validierung.py -q
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from fixtures.dbt_cli import DBT_DIR, run_dbt

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE = PROJECT_ROOT.parent / "shared" / "reference" / "berlin_mss_2021_index_plr.csv"
SEED = DBT_DIR / "seeds" / "validation" / "berlin_mss_2021_index_plr.csv"

STATUS_CLASSES = [("hoch", "<", -1.0), ("mittel", "<=", 1.0), ("niedrig", "<=", 1.5), ("sehr niedrig", None, None)]
DYNAMICS_CLASSES = [("positiv", "<", -1.0), ("stabil", "<=", 1.0), ("negativ", None, None)]


@pytest.fixture(scope="module")
def validierung(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("validierung")
    warehouse, target = base / "validierung.duckdb", base / "target"
    result = run_dbt(["build", "--select", "+val_berlin_mss_2021", "+val_sperrung_testfaelle",
                      "path:tests/validation"], warehouse, target)
    run_results = json.loads((target / "run_results.json").read_text()) if (target / "run_results.json").exists() else {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        berlin = con.execute("select * from validation.val_berlin_mss_2021").df()
        sperrung = con.execute("select * from validation.val_sperrung_testfaelle").df()
    finally:
        con.close()
    return {"result": result, "run_results": run_results, "berlin": berlin, "sperrung": sperrung}


def test_seed_is_the_unchanged_reference():
    # the hash pins the copy to the published table; a clone outside the team's folder has no ../shared
    if REFERENCE.exists():
        assert SEED.read_bytes() == REFERENCE.read_bytes()
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == (
        "f353eed8b87f58de0d6799cf8ba6a291bdd3eb040e8e8e02bd09250f20fe9cfa")


def test_dbt_validation_build_passes(validierung):
    result = validierung["result"]
    assert result.returncode == 0, result.stdout[-6000:]
    statuses = {r["unique_id"]: r["status"] for r in validierung["run_results"]["results"]}
    tests = [u for u in statuses if u.startswith("test.")]
    # the Berlin tests and the suppression tests really ran (not an empty selection)
    for name in ("berlin_mss_index_toleranz", "berlin_mss_klassen_exakt", "berlin_mss_kette_aus_z_werten",
                 "berlin_mss_indexierte_gebiete", "sperrung_testfaelle_erwartet"):
        assert any(name in u for u in tests), name
    assert all(statuses[u] == "pass" for u in tests)


def _klasse(index: float, classes) -> str | None:
    if pd.isna(index):
        return None
    for name, op, bound in classes:
        if op is None or (op == "<" and index < bound) or (op == "<=" and index <= bound):
            return name
    raise AssertionError("unreachable")


def _z(values: pd.Series) -> pd.Series:
    return (values - values.mean()) / values.std(ddof=0)


def test_berlin_reproduced_independently(validierung):
    """pandas recomputation from the reference CSV: same numbers as the macros, and Berlin's published ones."""
    raw = pd.read_csv(SEED, sep=";", encoding="utf-8-sig", dtype={"PLR-ID": str})
    raw.columns = [c.strip() for c in raw.columns]
    indexed = raw[raw["zS1"].notna() & (raw["EW 31.12.2020"] >= 300)].copy()
    assert len(raw) == 542 and len(indexed) == 536

    status_sum = sum(_z(indexed[c]) for c in ("zS1", "zS3", "zS4"))
    dynamics_sum = sum(_z(indexed[c]) for c in ("zD1", "zD3", "zD4"))
    indexed["status_index"] = _z(status_sum)
    indexed["dynamik_index"] = _z(dynamics_sum)
    indexed["status_index_aus_summe"] = _z(indexed["Status-summe"])
    indexed["dynamik_index_aus_summe"] = _z(indexed["Dynamik-summe"])

    model = validierung["berlin"].set_index("plr_id")
    ours = indexed.set_index("PLR-ID")
    m = model.loc[ours.index]
    # the macros compute what an independent implementation computes
    for column in ("status_index", "dynamik_index", "status_index_aus_summe", "dynamik_index_aus_summe"):
        assert np.allclose(m[column], ours[column], atol=1e-9, rtol=0), column
    # and that reproduces Berlin: classes exactly, the index from the published sums within 0.01
    published_status = ours["Status-Index (standardisierte Statussumme)"]
    published_dynamics = ours["Dynamik-Index (standardisierte Dynamik-summe)"]
    assert (ours["status_index"].map(lambda v: _klasse(v, STATUS_CLASSES))
            == ours["Zuordnung Klasse Status-Index"]).all()
    assert (ours["dynamik_index"].map(lambda v: _klasse(v, DYNAMICS_CLASSES))
            == ours["Zuordnung Klasse Dynamik-Index"]).all()
    assert (m["status_klasse"] == ours["Zuordnung Klasse Status-Index"]).all()
    assert (m["dynamik_klasse"] == ours["Zuordnung Klasse Dynamik-Index"]).all()
    assert (ours["status_index_aus_summe"] - published_status).abs().max() <= 0.01
    assert (ours["dynamik_index_aus_summe"] - published_dynamics).abs().max() <= 0.01
    assert (ours["status_index"] - published_status).abs().max() <= 0.01
    # from the 2-decimal z-values the dynamics index can only be as exact as their rounding allows
    assert (ours["dynamik_index"] - published_dynamics).abs().max() <= 0.005 + 0.015 / dynamics_sum.std(ddof=0)

    not_indexed = model[~model["status_indexiert"]]
    assert len(not_indexed) == 6
    assert not_indexed["grund_nicht_indexiert"].notna().all() and not_indexed["status_klasse"].isna().all()


def test_hand_made_suppression_cases(validierung):
    cases = validierung["sperrung"]
    assert cases["fall"].nunique() == 10
    wrong = cases[(cases["status"] != cases["erwartet_status"])
                  | (cases["status_grund"].fillna("") != cases["erwartet_grund"].fillna(""))]
    assert wrong.empty, wrong.to_string()
    assert cases.loc[cases["status"] == "gesperrt", ["zaehler", "nenner", "wert"]].isna().all().all()
    assert set(cases["status_grund"].dropna()) >= {
        "fallzahl_1_2", "nenner_unter_mindestnenner", "sekundaersperrung", "quelle_maskiert"}
