"""Loading the GX suites of the published marts from `expectations/<mart>.json`.

A suite file is GX's own suite format (name, expectations, meta, notes) with a few conventions of
ours in `meta`:

- ``meta.batches``: named, small read-only SQL queries over the warehouse (the views a check needs:
  the completeness grid, sums per municipality, changes between observations, ...). Each batch is
  ``{"beschreibung": ..., "sql": ..., "darf_leer_sein": false}`` (``sql`` a string or a list of
  lines); the SQL may use DuckDB parameters
  (``$stichtag``) and the macros of :mod:`orchestration.quality.batches`.
- ``meta.parameter``: the run parameters the suite needs (``{"stichtag": "<what it means>"}``).
- every expectation's ``meta``: ``pruefung`` (a unique check id), ``batch`` (which batch it runs on),
  ``severity`` (``error`` blocks publication, ``warn`` is reported), ``kategorie`` and a German
  ``beschreibung`` for planners; ``notes`` explain the why to engineers.

GX drops an expectation it cannot build with nothing but a log line, and raises on others. Either
way a suite that is not exactly what the file says must never run, so the loader compares the
number of expectations in the file with the number GX built and refuses the suite otherwise.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from orchestration.quality.gx_runtime import gx
from orchestration.settings import get_settings

PUBLISHED_MARTS: tuple[str, ...] = (
    "mart_sozialmonitoring",
    "mart_indikatoren",
    "mart_sozialindex",
    "mart_pflege",
    "mart_jugendhilfe",
    "mart_sozialindex_komponenten",
    # the planning products of issue 9 (built on the marts above)
    "mart_handlungsraeume",
    "mart_massnahmen",
    "mart_priorisierung",
)
SEVERITIES: tuple[str, ...] = ("error", "warn")
KATEGORIEN: tuple[str, ...] = (
    "struktur",
    "vollstaendigkeit",
    "wertebereich",
    "konsistenz",
    "plausibilitaet",
    "geheimhaltung",
    "aktualitaet",
)
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_SQL_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_BATCH_REFERENCE = re.compile(r"""batch\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")


class SuiteError(ValueError):
    """A suite file that must not run: unreadable, incomplete, or not what GX loaded."""


@dataclass(frozen=True)
class BatchSpec:
    name: str
    sql: str
    beschreibung: str
    darf_leer_sein: bool = False

    @property
    def sql_parameters(self) -> set[str]:
        return set(_SQL_PARAMETER.findall(self.sql))

    @property
    def referenced_batches(self) -> set[str]:
        return set(_BATCH_REFERENCE.findall(self.sql))


@dataclass(frozen=True)
class ExpectationSpec:
    pruefung: str
    kategorie: str
    severity: str
    batch: str
    beschreibung: str
    notes: str
    type: str
    kwargs: Mapping[str, Any]
    expectation: Any = field(repr=False, compare=False)  # the GX Expectation object


@dataclass(frozen=True)
class Suite:
    name: str
    mart: str
    beschreibung: str
    parameters: Mapping[str, str]
    batches: Mapping[str, BatchSpec]
    expectations: tuple[ExpectationSpec, ...]
    path: Path

    def expectations_on(self, batch: str) -> list[ExpectationSpec]:
        return [e for e in self.expectations if e.batch == batch]

    @property
    def batches_in_use(self) -> list[str]:
        """Batches some expectation runs on, in the order of first use."""
        return list(dict.fromkeys(e.batch for e in self.expectations))


def suite_path(mart: str, directory: Path | str | None = None) -> Path:
    base = Path(directory) if directory is not None else get_settings().expectations_dir
    return base / f"{mart}.json"


def load_suite(mart: str, directory: Path | str | None = None) -> Suite:
    """Load and vet the suite of one published mart."""
    return load_suite_file(suite_path(mart, directory))


def load_all_suites(directory: Path | str | None = None) -> dict[str, Suite]:
    """Every published mart's suite; a missing file is an error, not a silently skipped mart."""
    return {mart: load_suite(mart, directory) for mart in PUBLISHED_MARTS}


