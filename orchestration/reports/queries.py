"""The SQL of the Evidence project, read from its files: source queries and page queries.

Used to run every query with native DuckDB against a publication (tests, and a quick check before a
60-second build): source queries as Evidence runs them, page queries with `${params.*}`, `${inputs.*}`
and `${other_query}` resolved the way Evidence resolves them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_NAME = "sozialmonitoring"
_SQL_BLOCK = re.compile(r"^```sql\s+(?P<name>[\w$]+)\s*\n(?P<sql>.*?)^```", re.MULTILINE | re.DOTALL)
_DROPDOWN = re.compile(r"<Dropdown\b(?P<attrs>[^>]*)/?>", re.DOTALL)
_ATTR = re.compile(r'(?P<key>\w+)=(?:"(?P<q>[^"]*)"|\{(?P<b>[^}]*)\}|(?P<bare>[^\s/>]+))')
_COMPONENT_WITH_DATA = re.compile(r"<(?P<tag>[A-Z]\w*)\b(?P<attrs>[^>]*?\bdata=\{(?P<query>\w+)\}[^>]*)>",
                                  re.DOTALL)
_PARAM = re.compile(r"\$\{params\.(?P<name>\w+)\}")
_INPUT = re.compile(r"\$\{inputs\.(?P<name>\w+)\.value\}")
_CHAIN = re.compile(r"\$\{(?P<name>\w+)\}")


@dataclass(frozen=True)
class Dropdown:
    name: str
    data: str
    value: str
    default: str | None


@dataclass
class Page:
    path: str  # relative to the project, e.g. 'pages/wohnplatz/[wohnplatz].md'
    queries: dict[str, str]
    dropdowns: list[Dropdown] = field(default_factory=list)
    may_be_empty: set[str] = field(default_factory=set)  # queries only shown by components with emptySet=pass

    @property
    def params(self) -> list[str]:
        return sorted({m.group(1) for m in re.finditer(r"\[(\w+)\]", self.path)})


def _attrs(text: str) -> dict[str, str]:
    return {m.group("key"): next(g for g in (m.group("q"), m.group("b"), m.group("bare")) if g is not None)
            for m in _ATTR.finditer(text)}


def source_queries(reports_dir: Path, source: str = SOURCE_NAME) -> dict[str, str]:
    folder = reports_dir / "sources" / source
    return {f.stem: f.read_text(encoding="utf-8").strip() for f in sorted(folder.glob("*.sql"))}


def read_page(reports_dir: Path, page_file: Path) -> Page:
    text = page_file.read_text(encoding="utf-8")
    queries = {m.group("name"): m.group("sql").strip() for m in _SQL_BLOCK.finditer(text)}
    dropdowns = []
    for m in _DROPDOWN.finditer(text):
        attrs = _attrs(m.group("attrs"))
        dropdowns.append(Dropdown(attrs["name"], attrs["data"], attrs["value"], attrs.get("defaultValue")))
    users: dict[str, list[bool]] = {}
    for m in _COMPONENT_WITH_DATA.finditer(text):
        users.setdefault(m.group("query"), []).append(_attrs(m.group("attrs")).get("emptySet") == "pass")
    may_be_empty = {q for q, passes in users.items() if all(passes)}
    return Page(page_file.relative_to(reports_dir).as_posix(), queries, dropdowns, may_be_empty)


def pages(reports_dir: Path) -> list[Page]:
    return [read_page(reports_dir, f) for f in sorted((reports_dir / "pages").rglob("*.md"))]


def resolve(page: Page, name: str, params: dict[str, str], inputs: dict[str, str]) -> str:
    """The SQL of query `name` as Evidence runs it: params and input values filled in, chained queries
    (`${other}`) inlined as subqueries."""
    sql = page.queries[name]
    sql = _PARAM.sub(lambda m: params[m.group("name")], sql)
    sql = _INPUT.sub(lambda m: inputs[m.group("name")], sql)
    return _CHAIN.sub(lambda m: f"({resolve(page, m.group('name'), params, inputs)})", sql)


# How @evidence-dev/duckdb 2.0 types a source query's columns (duckdbDescribeToEvidenceType) and so how
# the site's parquet files store them: every number becomes DOUBLE (an INTEGER year casts to '2025.0'!),
# every date or timestamp a TIMESTAMP, anything else but BOOLEAN a string.
_EVIDENCE_NUMBER = re.compile(r"^(DECIMAL.*|DOUBLE|FLOAT|U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|HUGEINT)$")
_EVIDENCE_DATE = re.compile(r"^(DATE|TIMESTAMP.*)$")


def evidence_typed(con, sql: str) -> str:
    """`sql` wrapped so that its columns have the types the Evidence site gives them in the browser."""
    columns = []
    for name, column_type, *_ in con.execute(f"DESCRIBE ({sql})").fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        if _EVIDENCE_NUMBER.match(column_type):
            columns.append(f"CAST({quoted} AS DOUBLE) AS {quoted}")
        elif _EVIDENCE_DATE.match(column_type):
            columns.append(f"CAST({quoted} AS TIMESTAMP) AS {quoted}")
        elif column_type == "BOOLEAN":
            columns.append(quoted)
        else:
            columns.append(f"CAST({quoted} AS VARCHAR) AS {quoted}")
    return f"SELECT {', '.join(columns)} FROM ({sql})"


_FROM_TABLE = re.compile(r"\bfrom\s+(?P<table>[A-Za-z_][\w]*)", re.IGNORECASE)


def source_tables(reports_dir: Path, source: str = SOURCE_NAME) -> dict[str, str]:
    """Published table behind each source query (`select ... from <table> ...`), for lineage: the
    reports_site asset can declare these marts as its upstream assets."""
    tables = {}
    for name, sql in source_queries(reports_dir, source).items():
        match = _FROM_TABLE.search(sql)
        if match:
            tables[name] = match.group("table")
    return tables
