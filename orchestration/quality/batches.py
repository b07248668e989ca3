"""Turning a suite's named batches into pandas DataFrames through a read-only DuckDB connection.

Batch SQL is plain DuckDB SQL with two small conveniences, rendered by a sandboxed Jinja
environment before DuckDB sees it:

- ``{{ batch('name') }}`` inlines another batch of the same suite as a parenthesised subquery,
  so a filtered view ("only municipalities without suppressed parts") does not repeat its base.
- ``{{ indikatoren_lang('marts.mart_pflege') }}`` turns a mart into long form
  ``(ebene, gebiet_id, kommune_ags, stichtag, indikator_id, wert, status)``. For a wide mart it
  takes every column that is an indicator id of ``core.dim_indikator`` (value) and its
  ``<id>_status`` column; a long mart (with ``indikator_id``) is passed through. Range, suppression
  and plausibility checks then work for every indicator a mart carries, including ones added later.
- ``{{ spalten_lang('marts.mart_jugendhilfe', {'kinder_0_2': 'kinder_0_2_status', ...}) }}`` does the
  same for named columns that are not indicators (counts such as age bands): long form
  ``(ebene, gebiet_id, kommune_ags, stichtag, spalte, wert, status)``; the mapping gives each column's
  status column (or none), a plain list means "no status column". Every named column must exist.

Run parameters are bound by DuckDB (``$stichtag``), never pasted into the SQL text.
"""
from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import duckdb

if TYPE_CHECKING:  # DuckDB's .df() brings pandas in when a batch is read
    import pandas as pd

from orchestration.quality.suites import Suite

INDICATOR_CATALOGUE = "core.dim_indikator"
LONG_KEY_COLUMNS = ("ebene", "gebiet_id", "kommune_ags", "stichtag")
_RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOCK_HINTS = ("could not set lock", "conflicting lock", "lock on file")


class BatchError(RuntimeError):
    """A batch that cannot be computed (bad SQL, a missing table or column, an empty result)."""


