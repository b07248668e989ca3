"""Report site (Evidence) without building it: project files, queries against a publication, wrapper parts.

The slow tests (real `evidence build`, browser) are in test_reports_site.py.
"""
from __future__ import annotations

import json
import os
import re
import stat
import sys
import threading
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest
import yaml

from fixtures.reports_publication import BEKANNTER_WOHNPLATZ, SCHEMA, write_publication
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
from orchestration.reports.site import (
    LOCK_FILE,
    ReportBuildError,
    SiteConfig,
    built_pages,
    check_base_path,
    evidence_env,
    exclusive_build,
)

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
    assert {"handlungsraeume", "massnahmen", "priorisierung", "veraenderungen"} <= set(sources)
    for name, sql in sources.items():
        assert "\n" not in sql, name
        assert sql.lower().startswith("select "), name
        assert (" from mart_" in sql or " from dim_" in sql or sql.endswith("from publikation")
                or sql.endswith("from veraenderungen")), name


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
                          "pages/massnahmen.md", "pages/prioritaeten.md", "pages/pflege.md",
                          "pages/jugendhilfe.md", "pages/datenqualitaet.md", "pages/methodik.md"}
    text = "".join((REPORTS / p).read_text() for p in pages)
    assert "'gesperrt' then 'gesperrt'" in text  # a suppressed cell reads "gesperrt", not 0 or empty
    assert "basemap=" in text and "https://" not in text  # no tiles or files from the internet
    # numbers reach the browser as DOUBLE: a year cast straight to text would read "2025.0"
    assert not re.search(r"(?<!::BIGINT)::VARCHAR", text)
    # charts format their axes and tooltips the German way (Evidence's own formats know only 80,000.0)
    for path, page in pages.items():
        charts = re.findall(r"<(?:LineChart|BarChart|AreaChart)\b[^>]*>", (REPORTS / path).read_text(), re.DOTALL)
        assert all("echartsOptions=" in chart for chart in charts), path
        maps = re.findall(r"<AreaMap\b[^>]*>", (REPORTS / path).read_text(), re.DOTALL)
        assert all("legendType=categorical" in m or "legend={false}" in m for m in maps), path
    for massnahmen_page in ("pages/massnahmen.md", "pages/wohnplatz/[wohnplatz].md"):
        assert "Beschreibender Vergleich, keine Wirkungsmessung" in (REPORTS / massnahmen_page).read_text()


def test_the_site_layout_translates_the_english_words_of_evidence():
    layout = (REPORTS / "pages" / "+layout.svelte").read_text(encoding="utf-8")
    for english in ("On this page", "Page", "No Results", "Download", "Fullscreen"):
        assert f"'{english}':" in layout, english
    assert "'Search': 'Suchen'" in layout and "hideTOC={true}" in layout
    assert (REPORTS / "components" / "deutsch.js").is_file()


# ------------------------------------------------------------------------ the fixture is the real thing

def _documented_columns() -> dict[str, list[str]]:
    """Columns of every published dbt model, from its documentation (a test checks yml == model)."""
    columns = {}
    for path in (PROJECT_ROOT / "dbt_project" / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []) or []:
            columns[model["name"]] = [c["name"] for c in model.get("columns", [])]
    return columns


def test_fixture_publication_has_the_published_columns():
    """The fixture's tables have the columns (in order) that dbt and the publication write, so the fast
    tests run the page SQL against what the site really reads."""
    from orchestration.planning.digest import COLUMNS as VERAENDERUNGEN_COLUMNS
    from orchestration.publish.publication import DATENQUALITAET_COLUMNS, PUBLIKATION_COLUMNS

    documented = _documented_columns()
    expected = {**{t: documented[t] for t in SCHEMA if t in documented},
                "mart_datenqualitaet": list(DATENQUALITAET_COLUMNS), "publikation": list(PUBLIKATION_COLUMNS),
                "veraenderungen": list(VERAENDERUNGEN_COLUMNS)}
    assert set(expected) == set(SCHEMA)
    for table, columns in SCHEMA.items():
        assert [c for c, _ in columns] == expected[table], table
    assert dict(SCHEMA["publikation"]) == PUBLIKATION_COLUMNS
    assert dict(SCHEMA["mart_datenqualitaet"]) == DATENQUALITAET_COLUMNS
    # every table a source query reads is in the fixture
    assert set(queries.source_tables(REPORTS).values()) <= set(SCHEMA)