def load_suite_file(path: Path | str) -> Suite:
    path = Path(path)
    if not path.is_file():
        raise SuiteError(f"{path}: suite file not found")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON ({exc})") from exc
    problems = list(_structure_problems(document))
    if problems:
        raise SuiteError(f"{path}: " + "; ".join(problems))

    meta = document["meta"]
    batches = _batches(meta["batches"])
    parameters = dict(meta.get("parameter", {}))
    raw_expectations = document["expectations"]
    if document["name"] != path.stem:
        raise SuiteError(f"{path}: the suite is named {document['name']!r}; name and file must match")
    for check in (lambda: _expectation_meta_problems(raw_expectations, batches),  # the later checks need meta
                  lambda: [*_batch_problems(batches, raw_expectations),
                           *_parameter_problems(parameters, batches, raw_expectations)]):
        problems = list(check())
        if problems:
            raise SuiteError(f"{path}: " + "; ".join(problems))

    gx_suite = _build_gx_suite(path, document)
    expectations = tuple(_expectation_spec(e) for e in gx_suite.expectations)
    return Suite(
        name=document["name"],
        mart=meta.get("mart", document["name"]),
        beschreibung=meta.get("beschreibung", ""),
        parameters=parameters,
        batches=batches,
        expectations=expectations,
        path=path,
    )


def _structure_problems(document: Any) -> Iterator[str]:
    if not isinstance(document, dict):
        yield "the top level must be a JSON object"
        return
    if not isinstance(document.get("name"), str) or not document["name"]:
        yield "'name' must be a non-empty string"
    if not isinstance(document.get("expectations"), list) or not document["expectations"]:
        yield "'expectations' must be a non-empty list"
    meta = document.get("meta")
    if not isinstance(meta, dict):
        yield "'meta' must be an object"
        return
    if not isinstance(meta.get("batches"), dict) or not meta["batches"]:
        yield "'meta.batches' must name at least one batch"
    if "parameter" in meta and not isinstance(meta["parameter"], dict):
        yield "'meta.parameter' must be an object {name: description}"


def _batches(raw: Mapping[str, Any]) -> dict[str, BatchSpec]:
    batches = {}
    for name, spec in raw.items():
        if not _SLUG.match(name):
            raise SuiteError(f"batch name '{name}' must be lower_snake_case")
        sql = spec.get("sql") if isinstance(spec, dict) else None
        if isinstance(sql, list) and all(isinstance(line, str) for line in sql):
            sql = "\n".join(sql)  # lines keep long queries readable in JSON
        if not isinstance(sql, str) or not sql.strip():
            raise SuiteError(f"batch '{name}' needs a non-empty 'sql' (a string or a list of lines)")
        batches[name] = BatchSpec(
            name=name,
            sql=sql,
            beschreibung=str(spec.get("beschreibung", "")),
            darf_leer_sein=bool(spec.get("darf_leer_sein", False)),
        )
    return batches


def _expectation_meta_problems(raw_expectations: list[Any],
                               batches: Mapping[str, BatchSpec]) -> Iterator[str]:
    seen: set[str] = set()
    for position, raw in enumerate(raw_expectations, start=1):
        where = f"expectation #{position}"
        if not isinstance(raw, dict):
            yield f"{where} is not an object"
            continue
        meta = raw.get("meta")
        if not isinstance(meta, dict):
            yield f"{where} ({raw.get('type')}) has no 'meta' object"
            continue
        pruefung = meta.get("pruefung")
        if not isinstance(pruefung, str) or not _SLUG.match(pruefung):
            yield f"{where} needs 'meta.pruefung' in lower_snake_case"
        elif pruefung in seen:
            yield f"{where}: 'meta.pruefung' {pruefung!r} is used twice"
        else:
            seen.add(pruefung)
            where = f"expectation {pruefung!r}"
        if meta.get("severity") not in SEVERITIES:
            yield f"{where}: 'meta.severity' must be one of {SEVERITIES}, not {meta.get('severity')!r}"
        if meta.get("kategorie") not in KATEGORIEN:
            yield f"{where}: 'meta.kategorie' must be one of {KATEGORIEN}, not {meta.get('kategorie')!r}"
        if meta.get("batch") not in batches:
            yield f"{where}: 'meta.batch' {meta.get('batch')!r} is not a batch of the suite"
        if not isinstance(meta.get("beschreibung"), str) or not meta["beschreibung"].strip():
            yield f"{where} needs a German 'meta.beschreibung'"


