"""The dbt core layer's static pieces agree with the binding interfaces and the source contracts:
the indicator catalogue (seed `indikatoren`), the source seed `quellen`, the dbt sources YAML and the
staging models. No warehouse needed.

The dbt sources YAML (models/staging/<source>/_<source>__sources.yml) is generated from the contracts;
after a contract change rewrite it with `.venv/bin/python -m tests.test_dbt_core_seeds`.
"""
from __future__ import annotations

import csv
from pathlib import Path

import yaml

from orchestration.sources.contract import LINEAGE_COLUMNS, all_contracts

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

# .agents/INTERFACES.md, "Indicator catalogue (seed `indikatoren`, ids are binding)"
BINDING_IDS = """einwohner anteil_u6 anteil_u18 anteil_65plus anteil_80plus altenquotient anteil_nichtdeutsch
alleinerziehende_haushalte alleinlebende_65plus wanderungsvolumen wanderungssaldo bevoelkerungsentwicklung_2j
ersatzquote anteil_55_64 sgb2_quote kinderarmut alleinerziehende_bg arbeitslosenanteil langzeitarbeitslose
grundsicherung_alter kita_versorgung_u3 kita_versorgung_ue3 hze_quote seu_uebergewicht seu_sprachfoerderbedarf
seu_masern seu_frueherkennung kita_karies hilfe_zur_pflege pflegeheimplaetze_80plus tagespflegeplaetze_80plus
alleinlebende_80plus nahversorgung_500m oepnv_300m hausaerzte_je_10000 apotheken_je_10000""".split()
SEED_COLUMNS = ["indikator_id", "name", "thema", "zaehler", "nenner", "einheit", "faktor", "quelle", "polaritaet",
                "turnus", "bezugsquartal", "mindestnenner", "max_aenderung", "im_index", "kontext", "reihenfolge"]
FAKTOR = {"Anzahl": "1", "%": "100", "je 100": "100", "je 1.000": "1000", "je 10.000": "10000"}


