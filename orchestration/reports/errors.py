"""Turn Evidence's output into messages that name the page or query and the error.

`evidence build` (39.x) exits 0 even when page queries fail: the failure is printed as
``<query> | Error in Query! <message>`` and rendered into the page as a red error box. So a build is
judged by three things: the CLI's exit code, these output lines, and error boxes in the built HTML.
Query names are mapped back to the pages (markdown files) that define them.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

# Printed by @evidence-dev/sdk when a page query fails during prerendering.
QUERY_ERROR = re.compile(r"^(?P<query>[\w$]+) \| Error in Query! (?P<message>.*)$")
# Printed by components (Value, BigValue, charts) that cannot render.
COMPONENT_ERROR = re.compile(r"^Error in (?P<component>[\w ]+): (?P<message>.*)$")
# SvelteKit's prerenderer on a page that threw.
PRERENDER_ERROR = re.compile(r"^Error: (?P<status>\d{3}) (?P<path>/\S*) \(linked from (?P<source>\S+)\)")
# `evidence sources` (exit 0 on a failed query!): "  <query> ✖ <error>", continued on the next lines.
SOURCE_QUERY_FAILED = re.compile(r"^\s*(?P<query>[\w-]+) [✖✘] (?P<message>.*)$")
SOURCE_PROCESSING = re.compile(r"^\s*\[Processing\] (?P<source>[\w-]+)")
SOURCE_CONNECTION_ERROR = re.compile(r"^\[ ! \] (?P<message>Error connecting to datasource .*)$")
SOURCE_NEXT_ITEM = re.compile(r"^(- |-----|\s+[\w-]+ [✔✖✘⚠])")

# The red boxes of core-components 4.8: ErrorChart (charts, tables) and ValueError (inline values).
HTML_CHART_ERROR = re.compile(
    r'<div class="font-bold text-center text-lg">\s*(?P<component>[^<]*?)\s*</div>\s*'
    r'<div class="text-center \[word-wrap:break-work\] text-xs">\s*(?P<message>[^<]*?)\s*(?:<|$)')
HTML_VALUE_ERROR = re.compile(
    r'<span class="inline font-sans font-medium text-xs text-red-600">error</span>\s*'
    r'<span class="hidden[^"]*"\s*>(?P<message>[^<]*)</span>')
SQL_BLOCK = re.compile(r"^```sql\s+(?P<name>[\w$]+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class SiteProblem:
    kind: str  # 'query', 'component', 'page', 'source'
    message: str
    query: str | None = None
    pages: tuple[str, ...] = ()

    def describe(self) -> str:
        where = []
        if self.pages:
            label = "source" if self.kind == "source" else "page"
            where.append(f"{label} " + ", ".join(self.pages))
        if self.query:
            where.append(f"query `{self.query}`")
        prefix = " / ".join(where) if where else self.kind
        return f"{prefix}: {self.message}"


def query_index(pages_dir: Path) -> dict[str, list[str]]:
    """Map each page query name to the page files (relative to pages/) that define it."""
    index: dict[str, list[str]] = {}
    for page in sorted(pages_dir.rglob("*.md")):
        rel = f"{pages_dir.name}/{page.relative_to(pages_dir).as_posix()}"
        for match in SQL_BLOCK.finditer(page.read_text(encoding="utf-8")):
            index.setdefault(match.group("name"), []).append(rel)
    return index


def problems_in_build_output(lines: list[str], queries: dict[str, list[str]]) -> list[SiteProblem]:
    """Query and component errors from `evidence build` output, once each."""
    found: dict[tuple, SiteProblem] = {}
    for line in lines:
        text = line.strip()
        if m := QUERY_ERROR.match(text):
            name = m.group("query")
            problem = SiteProblem("query", m.group("message").strip(), name, tuple(queries.get(name, ())))
        elif m := PRERENDER_ERROR.match(text):
            problem = SiteProblem("page", f"HTTP {m.group('status')} while prerendering "
                                          f"(linked from {m.group('source')})", pages=(m.group("path"),))
        elif m := COMPONENT_ERROR.match(text):
            problem = SiteProblem("component", f"{m.group('component')}: {m.group('message').strip()}")
        else:
            continue
        found.setdefault((problem.kind, problem.query, problem.pages, problem.message), problem)
    return list(found.values())


def problems_in_source_output(lines: list[str]) -> list[SiteProblem]:
    """Failed source queries from `evidence sources` output: the .sql file and the database's message."""
    problems: list[SiteProblem] = []
    source = "sozialmonitoring"
    for i, line in enumerate(lines):
        if m := SOURCE_PROCESSING.match(line):
            source = m.group("source")
        elif m := SOURCE_CONNECTION_ERROR.match(line.strip()):
            problems.append(SiteProblem("source", m.group("message").strip(), pages=(f"sources/{source}/",)))
        elif m := SOURCE_QUERY_FAILED.match(line):
            detail = [m.group("message").strip()]
            # DuckDB continues its message on the next lines ("Did you mean ...", "LINE 1: ...")
            for follow in lines[i + 1:i + 8]:
                if SOURCE_NEXT_ITEM.match(follow):
                    break
                if follow.strip():
                    detail.append(follow.strip())
            problems.append(SiteProblem("source", " ".join(detail), m.group("query"),
                                        (f"sources/{source}/{m.group('query')}.sql",)))
    return problems


def problems_in_html(build_dir: Path) -> list[SiteProblem]:
    """Error boxes rendered into the built pages, named by the page's URL path."""
    problems: list[SiteProblem] = []
    for page in sorted(build_dir.rglob("index.html")):
        rel = page.parent.relative_to(build_dir).as_posix()
        url = "/" if rel == "." else f"/{rel}/"
        if url.startswith(("/api/", "/_app/", "/explore/", "/settings/")):
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        for m in HTML_CHART_ERROR.finditer(text):
            problems.append(SiteProblem("page", f"{html.unescape(m.group('component'))}: "
                                                f"{html.unescape(m.group('message'))}", pages=(url,)))
        for m in HTML_VALUE_ERROR.finditer(text):
            problems.append(SiteProblem("page", f"Value: {html.unescape(m.group('message'))}", pages=(url,)))
    return problems
