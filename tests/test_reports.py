"""Report site (Evidence) without building it: project files, queries against a publication, wrapper parts.

The slow tests (real `evidence build`, browser) are in test_reports_site.py.
"""
from __future__ import annotations

import json
import os
import stat
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from fixtures.reports_publication import BEKANNTER_WOHNPLATZ, write_publication
from orchestration.reports import queries
from orchestration.reports.errors import (
    problems_in_build_output,
    problems_in_html,
    problems_in_source_output,
    query_index,
)
from orchestration.reports.npm import ensure_dependencies, lockfile_hash
from orchestration.reports.preflight import PreflightError, check_toolchain, parse_version
from orchestration.reports.process import StepTimeout, run_step
from orchestration.reports.serve import SiteServer
from orchestration.reports.site import ReportBuildError, built_pages, check_base_path, evidence_env, SiteConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPORTS = PROJECT_ROOT / "reports"
PINNED = {"@evidence-dev/evidence": "39.1.13", "@evidence-dev/core-components": "4.8.10",
          "@evidence-dev/duckdb": "2.0.1", "typescript": "5.4.2"}


# ------------------------------------------------------------------------------------ the project files

def test_dependencies_are_pinned_exactly_and_locked():
    package = json.loads((REPORTS / "package.json").read_text())
    assert package["dependencies"] == PINNED
    lock = json.loads((REPORTS / "package-lock.json").read_text())
    for name, version in PINNED.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    # every package the lockfile names can be installed by `npm ci` on this registry (no 404 platform builds)
    assert lock["packages"]["node_modules/@duckdb/node-api"]["version"] == package["overrides"]["@duckdb/node-api"]


def test_telemetry_is_off_and_only_needed_plugins_are_listed():
    assert json.loads((REPORTS / "evidence.settings.json").read_text())["send_anonymous_usage_stats"] == "no"
    plugins = (REPORTS / "evidence.plugins.yaml").read_text()
    assert '"@evidence-dev/core-components": {}' in plugins and '"@evidence-dev/duckdb": {}' in plugins
    env = evidence_env(SiteConfig(REPORTS, Path("/x/monitoring.duckdb"), Path("/x/w.geojson")))
    assert env["SEND_ANONYMOUS_USAGE_STATS"] == "no" and env["npm_config_offline"] == "true"


def test_source_queries_are_one_line_selects_from_published_tables():
    sources = queries.source_queries(REPORTS)
    assert {"indikatoren", "sozialmonitoring", "sozialindex", "pflege", "jugendhilfe", "datenqualitaet",
            "wohnplaetze", "indikatorkatalog", "publikation"} <= set(sources)
    for name, sql in sources.items():
        assert "\n" not in sql, name
        assert sql.lower().startswith("select "), name
        assert " from mart_" in sql or " from dim_" in sql or sql.endswith("from publikation"), name


def test_publication_path_is_passed_relative_to_the_source_folder(tmp_path):
    """The duckdb connector joins `filename` onto the source folder; an absolute path would break."""
    pub = tmp_path / "elsewhere" / "monitoring.duckdb"
    env = evidence_env(SiteConfig(REPORTS, pub, tmp_path / "w.geojson"))
    relative = env["EVIDENCE_SOURCE__sozialmonitoring__filename"]
    assert not os.path.isabs(relative)
    assert (REPORTS / "sources" / "sozialmonitoring" / relative).resolve() == pub.resolve()


def test_every_page_is_german_and_suppression_is_spelled_out():
    pages = {p.path: p for p in queries.pages(REPORTS)}
    assert set(pages) >= {"pages/index.md", "pages/wohnplatz/index.md", "pages/wohnplatz/[wohnplatz].md",
                          "pages/pflege.md", "pages/jugendhilfe.md", "pages/datenqualitaet.md",
                          "pages/methodik.md"}
    text = "".join((REPORTS / p).read_text() for p in pages)
    assert "'gesperrt' then 'gesperrt'" in text  # a suppressed cell reads "gesperrt", not 0 or empty
    assert "basemap=" in text and "https://" not in text  # no tiles or files from the internet


# --------------------------------------------------------------- every query against a publication

