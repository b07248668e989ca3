"""The written contract of a delivery, loaded from `<source>.yaml` beside the source's module.

The contract is the single description of a source: the demo generator writes files by it, the
extraction checks and decodes by it, the dbt sources and docs/sources.md are derived from it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader where PyYAML has it (the same safe constructors): the Dagster definitions load all
# 15 contracts, 0.13 s with the pure-Python loader
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CONTRACT_DIR = Path(__file__).resolve().parent

# contract type -> DuckDB type of the raw column
RAW_TYPES = {
    "text": "VARCHAR",
    "ganzzahl": "INTEGER",
    "anzahl": "INTEGER",
    "anzahl_maskiert": "INTEGER",
    "dezimal": "DOUBLE",
    "datum": "DATE",
    "monat": "DATE",
    "wahrheitswert": "BOOLEAN",
    "geometrie": "VARCHAR",
    "hausnummer": "INTEGER",
}
PROTECTIONS = {None, "pseudonymisieren", "entfernen", "geburtsdatum_kuerzen", "geburtsjahr"}
CADENCES = {"quartal", "jahr", "schuljahr", "bei_aenderung"}
PERIOD_KINDS = {"stichtag", "berichtsmonat", "jahr", "quartal", "schuljahr", "gebietsstand"}

LINEAGE_COLUMNS = {
    "_lieferung_id": "VARCHAR",
    "_quelle": "VARCHAR",
    "_datei": "VARCHAR",
    "_periode": "VARCHAR",
    "_stichtag": "DATE",
    "_bezugsdatum": "DATE",
    "_zeile": "INTEGER",
    "_geladen_am": "TIMESTAMP",
    "_lauf_id": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    quelle: str  # header as the office writes it
    name: str  # raw column name
    typ: str
    pflicht: bool = True
    muster: str | None = None
    werte: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    format: str | None = None
    schutz: str | None = None
    eindeutig: bool = False
    leer_werte: tuple[str, ...] = ()

    def raw_columns(self) -> list[tuple[str, str]]:
        """The raw columns this delivery column becomes (protection decides)."""
        if self.schutz == "entfernen":
            return []
        if self.schutz == "geburtsdatum_kuerzen":
            return [("geburtsjahr", "INTEGER"), ("geburtsmonat", "INTEGER")]
        if self.schutz == "geburtsjahr":
            return [("geburtsjahr", "INTEGER")]
        if self.schutz == "pseudonymisieren":
            return [(self.name, "VARCHAR")]
        cols = [(self.name, RAW_TYPES[self.typ])]
        if self.typ == "anzahl_maskiert":
            cols.append((f"{self.name}_kennung", "VARCHAR"))
        return cols

    def describe_expected(self) -> str:
        """What a valid value looks like, in words for an error message."""
        if self.werte:
            return "one of " + ", ".join(f"'{w}'" for w in self.werte)
        parts = {
            "text": "text",
            "ganzzahl": "a whole number",
            "anzahl": "a whole number >= 0",
            "anzahl_maskiert": "a whole number >= 0 or one of the marks '*', '-', '.'",
            "dezimal": "a decimal number",
            "datum": f"a date like {_example_date(self.format)}",
            "monat": "a month like 03/2019, 2019 or 01.03.2019",
            "wahrheitswert": "true or false",
            "geometrie": "a GeoJSON geometry",
            "hausnummer": "a house number like 12 or 12a",
        }
        text = parts[self.typ]
        if self.muster:
            text += f" matching {self.muster}"
        if self.min is not None or self.max is not None:
            text += f" between {self.min if self.min is not None else '-inf'} and {self.max if self.max is not None else 'inf'}"
        return text


def _example_date(fmt: str | None) -> str:
    from datetime import date

    return date(2024, 12, 31).strftime(fmt or "%Y-%m-%d")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def raw_schema(self, extra: tuple[tuple[str, str], ...] = ()) -> list[tuple[str, str]]:
        cols: list[tuple[str, str]] = []
        for column in self.columns:
            cols.extend(column.raw_columns())
        cols.extend(extra)
        cols.extend(LINEAGE_COLUMNS.items())
        return cols


@dataclass(frozen=True)
class Sheet:
    blatt: str | None
    tabelle: str
    kopfzeile_beginnt_mit: str | None = None
    kopfzeilen: int = 1


@dataclass(frozen=True)
class FileSpec:
    muster: str
    format: str
    periode: str
    sheets: tuple[Sheet, ...]
    encoding: str = "utf-8"
    trennzeichen: str = ";"
    dezimalzeichen: str = "."
    kopfzeile_beginnt_mit: str | None = None
    ende_bei_leerzeile: bool = False
    summenzeile: str | None = None
    crs: str | None = None
    datensaetze: str | None = None
    meta: str | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.muster)

    @property
    def tabelle(self) -> str:
        return self.sheets[0].tabelle


@dataclass(frozen=True)
class Contract:
    id: str
    titel: str
    amt: str
    beschreibung: str
    turnus: str
    bezugsquartal: int | None
    lieferfrist_tage: int | None
    gebietsbezug: str
    dateien: tuple[FileSpec, ...]
    tabellen: dict[str, Table]
    pruefungen: tuple[str, ...] = ()
    teil_aus_datei: str | None = None
    path: Path = field(default=Path(), compare=False)

    @property
    def partitioned(self) -> bool:
        """Reference data that changes 'on change' carries versions, not quarters."""
        return self.turnus != "bei_aenderung"

    def extra_columns(self) -> tuple[tuple[str, str], ...]:
        return ((self.teil_aus_datei, "VARCHAR"),) if self.teil_aus_datei else ()

    def raw_schema(self, table: str) -> list[tuple[str, str]]:
        return self.tabellen[table].raw_schema(self.extra_columns())

    def match_file(self, file_name: str) -> tuple[FileSpec, dict[str, str]] | None:
        for spec in self.dateien:
            if m := spec.pattern.match(file_name):
                return spec, {k: v for k, v in m.groupdict().items() if v is not None}
        return None


class ContractError(ValueError):
    """The contract file itself is malformed (a programming error, not a bad delivery)."""


def _column(raw: dict[str, Any], where: str) -> Column:
    unknown = set(raw) - set(Column.__dataclass_fields__)
    if unknown:
        raise ContractError(f"{where}: unknown keys {sorted(unknown)}")
    if raw.get("typ") not in RAW_TYPES:
        raise ContractError(f"{where}: unknown typ {raw.get('typ')!r}")
    if raw.get("schutz") not in PROTECTIONS:
        raise ContractError(f"{where}: unknown schutz {raw.get('schutz')!r}")
    values = dict(raw)
    for key in ("werte", "leer_werte"):
        if values.get(key) is not None:
            values[key] = tuple(str(v) for v in values[key])
    if values.get("muster"):
        re.compile(values["muster"])
    return Column(**values)


def _file_spec(raw: dict[str, Any], where: str) -> FileSpec:
    values = dict(raw)
    if values.get("periode") not in PERIOD_KINDS:
        raise ContractError(f"{where}: unknown periode {values.get('periode')!r}")
    if "blaetter" in values:
        sheets = tuple(Sheet(**s) for s in values.pop("blaetter"))
    else:
        sheets = (
            Sheet(
                blatt=values.pop("blatt", None),
                tabelle=values.pop("tabelle"),
                kopfzeile_beginnt_mit=values.get("kopfzeile_beginnt_mit"),
            ),
        )
    re.compile(values["muster"])
    return FileSpec(sheets=sheets, **values)


@cache
def load_contract(source_id: str) -> Contract:
    path = CONTRACT_DIR / f"{source_id}.yaml"
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    if raw.get("id") != source_id:
        raise ContractError(f"{path}: id {raw.get('id')!r} does not match the file name")
    if raw.get("turnus") not in CADENCES:
        raise ContractError(f"{path}: unknown turnus {raw.get('turnus')!r}")
    tables = {
        name: Table(name, tuple(_column(c, f"{path}:{name}.{c.get('name')}") for c in spec["spalten"]))
        for name, spec in raw["tabellen"].items()
    }
    files = tuple(_file_spec(f, f"{path}: dateien[{i}]") for i, f in enumerate(raw["dateien"]))
    for spec in files:
        for sheet in spec.sheets:
            if sheet.tabelle not in tables:
                raise ContractError(f"{path}: file {spec.muster} names unknown table {sheet.tabelle}")
    return Contract(
        id=raw["id"],
        titel=raw["titel"],
        amt=raw["amt"],
        beschreibung=" ".join(str(raw.get("beschreibung", "")).split()),
        turnus=raw["turnus"],
        bezugsquartal=raw.get("bezugsquartal"),
        lieferfrist_tage=raw.get("lieferfrist_tage"),
        gebietsbezug=raw["gebietsbezug"],
        dateien=files,
        tabellen=tables,
        pruefungen=tuple(raw.get("pruefungen", ())),
        teil_aus_datei=raw.get("teil_aus_datei"),
        path=path,
    )


SOURCE_IDS = (
    "wohnplatz_grenzen",
    "gebietsreform",
    "strassenverzeichnis",
    "hauskoordinaten",
    "melderegister",
    "sgb2",
    "arbeitslosigkeit",
    "grundsicherung",
    "kita",
    "hze",
    "einschulung",
    "zahngesundheit",
    "pflege",
    "infrastruktur",
    "massnahmen",
)


def all_contracts() -> list[Contract]:
    return [load_contract(s) for s in SOURCE_IDS]
