"""Presenting suite results: markdown for the Dagster UI and the command line, rows for planners.

`datenqualitaet_rows` turns SuiteResults into the rows of `mart_datenqualitaet` (one per mart and
check, German column names and values, because planners read that table on the report site).
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from orchestration.quality.runner import STATUS_NOT_RUN, ExpectationResult, SuiteResult

# The columns of mart_datenqualitaet as the publication writes them (orchestration/publish/publication.py);
# tests/test_quality.py fails if the two drift apart.
DATENQUALITAET_COLUMNS: tuple[str, ...] = (
    "publikation_id",  # the publication (run id) the checks belong to
    "ebene",           # 'gx' for these suites ('dbt', 'frist' for the other layers)
    "quelle",          # source id where a check concerns one source; NULL for mart suites
    "objekt",          # the checked asset, e.g. 'marts/mart_pflege'
    "pruefung",        # check id (meta.pruefung of the expectation)
    "schweregrad",     # 'error' blocks publication, 'warn' is published with the data
    "status",          # 'bestanden', 'fehler' (an error check failed), 'warnung' (a warn check failed)
    "beschreibung",    # what the check promises, in German
    "details",         # Stichtag, what was observed, example rows when it failed
)
STATUS_FAILED = {"error": "fehler", "warn": "warnung"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "\\|").replace("\n", " ")


def examples_markdown(examples: list[Mapping[str, Any]]) -> str:
    if not examples:
        return ""
    columns = list(dict.fromkeys(k for row in examples for k in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in examples]
    return "\n".join(lines)


def failure_markdown(result: SuiteResult) -> str:
    """Failed expectations as a table, then the example rows of each (errors first)."""
    failed = sorted(result.failed, key=lambda r: (r.severity != "error", r.pruefung))
    if not failed:
        return f"Alle {len(result.results)} Prüfungen von {result.mart} bestanden."
    lines = [f"**{result.summary()}** (Stichtag {result.parameters.get('stichtag', '?')})", "",
             "| Prüfung | Schwere | Kategorie | Beschreibung | Beobachtet |", "|---|---|---|---|---|"]
    lines += [f"| {r.pruefung} | {r.severity} | {r.kategorie} | {_cell(r.beschreibung)} "
              f"| {_cell(r.observed_text())} |" for r in failed]
    for r in failed:
        if r.examples:
            lines += ["", f"*{r.pruefung}*: Beispiele (höchstens 5)", "", examples_markdown(r.examples)]
    return "\n".join(lines)


def failures_json(result: SuiteResult) -> list[dict[str, Any]]:
    return [
        {"pruefung": r.pruefung, "severity": r.severity, "kategorie": r.kategorie, "status": r.status,
         "beschreibung": r.beschreibung, "batch": r.batch, "expectation_type": r.expectation_type,
         "beobachtet": r.observed, "unexpected_count": r.unexpected_count, "element_count": r.element_count,
         "meldung": r.message, "beispiele": r.examples}
        for r in result.failed
    ]


def details_text(r: ExpectationResult, stichtag: str | None = None) -> str:
    """One German line for planners: the observation, plus up to three example rows when it failed."""
    text = r.observed_text()
    if stichtag:
        text = f"Stichtag {stichtag}: {text}" if text else f"Stichtag {stichtag}"
    if r.success or r.status == STATUS_NOT_RUN or not r.examples:
        return text
    keys = ("ebene", "gebiet_id", "gebiet_gesamt", "stichtag", "indikator_id")
    shown = []
    for row in r.examples[:3]:
        ident = ", ".join(f"{k}={row[k]}" for k in keys if row.get(k) is not None)
        shown.append(ident or json.dumps(row, ensure_ascii=False))
    return f"{text}; z. B. " + "; ".join(shown)


def datenqualitaet_rows(results: Iterable[SuiteResult], publikation_id: str | None) -> list[dict[str, Any]]:
    """Rows for mart_datenqualitaet, one per mart and expectation, keys in DATENQUALITAET_COLUMNS order."""
    rows = []
    for result in results:
        stichtag = result.parameters.get("stichtag")
        for r in result.results:
            rows.append({
                "publikation_id": publikation_id,
                "ebene": "gx",
                "quelle": None,
                "objekt": f"marts/{result.mart}",
                "pruefung": r.pruefung,
                "schweregrad": r.severity,
                "status": "bestanden" if r.success else STATUS_FAILED[r.severity],
                "beschreibung": r.beschreibung,
                "details": details_text(r, stichtag),
            })
    return rows


def datenqualitaet_frame(results: Iterable[SuiteResult], publikation_id: str | None):
    """The same rows as a pandas DataFrame with the columns in their documented order."""
    import pandas as pd

    return pd.DataFrame(datenqualitaet_rows(results, publikation_id), columns=list(DATENQUALITAET_COLUMNS))