@pytest.fixture(scope="module")
def fixture_publication(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("publication")
    write_publication(folder / "monitoring.duckdb", folder / "wohnplaetze.geojson", wohnplaetze_je_kommune=2)
    return folder / "monitoring.duckdb"


def evidence_like_connection(publication: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with schema `sozialmonitoring` holding each source query's result, as the
    Evidence site has it (its parquet files), built from the publication opened read-only."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{publication}' AS pub (READ_ONLY)")
    con.execute("CREATE SCHEMA sozialmonitoring")
    for name, sql in queries.source_queries(REPORTS).items():
        con.execute("SET search_path = 'pub.main'")
        con.execute(f"CREATE TABLE memory.sozialmonitoring.{name} AS {sql}")
    con.execute("SET search_path = 'memory.main'")
    return con


def run_all_page_queries(con: duckdb.DuckDBPyConnection, wohnplatz_ids: list[str]) -> int:
    """Run every query of every page (each templated page for every Wohnplatz; the queries behind a
    dropdown for each value it offers); fail on errors and on empty results that no component allows."""
    ran, empty = 0, []

    def run(page, name, params, inputs) -> None:
        nonlocal ran
        sql = queries.resolve(page, name, params, inputs)
        try:
            rows = len(con.execute(sql).fetchall())
        except duckdb.Error as exc:
            raise AssertionError(f"{page.path} query {name} ({params} {inputs}) failed: {exc}") from exc
        ran += 1
        if rows == 0 and name not in page.may_be_empty:
            empty.append(f"{page.path}:{name}:{params}:{inputs}")

    for page in queries.pages(REPORTS):
        defaults = {d.name: d.default for d in page.dropdowns}
        for params in ([{"wohnplatz": w} for w in wohnplatz_ids] if "wohnplatz" in page.params else [{}]):
            for name in page.queries:
                run(page, name, params, defaults)
            for d in page.dropdowns:  # every value a planner can pick
                dependent = [n for n in page.queries
                             if "\u00a7" in queries.resolve(page, n, params, {**defaults, d.name: "\u00a7"})]
                options = con.execute(queries.resolve(page, d.data, params, defaults)).fetchdf()[d.value]
                for option in options:
                    for name in dependent:
                        run(page, name, params, {**defaults, d.name: str(option)})
    assert not empty, "queries without rows:\n" + "\n".join(empty[:30])
    return ran


def test_every_source_query_returns_rows(fixture_publication):
    con = duckdb.connect(str(fixture_publication), read_only=True)
    for name, sql in queries.source_queries(REPORTS).items():
        assert con.execute(f"select count(*) from ({sql})").fetchone()[0] > 0, name


def test_every_page_query_returns_rows_on_the_fixture_publication(fixture_publication):
    con = evidence_like_connection(fixture_publication)
    ids = [r[0] for r in con.execute("select wohnplatz_id from sozialmonitoring.wohnplaetze").fetchall()]
    ran = run_all_page_queries(con, ids)
    # the things the pages promise, checked on their data
    vergleich = con.execute(queries.resolve(queries.read_page(REPORTS, REPORTS / "pages/wohnplatz/[wohnplatz].md"),
                                            "vergleich", {"wohnplatz": BEKANNTER_WOHNPLATZ[0]}, {})).fetchdf()
    assert not vergleich.empty and vergleich["wohnplatz"].notna().all()  # every indicator shows a text
    assert (vergleich["wohnplatz"] != "0").all()
    assert ran > 100


def test_suppressed_values_read_gesperrt_on_the_wohnplatz_page(fixture_publication):
    con = evidence_like_connection(fixture_publication)
    page = queries.read_page(REPORTS, REPORTS / "pages/wohnplatz/[wohnplatz].md")
    gesperrt = con.execute("select gebiet_id, indikator_name from sozialmonitoring.indikatoren "
                           "where status = 'gesperrt' and ebene = 'wohnplatz' and stichtag = "
                           "(select max(stichtag) from sozialmonitoring.indikatoren i2 where i2.indikator_id = "
                           "indikatoren.indikator_id) limit 1").fetchone()
    assert gesperrt, "the fixture has a suppressed cell at an indicator's latest Stichtag"
    rows = con.execute(queries.resolve(page, "vergleich", {"wohnplatz": gesperrt[0]}, {})).fetchdf()
    cell = rows.loc[rows["indikator"] == gesperrt[1], "wohnplatz"].iloc[0]
    assert cell == "gesperrt"


@pytest.mark.slow
def test_every_page_query_returns_rows_on_the_demo_publication(demo_world):
    con = evidence_like_connection(demo_world.published)
    ids = [r[0] for r in con.execute("select wohnplatz_id from sozialmonitoring.wohnplaetze").fetchall()]
    assert len(ids) == 81
    run_all_page_queries(con, ids)


# ------------------------------------------------------------------------------------- pre-flight

def _fake_tool(folder: Path, name: str, output: str, exit_code: int = 0) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{output}'\nexit {exit_code}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_preflight_names_what_to_install_when_node_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    started = time.monotonic()
    with pytest.raises(PreflightError, match=r"node and npm not found.*Install Node.js"):
        check_toolchain()
    assert time.monotonic() - started < 5


def test_preflight_rejects_an_old_node(tmp_path, monkeypatch):
    _fake_tool(tmp_path, "node", "v16.20.2")
    _fake_tool(tmp_path, "npm", "8.19.4")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PreflightError, match=r"Node.js 16.20.2 is too old.*>= 18.13.0"):
        check_toolchain()