@pytest.mark.slow
def test_fixture_publication_matches_a_real_demo_publication(demo_world, fixture_publication):
    """Column names, order and types of every fixture table equal the demo publication's."""
    sql = ("select column_name, data_type from information_schema.columns where table_name = ? "
           "order by ordinal_position")
    real = duckdb.connect(str(demo_world.published), read_only=True)
    fixture = duckdb.connect(str(fixture_publication), read_only=True)
    try:
        for table in SCHEMA:
            assert fixture.execute(sql, [table]).fetchall() == real.execute(sql, [table]).fetchall(), table
    finally:
        real.close()
        fixture.close()


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
        # typed as the site stores it: every number DOUBLE, every date TIMESTAMP (see queries.evidence_typed)
        con.execute(f"CREATE TABLE memory.sozialmonitoring.{name} AS {queries.evidence_typed(con, sql)}")
    con.execute("SET search_path = 'memory.main'")
    return con


# A number shown as text with a decimal point: "2025.0" or "7.5" (German: "7,5"; thousands "1.238").
ENGLISH_NUMBER = re.compile(r"^-?\d+\.(\d{1,2}|\d{4,})$")


def run_all_page_queries(con: duckdb.DuckDBPyConnection, wohnplatz_ids: list[str]) -> int:
    """Run every query of every page (each templated page for every Wohnplatz; the queries behind a
    dropdown for each value it offers); fail on errors and on empty results that no component allows."""
    ran, empty = 0, []

    def run(page, name, params, inputs) -> None:
        nonlocal ran
        sql = queries.resolve(page, name, params, inputs)
        try:
            result = con.execute(sql).fetchall()
        except duckdb.Error as exc:
            raise AssertionError(f"{page.path} query {name} ({params} {inputs}) failed: {exc}") from exc
        ran += 1
        if not result and name not in page.may_be_empty:
            empty.append(f"{page.path}:{name}:{params}:{inputs}")
        english = [v for row in result for v in row if isinstance(v, str) and ENGLISH_NUMBER.match(v)]
        assert not english, f"{page.path} query {name} shows numbers the English way: {english[:3]}"

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


def _rows(con, page_file: str, name: str, params: dict | None = None, inputs: dict | None = None) -> list[dict]:
    page = queries.read_page(REPORTS, REPORTS / "pages" / page_file)
    defaults = {d.name: d.default for d in page.dropdowns}
    cursor = con.execute(queries.resolve(page, name, params or {}, {**defaults, **(inputs or {})}))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def test_overview_shows_handlungsraeume_since_when_why_and_who_left(fixture_publication):
    from fixtures.reports_publication import FLAGGED_THROUGHOUT, LEFT_LAST_YEAR, NEW_LAST_YEAR

    con = evidence_like_connection(fixture_publication)
    names = dict(con.execute("select wohnplatz_id, name from sozialmonitoring.wohnplaetze").fetchall())
    [jahr] = _rows(con, "index.md", "berichtsjahr")
    assert jahr["berichtsjahr"] == "2025" and jahr["stichtag_text"] == "31.12.2025"
    raeume = {r["wohnplatz"]: r for r in _rows(con, "index.md", "handlungsraeume")}
    assert raeume[names[FLAGGED_THROUGHOUT]]["seit"] == "2015 oder früher"
    assert raeume[names[FLAGGED_THROUGHOUT]]["treiber"].count("(z = ") == 3  # the three driving indicators
    assert raeume[names[NEW_LAST_YEAR]]["seit"] == "2025 (neu)"
    assert "Prozentpunkte in 8 Quartalen" in raeume[names[NEW_LAST_YEAR]]["treiber"]  # driven by the dynamics
    assert names[LEFT_LAST_YEAR] not in raeume
    [verlassen] = [r for r in _rows(con, "index.md", "verlassen") if r["wohnplatz"] == names[LEFT_LAST_YEAR]]
    assert verlassen["vorher"] == "niedrig / stabil" and verlassen["verlassen_grund"].startswith("Statusklasse niedrig")
    historie = _rows(con, "wohnplatz/[wohnplatz].md", "berichtsjahre", {"wohnplatz": LEFT_LAST_YEAR})
    assert [h["bewegung"] for h in historie[:2]] == ["Liste verlassen", "weiterhin"]
    [satz] = _rows(con, "wohnplatz/[wohnplatz].md", "handlungsraum", {"wohnplatz": LEFT_LAST_YEAR})
    assert satz["kurz"] == "nein" and "nicht mehr Handlungsraum" in satz["satz"]


