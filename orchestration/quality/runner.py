"""Running a mart's suite against the warehouse: batches as DataFrames, each expectation by GX.

`run_suite` opens the warehouse read-only, computes every batch the suite uses once, validates each
expectation on its batch with GX and returns a `SuiteResult`: per expectation whether it held, its
severity, what was observed and up to five example rows that broke it. An expectation whose batch
cannot be computed counts as failed ("nicht_ausfuehrbar") with its own severity, so a broken query
in front of an `error` check blocks publication instead of passing unnoticed.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

if TYPE_CHECKING:  # imported where batches are read (the Dagster definitions load this module, not pandas)
    import pandas as pd

from orchestration.quality.batches import BatchError, columns_checked, connect_read_only, read_batch
from orchestration.quality.gx_runtime import DataFrameValidator
from orchestration.quality.suites import PUBLISHED_MARTS, ExpectationSpec, Suite, load_suite

MAX_EXAMPLES = 5
STATUS_PASSED = "bestanden"
STATUS_FAILED = "verletzt"
STATUS_NOT_RUN = "nicht_ausfuehrbar"


@dataclass(frozen=True)
class ExpectationResult:
    pruefung: str
    kategorie: str
    severity: str
    beschreibung: str
    batch: str
    expectation_type: str
    success: bool
    status: str
    observed: Any = None
    element_count: int | None = None
    unexpected_count: int | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None

    @property
    def blocks(self) -> bool:
        return not self.success and self.severity == "error"

    def observed_text(self) -> str:
        """The observation in one short German line (for tables and mart_datenqualitaet)."""
        if self.status == STATUS_NOT_RUN:
            return f"nicht ausführbar: {self.message}"
        if self.unexpected_count is not None and self.element_count is not None:
            return f"{self.unexpected_count} von {self.element_count} Zeilen verletzt"
        if self.observed is not None:
            return f"beobachtet: {_short_json(self.observed)}"
        return ""


@dataclass(frozen=True)
class SuiteResult:
    mart: str
    suite: str
    parameters: Mapping[str, str]
    db_path: str
    started_at: str
    seconds: float
    results: tuple[ExpectationResult, ...]

    @property
    def success(self) -> bool:
        """True when nothing blocks publication (warnings may exist)."""
        return not self.failed_errors

    @property
    def failed(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success]

    @property
    def failed_errors(self) -> list[ExpectationResult]:
        return [r for r in self.results if r.blocks]

    @property
    def failed_warnings(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "warn"]

    @property
    def worst_severity(self) -> str | None:
        if self.failed_errors:
            return "error"
        if self.failed_warnings:
            return "warn"
        return None

    def summary(self) -> str:
        passed = len(self.results) - len(self.failed)
        return (f"{self.mart}: {passed}/{len(self.results)} Prüfungen bestanden, "
                f"{len(self.failed_errors)} Fehler (blockierend), {len(self.failed_warnings)} Warnungen")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["results"] = [asdict(r) for r in self.results]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SuiteResult":
        results = tuple(ExpectationResult(**r) for r in data["results"])
        return cls(**{**data, "results": results})


def normalise_parameters(parameters: Mapping[str, Any] | None) -> dict[str, str]:
    """Parameters as strings (dates as ISO), the form both DuckDB binding and GX comparisons use."""
    normalised = {}
    for name, value in (parameters or {}).items():
        if isinstance(value, datetime):
            value = value.date()
        normalised[name] = value.isoformat() if isinstance(value, date) else str(value)
    return normalised


def run_suite(
    mart: str,
    db_path: Path | str | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    suite: Suite | None = None,
    expectations_dir: Path | str | None = None,
    duckdb_threads: int | None = None,
) -> SuiteResult:
    """Validate one published mart in the warehouse at `db_path` (default: the project's warehouse).

    `parameters` must hold every parameter the suite declares, e.g. ``{"stichtag": "2026-09-30"}``
    for the freshness check: the Stichtag of the partition being published. `duckdb_threads` caps the
    threads of the suite's DuckDB connection (suites running side by side in processes share the cores).
    """
    from orchestration.settings import get_settings

    suite = suite or load_suite(mart, expectations_dir)
    params = normalise_parameters(parameters)
    missing = sorted(set(suite.parameters) - set(params))
    if missing:
        raise ValueError(f"suite {suite.name} needs the parameter(s) {missing} "
                         f"({'; '.join(f'{m}: {suite.parameters[m]}' for m in missing)})")
    target = Path(db_path) if db_path is not None else get_settings().warehouse
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.perf_counter()
    validator = DataFrameValidator()
    results: dict[str, ExpectationResult] = {}
    con = connect_read_only(target)
    if duckdb_threads:
        con.execute(f"SET threads = {int(duckdb_threads)}")
    try:
        for batch_name in suite.batches_in_use:
            expectations = suite.expectations_on(batch_name)
            try:
                frame = read_batch(suite, batch_name, con, params, columns=columns_checked(expectations))
            except BatchError as exc:
                for spec in expectations:
                    results[spec.pruefung] = _not_run(spec, str(exc))
                continue
            gx_batch = validator.batch(frame)
            examples = ExampleRows(lambda name=batch_name: read_batch(suite, name, con, params, ordered=True),
                                   validator, params)
            for spec in expectations:
                results[spec.pruefung] = _validate(spec, gx_batch, params, examples)
    finally:
        con.close()
    ordered = tuple(results[spec.pruefung] for spec in suite.expectations)
    return SuiteResult(
        mart=suite.mart,
        suite=suite.name,
        parameters=params,
        db_path=str(target),
        started_at=started_at,
        seconds=round(time.perf_counter() - clock, 3),
        results=ordered,
    )


def run_all_suites(
    db_path: Path | str | None = None,
    parameters: Mapping[str, Any] | None = None,
    *,
    marts: Iterable[str] = PUBLISHED_MARTS,
    expectations_dir: Path | str | None = None,
) -> dict[str, SuiteResult]:
    return {m: run_suite(m, db_path, parameters, expectations_dir=expectations_dir) for m in marts}


def _validate(spec: ExpectationSpec, gx_batch: Any, params: Mapping[str, str],
              examples: ExampleRows) -> ExpectationResult:
    try:
        outcome = gx_batch.validate(
            spec.expectation, result_format={"result_format": "BASIC"}, expectation_parameters=dict(params)
        )
    except Exception as exc:  # GX raises on some configuration errors instead of reporting them
        return _not_run(spec, f"GX: {exc}")
    error = _exception_message(outcome.exception_info)
    if error:
        return _not_run(spec, f"GX: {error}")
    result = outcome.result or {}
    success = bool(outcome.success)
    return ExpectationResult(
        pruefung=spec.pruefung,
        kategorie=spec.kategorie,
        severity=spec.severity,
        beschreibung=spec.beschreibung,
        batch=spec.batch,
        expectation_type=spec.type,
        success=success,
        status=STATUS_PASSED if success else STATUS_FAILED,
        observed=_json_safe(result.get("observed_value")),
        element_count=result.get("element_count"),
        unexpected_count=result.get("unexpected_count"),
        examples=[] if success else examples.breaking(spec),
    )


class ExampleRows:
    """The example rows of a batch's failed expectations: the first rows that broke one, in the batch's
    stable order (newest Stichtag first), with every column of the batch.

    The checks run on a read of only the columns they look at, in no fixed order. For examples the batch is
    read once more, complete and ordered, and the failed expectation runs again on that read: GX names the
    first rows it meets, so the same data always give the same examples. Only a batch with a failed
    expectation pays for the second read.
    """

    def __init__(self, read_ordered: Callable[[], pd.DataFrame], validator: DataFrameValidator,
                 params: Mapping[str, str]) -> None:
        self._read_ordered = read_ordered
        self._validator = validator
        self._params = dict(params)
        self._batch: tuple[pd.DataFrame, Any] | None = None

    def breaking(self, spec: ExpectationSpec) -> list[dict[str, Any]]:
        if self._batch is None:
            try:
                frame = self._read_ordered()
            except BatchError:  # the same SQL just ran; should it fail now, the result stands without examples
                return []
            self._batch = (frame, self._validator.batch(frame))
        frame, gx_batch = self._batch
        outcome = gx_batch.validate(
            spec.expectation,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES},
            expectation_parameters=dict(self._params),
        )
        return _example_rows(frame, (outcome.result or {}).get("partial_unexpected_index_list"))


def _not_run(spec: ExpectationSpec, message: str) -> ExpectationResult:
    return ExpectationResult(
        pruefung=spec.pruefung, kategorie=spec.kategorie, severity=spec.severity,
        beschreibung=spec.beschreibung, batch=spec.batch, expectation_type=spec.type,
        success=False, status=STATUS_NOT_RUN, message=message,
    )


def _exception_message(info: Any) -> str | None:
    """GX reports exceptions flat or per metric; collect the messages of whatever raised."""
    if not info:
        return None
    if isinstance(info, Mapping) and "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    if isinstance(info, Mapping):
        messages = [_exception_message(v) for v in info.values()]
        messages = [m for m in dict.fromkeys(messages) if m]
        return "; ".join(messages) or None
    return None


def _example_rows(frame: pd.DataFrame, index_list: Any) -> list[dict[str, Any]]:
    """The full batch rows behind GX's unexpected index list (GX itself only returns values)."""
    if not index_list:
        return []
    labels = [i for i in index_list if not isinstance(i, Mapping)][:MAX_EXAMPLES]
    rows = frame.loc[[label for label in labels if label in frame.index]]
    return [{str(k): _json_safe(v) for k, v in row.items()} for row in rows.to_dict(orient="records")]


def _json_safe(value: Any) -> Any:
    """Batch values as JSON: dates as ISO text, NaN/NaT/NA as null, numpy scalars as Python."""
    import pandas as pd  # already loaded: the values come from a batch's frame

    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _short_json(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