def test_preflight_rejects_an_old_npm(tmp_path, monkeypatch):
    _fake_tool(tmp_path, "node", "v20.11.0")
    _fake_tool(tmp_path, "npm", "6.14.18")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PreflightError, match=r"npm 6.14.18 is too old"):
        check_toolchain()


def test_preflight_accepts_this_machine():
    toolchain = check_toolchain()
    assert toolchain.node_version >= (18, 13, 0)
    assert parse_version("v20.20.2\n") == (20, 20, 2)


# ----------------------------------------------------------------------------- npm ci and its stamp

def test_npm_ci_runs_once_per_lockfile(tmp_path):
    project = tmp_path / "reports"
    project.mkdir()
    (project / "package-lock.json").write_text('{"lockfileVersion": 3}')
    log = tmp_path / "npm.log"
    fake_npm = tmp_path / "npm"
    fake_npm.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\nmkdir -p node_modules/.bin\n"
                        "touch node_modules/.bin/evidence\necho installed\n")
    fake_npm.chmod(0o755)
    lines: list[str] = []
    assert ensure_dependencies(project, str(fake_npm), on_line=lines.append) is not None
    assert ensure_dependencies(project, str(fake_npm), on_line=lines.append) is None
    assert log.read_text().count("ci ") == 1
    assert any("skipped: package-lock.json unchanged" in line for line in lines)
    (project / "package-lock.json").write_text('{"lockfileVersion": 3, "changed": true}')
    assert ensure_dependencies(project, str(fake_npm)) is not None
    assert log.read_text().count("ci ") == 2
    assert (project / "node_modules" / ".sozialmonitor-npm-ci.sha256").read_text().strip() == lockfile_hash(project)


# ------------------------------------------------------------------------- steps: streaming, timeout

def test_step_output_is_streamed_line_by_line(tmp_path):
    seen: list[tuple[float, str]] = []
    script = "import time\nfor i in range(3):\n    print(f'zeile {i}', flush=True)\n    time.sleep(0.3)\n"
    result = run_step("demo", [sys.executable, "-c", script], cwd=tmp_path, env=os.environ, timeout_s=30,
                      on_line=lambda line: seen.append((time.monotonic(), line)))
    assert result.ok and [line for _, line in seen] == ["[demo] zeile 0", "[demo] zeile 1", "[demo] zeile 2"]
    assert seen[-1][0] - seen[0][0] > 0.4  # arrived while the process ran, not at its end


def test_step_timeout_stops_the_process_group(tmp_path):
    marker = tmp_path / "child.pid"
    script = f"sh -c 'sleep 60 & echo $! > {marker}; wait'"
    started = time.monotonic()
    with pytest.raises(StepTimeout, match="did not finish within 1 s"):
        run_step("hang", ["sh", "-c", script], cwd=tmp_path, env=os.environ, timeout_s=1)
    assert time.monotonic() - started < 15
    child = int(marker.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]


# ---------------------------------------------------------------------- error messages from the CLI

BUILD_OUTPUT = """\
✓ built in 44.49s
kennzahlen | Error in Query! Invalid Error: Thousand separators are not supported for floating point numbers
kennzahlen | Error in Query! Invalid Error: Thousand separators are not supported for floating point numbers
Error in Value: Row 0 does not exist in the dataset
Failed to load GeoJSON at URL '/geo/wohnplaetze.geojson': TypeError: Failed to parse URL from /geo/wohnplaetze.geojson
Error: 500 /jugendhilfe/ (linked from /jugendhilfe)
""".splitlines()