def test_measures_are_a_descriptive_difference_of_differences_with_suppression_spelled_out(fixture_publication):
    con = evidence_like_connection(fixture_publication)
    published = con.execute("select wohnplatz_id, indikator_id, veraenderung_wohnplatz, veraenderung_vergleich, "
                            "differenz_der_differenzen_vergleich from sozialmonitoring.massnahmen").fetchall()
    for wohnplatz_id in {w for w, *_ in published}:
        shown = _rows(con, "wohnplatz/[wohnplatz].md", "massnahmen_entwicklung", {"wohnplatz": wohnplatz_id})
        assert len(shown) == sum(1 for w, *_ in published if w == wohnplatz_id)
    m001 = _rows(con, "wohnplatz/[wohnplatz].md", "massnahmen_entwicklung", {"wohnplatz": BEKANNTER_WOHNPLATZ[0]})
    [(_, _, d_wp, d_vgl, did)] = [p for p in published if p[0] == BEKANNTER_WOHNPLATZ[0] and p[1] == "sgb2_quote"]
    [row] = [r for r in m001 if r["zielindikator"].startswith("SGB-II-Quote")]
    assert row["zielindikator"] == "SGB-II-Quote (Prozentpunkte)"
    assert row["did"] == f"{did:+.1f}".replace(".", ",") and abs(did - (d_wp - d_vgl)) < 1e-9
    assert "Ausgangswert geschätzt" in row["einordnung"]
    [gesperrt] = [r for r in _rows(con, "massnahmen.md", "entwicklung") if r["werte"].startswith("gesperrt →")]
    assert gesperrt["did"] == "–" and gesperrt["einordnung"].startswith("keine Einordnung")


def test_priority_list_ranks_by_need_and_puts_suppressed_and_unassigned_last(fixture_publication):
    con = evidence_like_connection(fixture_publication)
    liste = _rows(con, "prioritaeten.md", "liste", inputs={"art": "kita", "indikator": "hze_quote"})
    ranked = [r for r in liste if r["rang"] != "–"]
    unranked = liste[len(ranked):]
    assert ranked and unranked and all(r["rang"] == "–" for r in unranked)
    assert [int(r["rang"]) for r in ranked] == sorted(int(r["rang"]) for r in ranked) and ranked[0]["rang"] == "1"
    values = [float(r["wert"].replace(",", ".")) for r in ranked]
    assert values == sorted(values, reverse=True)  # hze_quote: a high value means high need
    assert {r["wert"] for r in unranked} >= {"gesperrt", "–"}
    assert any("keinem Wohnplatz zugeordnet" in r["hinweis"] for r in unranked)
    assert all(r["hinweis"] for r in unranked)
    [kopf] = _rows(con, "prioritaeten.md", "kopf", inputs={"art": "kita", "indikator": "kita_versorgung_u3"})
    assert kopf["richtung"].startswith("niedrigster Wert zuerst")  # positive polarity: low value = need


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


# ------------------------------------------------------------------------- one build per folder at a time

def test_a_second_build_of_the_same_folder_waits_for_the_first(tmp_path):
    held, release = threading.Event(), threading.Event()

    def first_build() -> None:
        with exclusive_build(tmp_path, timeout_s=30, on_line=None):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=first_build)
    thread.start()
    assert held.wait(5)
    lines: list[str] = []
    threading.Timer(1.5, release.set).start()
    with exclusive_build(tmp_path, timeout_s=30, on_line=lines.append) as waited_s:
        assert waited_s >= 1.0
    thread.join(5)
    assert lines == [f"[report] another build of {tmp_path} is running; waiting for it"]
    assert (tmp_path / LOCK_FILE).exists()


def test_a_build_waiting_too_long_for_another_gives_up(tmp_path):
    held, release = threading.Event(), threading.Event()

    def first_build() -> None:
        with exclusive_build(tmp_path, timeout_s=30, on_line=None):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=first_build)
    thread.start()
    assert held.wait(5)
    try:
        with pytest.raises(StepTimeout, match="another build of .* did not finish within 1 s"):
            with exclusive_build(tmp_path, timeout_s=1, on_line=None):
                pass
    finally:
        release.set()
        thread.join(5)


def test_reports_dir_can_be_redirected_for_a_private_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALMONITOR_REPORTS_DIR", str(tmp_path / "reports"))
    assert SiteConfig.from_settings().reports_dir == tmp_path / "reports"
    monkeypatch.delenv("SOZIALMONITOR_REPORTS_DIR")
    assert SiteConfig.from_settings().reports_dir == REPORTS


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