def _batch_problems(batches: Mapping[str, BatchSpec], raw_expectations: list[Any]) -> Iterator[str]:
    from jinja2 import TemplateSyntaxError

    from orchestration.quality.batches import sql_environment

    used = {e["meta"]["batch"] for e in raw_expectations}
    referenced = set().union(*(b.referenced_batches for b in batches.values()))
    environment = sql_environment()
    for name, batch in batches.items():
        try:
            environment.parse(batch.sql)
        except TemplateSyntaxError as exc:
            yield f"batch '{name}': the SQL template does not parse ({exc.message}, line {exc.lineno})"
        unknown = batch.referenced_batches - set(batches)
        if unknown:
            yield f"batch '{name}' refers to unknown batch(es) {sorted(unknown)}"
        if name not in used and name not in referenced:
            yield f"batch '{name}' is neither checked nor used by another batch"


def _parameter_problems(
    parameters: Mapping[str, str], batches: Mapping[str, BatchSpec], raw_expectations: list[Any]
) -> Iterator[str]:
    for name, batch in batches.items():
        for undeclared in sorted(batch.sql_parameters - set(parameters)):
            yield f"batch '{name}' uses ${undeclared}, which 'meta.parameter' does not declare"
    for raw in raw_expectations:
        for undeclared in sorted(set(_parameter_references(raw.get("kwargs"))) - set(parameters)):
            yield (f"expectation {raw['meta'].get('pruefung')!r} uses $PARAMETER {undeclared!r}, "
                   "which 'meta.parameter' does not declare")


def _parameter_references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            yield str(value["$PARAMETER"])
            return
        for item in value.values():
            yield from _parameter_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _parameter_references(item)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _build_gx_suite(path: Path, document: Mapping[str, Any]) -> Any:
    """Let GX build the suite; refuse it unless every expectation of the file survived."""
    module = gx()
    expected = len(document["expectations"])
    gx_logger = logging.getLogger("great_expectations.core.expectation_suite")
    capture = _Capture()
    gx_logger.addHandler(capture)
    propagate, gx_logger.propagate = gx_logger.propagate, False  # keep GX's traceback out of our logs
    try:
        suite = module.ExpectationSuite(
            name=document["name"],
            expectations=[dict(e) for e in document["expectations"]],
            meta=dict(document["meta"]),
            notes=document.get("notes"),
        )
    except Exception as exc:  # GX raises pydantic errors for bad kwargs instead of dropping
        raise SuiteError(f"{path}: GX cannot build the suite: {exc}") from exc
    finally:
        gx_logger.removeHandler(capture)
        gx_logger.propagate = propagate
    loaded = len(suite.expectations)
    if loaded != expected:
        names_in_file = [e["meta"]["pruefung"] for e in document["expectations"]]
        names_loaded = {e.meta.get("pruefung") for e in suite.expectations}
        dropped = [n for n in names_in_file if n not in names_loaded]
        reasons = "; ".join(dict.fromkeys(capture.messages)) or "no reason logged"
        raise SuiteError(
            f"{path}: the file has {expected} expectations but GX loaded {loaded} "
            f"(dropped: {', '.join(dropped) or '?'}; GX said: {reasons})"
        )
    return suite


def _expectation_spec(expectation: Any) -> ExpectationSpec:
    meta = expectation.meta
    config = expectation.configuration
    notes = expectation.notes
    if isinstance(notes, list):
        notes = "\n".join(notes)
    return ExpectationSpec(
        pruefung=meta["pruefung"],
        kategorie=meta["kategorie"],
        severity=meta["severity"],
        batch=meta["batch"],
        beschreibung=meta["beschreibung"],
        notes=notes or "",
        type=config.type,
        kwargs=dict(config.kwargs),
        expectation=expectation,
    )