SOURCES_OUTPUT = """\
  [Processing] sozialmonitoring
- Processing...
  indikatoren ✔ Finished, wrote 18750 rows.
  kaputt ✖ Error: Catalog Error: Table with name mart_gibtsnicht does not exist!
Did you mean "mart_massnahmen"?

LINE 1: select * from mart_gibtsnicht
- Processing...
  massnahmen ✔ Finished, wrote 16 rows.
""".splitlines()


def test_build_output_errors_name_query_and_page():
    problems = problems_in_build_output(BUILD_OUTPUT, query_index(REPORTS / "pages"))
    described = [p.describe() for p in problems]
    assert described[0] == ("page pages/index.md / query `kennzahlen`: Invalid Error: Thousand separators are "
                            "not supported for floating point numbers")
    assert len([d for d in described if "kennzahlen" in d]) == 1  # once, not per prerendered page
    assert any("Value: Row 0 does not exist" in d for d in described)
    assert any(d.startswith("page /jugendhilfe/: HTTP 500") for d in described)
    assert not any("GeoJSON" in d for d in described)  # the server-side map fetch is harmless


def test_source_output_errors_name_the_sql_file():
    [problem] = problems_in_source_output(SOURCES_OUTPUT)
    assert problem.describe().startswith("source sources/sozialmonitoring/kaputt.sql / query `kaputt`: "
                                         "Error: Catalog Error: Table with name mart_gibtsnicht does not exist!")
    assert "LINE 1: select * from mart_gibtsnicht" in problem.message


def test_error_boxes_in_built_pages_are_found(tmp_path):
    page = tmp_path / "pflege" / "index.html"
    page.parent.mkdir()
    page.write_text('<div class="m-auto w-full"><div class="font-bold text-center text-lg">Data Table</div> '
                    '<div class="text-center [word-wrap:break-work] text-xs">Binder Error: column &quot;x&quot; '
                    'not found </div></div><span class="inline font-sans font-medium text-xs text-red-600">error'
                    '</span><span class="hidden text-white" >Row 0 does not exist</span>')
    (tmp_path / "index.html").write_text("<p>ok</p>")
    described = [p.describe() for p in problems_in_html(tmp_path)]
    assert described == ['page /pflege/: Data Table: Binder Error: column "x" not found',
                         "page /pflege/: Value: Row 0 does not exist"]
    assert built_pages(tmp_path) == ["/", "/pflege/"]


# ------------------------------------------------------------------------------- base path, serving

def test_base_path_other_than_root_is_refused_with_the_alternative():
    assert check_base_path("") == "/" and check_base_path("/") == "/"
    with pytest.raises(ReportBuildError, match="own host name or port"):
        check_base_path("/sozialmonitoring/")


def test_serve_defaults_to_loopback_and_sends_wasm_with_its_type(tmp_path):
    (tmp_path / "index.html").write_text("<h1>Übersicht</h1>", encoding="utf-8")
    (tmp_path / "pflege").mkdir()
    (tmp_path / "pflege" / "index.html").write_text("pflege")
    (tmp_path / "duckdb.wasm").write_bytes(b"\0asm")
    with SiteServer(tmp_path, port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert "Übersicht" in urllib.request.urlopen(server.url).read().decode()
        assert urllib.request.urlopen(server.url + "pflege/").read() == b"pflege"
        wasm = urllib.request.urlopen(server.url + "duckdb.wasm")
        assert wasm.headers["Content-Type"] == "application/wasm"


# ------------------------------------------------------------------------------------ Dagster asset

def test_reports_site_asset_fails_alone_with_the_reason(data_dir):
    import dagster as dg

    from orchestration.reports.asset import build_reports_site_asset

    asset = build_reports_site_asset(dg.AssetKey(["publikation", "monitoring"]))
    assert asset.metadata_by_key[asset.key]["quellen"].value["pflege"] == "mart_pflege"
    result = dg.materialize([asset], raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message + str(failure.event_specific_data.user_failure_data)
    assert "monitoring.duckdb does not exist; publish the marts first" in message
    assert not (data_dir / "published").exists()  # nothing was written into the data directory