def read_seed(name: str) -> list[dict]:
    with (DBT_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def contracts() -> dict:
    return {c.id: c for c in all_contracts()}


def test_catalogue_holds_exactly_the_binding_indicators():
    rows = read_seed("indikatoren")
    assert list(rows[0]) == SEED_COLUMNS
    assert [r["indikator_id"] for r in rows] == BINDING_IDS
    assert sorted(int(r["reihenfolge"]) for r in rows) == list(range(1, len(rows) + 1))


def test_catalogue_units_cadences_and_sources_are_consistent():
    sources = contracts()
    for r in read_seed("indikatoren"):
        assert FAKTOR[r["einheit"]] == r["faktor"], r["indikator_id"]
        assert (r["nenner"] == "") == (r["einheit"] == "Anzahl"), r["indikator_id"]
        contract = sources[r["quelle"]]
        assert r["turnus"] == contract.turnus, r["indikator_id"]
        assert r["bezugsquartal"] == (str(contract.bezugsquartal) if contract.bezugsquartal else ""), r["indikator_id"]
        assert r["polaritaet"] in {"negativ", "positiv", "neutral"}
        assert float(r["max_aenderung"]) > 0 and int(r["mindestnenner"]) > 0


def test_sozialindex_status_indicators_are_flagged_in_the_catalogue():
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    configured = set(project["vars"]["sozialindex"]["status_indikatoren"])
    flagged = {r["indikator_id"] for r in read_seed("indikatoren") if r["im_index"] == "status"}
    assert flagged == configured


def test_source_seed_copies_the_contracts():
    sources = contracts()
    rows = {r["quelle"]: r for r in read_seed("quellen")}
    assert set(rows) == set(sources)
    for quelle, c in sources.items():
        r = rows[quelle]
        assert (r["titel"], r["amt"], r["turnus"], r["gebietsbezug"]) == (c.titel, c.amt, c.turnus, c.gebietsbezug)
        assert r["bezugsquartal"] == (str(c.bezugsquartal) if c.bezugsquartal else "")
        assert r["lieferfrist_tage"] == ("" if c.lieferfrist_tage is None else str(c.lieferfrist_tage))
        assert r["tabellen"].split(";") == list(c.tabellen)


def test_dbt_sources_declare_every_raw_column_of_the_contracts():
    for quelle, contract in contracts().items():
        path = DBT_DIR / "models" / "staging" / quelle / f"_{quelle}__sources.yml"
        source = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"][0]
        assert source["name"] == quelle and source["schema"] == "raw"
        tables = {t["name"]: [(c["name"], c["data_type"].upper()) for c in t["columns"]] for t in source["tables"]}
        assert set(tables) == set(contract.tabellen)
        for table, columns in tables.items():
            assert columns == contract.raw_schema(table), table
            assert all(c.get("description") for t in source["tables"] for c in t["columns"])


def test_one_staging_model_with_yaml_per_raw_table():
    for quelle, contract in contracts().items():
        for table in contract.tabellen:
            folder = DBT_DIR / "models" / "staging" / quelle
            assert (folder / f"stg_{table}.sql").exists(), table
            assert (folder / f"stg_{table}.yml").exists(), table


# ------------------------------------------------------------------ the generated dbt sources YAML

LINEAGE_DOC = {
    "_lieferung_id": "sha256 (hex) of the delivery file's bytes; joins raw.lieferungen / core.dim_lieferung.",
    "_quelle": "Source id of the delivery.",
    "_datei": "File name as delivered.",
    "_periode": "Quarter label ('2024-Q4') of a periodic delivery, or the Gebietsstand 'YYYY-MM-DD' of reference data.",
    "_stichtag": "Stichtag (dim_stichtag) the delivery belongs to; for reference data the Gebietsstand date.",
    "_bezugsdatum": "The date the file itself claims (e.g. 01.03. for Kita, 31.12. for yearly tables).",
    "_zeile": "Line (CSV) / row (XLSX) / record index (JSON, GeoJSON) in the file, 1-based.",
    "_geladen_am": "When the extraction loaded the file.",
    "_lauf_id": "Dagster run id of the load.",
}
TYPE_DOC = {"text": "text", "ganzzahl": "integer", "anzahl": "count", "anzahl_maskiert": "count, NULL when masked",
            "dezimal": "decimal", "datum": "date", "monat": "month (first day)", "wahrheitswert": "boolean",
            "geometrie": "GeoJSON geometry text, EPSG:25832",
            "hausnummer": "numeric part of the house number (suffix dropped)"}


def _column_docs(table) -> list[dict]:
    out = []
    for c in table.columns:
        if c.schutz == "entfernen":
            continue
        if c.schutz in ("geburtsdatum_kuerzen", "geburtsjahr"):
            out.append({"name": "geburtsjahr",
                        "description": f"Birth year from '{c.quelle}' (the exact date never leaves the extraction)."})
            if c.schutz == "geburtsdatum_kuerzen":
                out.append({"name": "geburtsmonat", "description": f"Birth month from '{c.quelle}'."})
            continue
        if c.schutz == "pseudonymisieren":
            out.append({"name": c.name, "description": f"'{c.quelle}' pseudonymised at extraction: 20-hex-char "
                                                       "keyed hash (HMAC-SHA256)."})
            continue
        d = f"Delivered as '{c.quelle}' ({TYPE_DOC[c.typ]})."
        if c.werte:
            d += " Values: " + ", ".join(c.werte) + "."
        out.append({"name": c.name, "description": d})
        if c.typ == "anzahl_maskiert":
            out.append({"name": f"{c.name}_kennung", "description": f"Mark in place of '{c.quelle}': '*' masked "
                        "(1-2), '.' not available, NULL otherwise ('-' was loaded as 0)."})
    return out


def source_yaml(contract) -> str:
    """The dbt sources YAML of one contract: every raw column with its type and a description."""
    tables = []
    for name, table in contract.tabellen.items():
        cols = _column_docs(table)
        if contract.teil_aus_datei:
            cols.append({"name": contract.teil_aus_datei,
                         "description": "Municipality key (AGS) taken from the file name (one file per municipality)."})
        cols += [{"name": n, "description": LINEAGE_DOC[n]} for n in LINEAGE_COLUMNS]
        schema = contract.raw_schema(name)
        assert [c["name"] for c in cols] == [n for n, _ in schema], name
        tables.append({"name": name, "description": f"{contract.titel}: raw table '{name}' as loaded by the "
                       f"extraction (contract orchestration/sources/{contract.id}.yaml).",
                       "columns": [{"name": c["name"], "data_type": t.lower(), "description": c["description"]}
                                   for c, (_, t) in zip(cols, schema)]})
    doc = {"version": 2, "sources": [{
        "name": contract.id, "schema": "raw",
        "description": " ".join(contract.beschreibung.split()) + f" Office: {contract.amt}. Cadence: {contract.turnus}.",
        "meta": {"quelle": contract.id, "turnus": contract.turnus}, "tables": tables}]}
    return (f"# Generated from orchestration/sources/{contract.id}.yaml; tests/test_dbt_core_seeds.py checks it "
            "stays in step.\n# data_type = the raw column type (INTERFACES.md); staging reads the table through "
            "macro\n# quelle_oder_leer, which uses these types while the extraction has not created the table yet.\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110))


def source_yaml_path(quelle: str) -> Path:
    return DBT_DIR / "models" / "staging" / quelle / f"_{quelle}__sources.yml"


def test_dbt_sources_yaml_is_generated_from_the_current_contracts():
    stale = [c.id for c in all_contracts()
             if source_yaml_path(c.id).read_text(encoding="utf-8") != source_yaml(c)]
    assert not stale, f"regenerate with `.venv/bin/python -m tests.test_dbt_core_seeds`: {stale}"


if __name__ == "__main__":
    for c in all_contracts():
        source_yaml_path(c.id).parent.mkdir(parents=True, exist_ok=True)
        source_yaml_path(c.id).write_text(source_yaml(c), encoding="utf-8")
        print(source_yaml_path(c.id))