def connect_read_only(db_path: Any, *, wait_seconds: float = 60.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only, waiting while the single writer still holds its lock."""
    from orchestration.warehouse import connect

    deadline = time.monotonic() + wait_seconds
    delay = 0.25
    while True:
        try:
            return connect(db_path, read_only=True)
        except duckdb.IOException as exc:
            if not any(h in str(exc).lower() for h in _LOCK_HINTS) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def sql_environment():
    """The sandboxed Jinja environment batch SQL is rendered in (undefined names are errors)."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def render_batch_sql(suite: Suite, name: str, con: duckdb.DuckDBPyConnection) -> str:
    """The batch's SQL with its macros expanded (parameters stay as `$name` for DuckDB)."""
    from jinja2 import TemplateError

    try:
        return _render(suite, name, con)
    except TemplateError as exc:
        raise BatchError(f"batch '{name}': the SQL template cannot be rendered: {exc}") from exc


def _render(suite: Suite, name: str, con: duckdb.DuckDBPyConnection) -> str:
    environment = sql_environment()
    rendering: list[str] = []

    def render(batch_name: str) -> str:
        if batch_name not in suite.batches:
            raise BatchError(f"batch '{batch_name}' is not defined in suite {suite.name}")
        if batch_name in rendering:
            cycle = " -> ".join(rendering + [batch_name])
            raise BatchError(f"batches refer to each other in a cycle: {cycle}")
        rendering.append(batch_name)
        try:
            template = environment.from_string(suite.batches[batch_name].sql)
            return template.render(
                batch=lambda other: f"(\n{render(other)}\n)",
                indikatoren_lang=lambda relation: f"(\n{indicators_long_sql(con, relation)}\n)",
                spalten_lang=lambda relation, spalten: f"(\n{columns_long_sql(con, relation, spalten)}\n)",
            )
        finally:
            rendering.pop()

    return render(name)


def indicators_long_sql(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """SQL giving one row per area, Stichtag and indicator of `relation` (wide or long)."""
    if not _RELATION.match(relation):
        raise BatchError(f"'{relation}' is not a plain [schema.]table name")
    columns = _columns_of(con, relation)
    missing = [c for c in LONG_KEY_COLUMNS if c not in columns]
    if missing:
        raise BatchError(f"{relation} lacks the key column(s) {missing} needed for indikatoren_lang")
    keys = ", ".join(LONG_KEY_COLUMNS)
    if "indikator_id" in columns:
        status = "CAST(status AS VARCHAR)" if "status" in columns else "CAST(NULL AS VARCHAR)"
        return (f"SELECT {keys}, indikator_id, CAST(wert AS DOUBLE) AS wert, {status} AS status "
                f"FROM {relation}")
    catalogue = [r[0] for r in con.execute(
        f"SELECT indikator_id FROM {INDICATOR_CATALOGUE} ORDER BY indikator_id").fetchall()]
    indicators = [i for i in catalogue if i in columns]
    if not indicators:
        raise BatchError(f"{relation} has no column named like an indicator of {INDICATOR_CATALOGUE}")
    selects = []
    for indicator in indicators:
        status_column = f"{indicator}_status"
        status = (f'CAST("{status_column}" AS VARCHAR)' if status_column in columns
                  else "CAST(NULL AS VARCHAR)")
        selects.append(
            f"SELECT {keys}, '{indicator}' AS indikator_id, CAST(\"{indicator}\" AS DOUBLE) AS wert, "
            f"{status} AS status FROM {relation}"
        )
    return "\nUNION ALL\n".join(selects)


def columns_long_sql(con: duckdb.DuckDBPyConnection, relation: str, spalten: Any) -> str:
    """SQL giving one row per area, Stichtag and named column of `relation`, with its status."""
    if not _RELATION.match(relation):
        raise BatchError(f"'{relation}' is not a plain [schema.]table name")
    mapping = dict(spalten) if isinstance(spalten, Mapping) else {c: None for c in spalten}
    if not mapping:
        raise BatchError(f"spalten_lang({relation}) needs at least one column")
    bad = [c for c in [*mapping, *(v for v in mapping.values() if v)] if not _IDENTIFIER.match(str(c))]
    if bad:
        raise BatchError(f"spalten_lang({relation}): {bad} are not plain column names")
    columns = _columns_of(con, relation)
    wanted = [*LONG_KEY_COLUMNS, *mapping, *(s for s in mapping.values() if s)]
    missing = [c for c in dict.fromkeys(wanted) if c not in columns]
    if missing:
        raise BatchError(f"{relation} lacks the column(s) {missing} named in spalten_lang")
    keys = ", ".join(LONG_KEY_COLUMNS)
    selects = []
    for column, status_column in mapping.items():
        status = f'CAST("{status_column}" AS VARCHAR)' if status_column else "CAST(NULL AS VARCHAR)"
        selects.append(f"SELECT {keys}, '{column}' AS spalte, CAST(\"{column}\" AS DOUBLE) AS wert, "
                       f"{status} AS status FROM {relation}")
    return "\nUNION ALL\n".join(selects)


def _columns_of(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    try:
        return [row[0] for row in con.execute(f"DESCRIBE {relation}").fetchall()]
    except duckdb.Error as exc:
        raise BatchError(f"cannot read the columns of {relation}: {exc}") from exc


def read_batch(
    suite: Suite, name: str, con: duckdb.DuckDBPyConnection, parameters: Mapping[str, str], *,
    columns: Iterable[str] | None = None, ordered: bool = False,
) -> pd.DataFrame:
    """Run one batch and return its rows; an empty batch is an error unless the suite allows it.

    An empty batch would let every column expectation on it pass without looking at anything.

    `columns` reads only those of the batch's columns (the ones its expectations look at; names the batch
    lacks are left for GX to report): turning DuckDB's text columns into Python strings is most of what a
    batch costs, and the other columns matter only for the example rows of a failed expectation. Those come
    from a second read with `ordered=True`: every column, in `stable_order`. GX's results do not depend on
    the order of the rows, so the reads for checking leave it to DuckDB.
    """
    sql = render_batch_sql(suite, name, con)
    used = {p: parameters[p] for p in dict.fromkeys(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))}
    try:
        relation = con.sql(sql, params=used) if used else con.sql(sql)
        if columns is not None:
            wanted = [c for c in dict.fromkeys(columns) if c in relation.columns]
            relation = relation.select(*(duckdb.ColumnExpression(c) for c in wanted or relation.columns[:1]))
        if ordered:
            relation = relation.order(stable_order(relation.columns))
        frame = relation.df()
    except duckdb.Error as exc:
        raise BatchError(f"batch '{name}' failed in DuckDB: {exc}") from exc
    if frame.empty and not suite.batches[name].darf_leer_sein:
        raise BatchError(f"batch '{name}' returned no rows, so its checks would look at nothing")
    return frame


def columns_checked(expectations: Iterable[Any]) -> list[str] | None:
    """The batch columns `expectations` look at, or None when one of them needs every column (a table-level
    expectation such as the column set, or a `row_condition` that may name any column)."""
    columns: list[str] = []
    for spec in expectations:
        kwargs = spec.kwargs
        named = [kwargs.get(k) for k in ("column", "column_A", "column_B")] + list(kwargs.get("column_list") or ())
        named = [c for c in named if isinstance(c, str)]
        if not named or kwargs.get("row_condition"):
            return None
        columns.extend(named)
    return list(dict.fromkeys(columns))


def stable_order(columns: list[str]) -> str:
    """ORDER BY for a batch's rows: newest Stichtag first, then by every column, so the same data always
    give the same example rows.

    DuckDB returns rows of a parallel query in no fixed order; the example rows end up in the check's
    metadata and in mart_datenqualitaet, which must be the same for a re-run of the same data, and a
    planner wants to see the newest problem first.
    """
    order = sorted(columns, key=lambda c: c != "stichtag")
    quoted = ['"' + c.replace('"', '""') + '"' for c in order]
    return ", ".join(f"{q} {'DESC' if c == 'stichtag' else 'ASC'} NULLS LAST" for c, q in zip(order, quoted))
