"""The report site for real: `evidence sources` + `evidence build` offline, then every page in Chromium.

The site is built from the demo world (`demo_world`, a real publication with 81 Wohnplätze that the slow
tests build once per session anyway), in a private copy of reports/ (node_modules linked), so the real
site in reports/build is never touched. The broken-query test uses the small fixture publication: it is
about the wrapper's error messages, and 16 Wohnplatz pages build faster than 81.
Screenshots of every page go to tests/artifacts/reports/.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from fixtures.reports_project import REPORTS, copy_project
from fixtures.reports_publication import write_publication
from orchestration.reports import ReportBuildError, SiteBuild, SiteConfig, SiteServer, build_site, check_toolchain
from orchestration.reports.npm import ensure_dependencies

# Burscheid's Zentrum Nord: a Handlungsraum with the demo register's measures (issue 9).
ZENTRUM_NORD = ("00801", "Zentrum Nord")
MAIN_PAGES = ["/", "/wohnplatz/", "/massnahmen/", "/prioritaeten/", "/pflege/", "/jugendhilfe/",
              "/datenqualitaet/", "/methodik/"]
# What each page must show besides a Wohnplatz name: a number formatted from the data, the German way.
GERMAN_NUMBER = r"\d+,\d"
NUMBER_SHOWN = {"/methodik/": r"\b\d{2} Indikatoren", "/datenqualitaet/": r"\d{2}\.\d{2}\.20\d\d"}
NO_WOHNPLATZ_NAMES = {"/methodik/": "SGB-II-Quote", "/datenqualitaet/": "Melderegister"}
# Evidence's own English words (translated by the layout) and numbers with a decimal point ("6.4").
ENGLISH_UI = re.compile(r"On this page|No Results|See more|\bSearch\b|\bPage\b|\brecords\b")
ENGLISH_NUMBER = re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def evidence_installed() -> Path:
    """`npm ci` in reports/ unless its lockfile stamp is current (the first run on a machine: ~40 s)."""
    ensure_dependencies(REPORTS, check_toolchain().npm, timeout_s=900, on_line=print)
    return REPORTS / "node_modules"


@dataclass
class DemoSite:
    build: SiteBuild
    wohnplatz_namen: list[str]
    gesperrter_wohnplatz: str  # a Wohnplatz with a suppressed value at its indicator's latest Stichtag


def _build(root: Path, published: Path) -> SiteBuild:
    config = SiteConfig(reports_dir=copy_project(root / "reports"), publication=published / "monitoring.duckdb",
                        geojson=published / "wohnplaetze.geojson", build_timeout_s=1500)
    lines: list[str] = []
    try:
        return build_site(config, on_line=lines.append)
    finally:
        (root / "build.log").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, evidence_installed, demo_world) -> DemoSite:
    site = _build(tmp_path_factory.mktemp("demo_site"), demo_world.published.parent)
    print(f"\nreport site of the demo world: {site.as_metadata()}")
    con = duckdb.connect(str(demo_world.published), read_only=True)
    try:
        names = [r[0] for r in con.execute("select name from dim_wohnplatz where ist_aktuell").fetchall()]
        [gesperrt] = con.execute(
            "select min(gebiet_id) from mart_indikatoren i where ebene = 'wohnplatz' and status = 'gesperrt' and "
            "stichtag = (select max(stichtag) from mart_indikatoren x where x.ebene = 'kreis' "
            "and x.indikator_id = i.indikator_id)").fetchone()
    finally:
        con.close()
    return DemoSite(site, names, gesperrt)


@pytest.mark.slow
def test_demo_site_builds_offline_with_every_page(demo_site):
    site = demo_site.build
    assert set(MAIN_PAGES) <= set(site.pages)
    assert site.wohnplatz_pages == len(demo_site.wohnplatz_namen) == 81
    index = (site.build_dir / "index.html").read_text(encoding="utf-8")
    assert "Übersicht" in index and "Handlungsräume" in index
    page = (site.build_dir / "wohnplatz" / ZENTRUM_NORD[0] / "index.html").read_text(encoding="utf-8")
    assert ZENTRUM_NORD[1] in page
    assert (site.build_dir / "geo" / "wohnplaetze.geojson").is_file()
    meta = site.as_metadata()
    assert meta["pages"] == len(site.pages) and meta["size_mb"] > 1 and meta["build_s"] > 0
    # telemetry stayed off: Evidence writes its profile only when it sends usage statistics
    assert not (site.build_dir.parent / ".evidence" / "customization" / ".profile.json").exists()


@pytest.mark.slow
def test_broken_page_query_fails_the_build_naming_page_query_and_error(tmp_path, evidence_installed):
    published = tmp_path / "data" / "published"
    write_publication(published / "monitoring.duckdb", published / "wohnplaetze.geojson")
    config = SiteConfig(reports_dir=copy_project(tmp_path / "reports"), publication=published / "monitoring.duckdb",
                        geojson=published / "wohnplaetze.geojson", build_timeout_s=1500)
    (config.reports_dir / "pages" / "kaputt.md").write_text(
        "---\ntitle: Kaputt\n---\n\n```sql falsche_spalte\n"
        "select gibt_es_nicht from sozialmonitoring.indikatoren\n```\n\n<DataTable data={falsche_spalte}/>\n",
        encoding="utf-8")
    (config.reports_dir / "pages" / "index.md").write_text(
        (config.reports_dir / "pages" / "index.md").read_text(encoding="utf-8") + "\n[Kaputt](/kaputt)\n",
        encoding="utf-8")
    previous = config.build_dir / "index.html"
    previous.parent.mkdir(parents=True)
    previous.write_text("the previous site")
    with pytest.raises(ReportBuildError) as failure:
        build_site(config, on_line=None)
    message = str(failure.value)
    print(message)
    assert "evidence build failed" in message
    assert re.search(r"page pages/kaputt\.md / query `falsche_spalte`: .*gibt_es_nicht", message)
    assert "page /kaputt/: Data Table:" in message  # the error box in the built page, by URL
    assert previous.read_text() == "the previous site"  # a failed build does not replace a working site


def _page_problems(path: str, text: str, errors: list[str], site: DemoSite) -> list[str]:
    problems = [f"{path}: console error: {e}" for e in errors]
    expected = NO_WOHNPLATZ_NAMES.get(path)
    if expected and expected not in text:
        problems.append(f"{path}: {expected!r} not shown")
    if not expected and not any(name in text for name in site.wohnplatz_namen):
        problems.append(f"{path}: no Wohnplatz name shown")
    if not re.search(NUMBER_SHOWN.get(path, GERMAN_NUMBER), text):
        problems.append(f"{path}: no number shown")
    if "Error" in text or "error" in text.split():
        problems.append(f"{path}: an error box is shown")
    if match := ENGLISH_UI.search(text):
        problems.append(f"{path}: English interface text {match.group(0)!r}")
    if match := ENGLISH_NUMBER.search(text):
        problems.append(f"{path}: a number with a decimal point: {match.group(0)!r}")
    if "NaN" in text.split() or "undefined" in text or "null" in text.split():
        problems.append(f"{path}: an empty value is shown as NaN/undefined/null")
    return problems


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_shows_data_in_chromium_without_leaving_127_0_0_1(demo_site, artifacts_dir):
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    shots = artifacts_dir / "reports"
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):  # this run's screenshots only (subfolders are kept)
        old.unlink()
    zentrum_nord = f"/wohnplatz/{ZENTRUM_NORD[0]}/"
    gesperrt = f"/wohnplatz/{demo_site.gesperrter_wohnplatz}/"
    problems: list[str] = []
    with SiteServer(demo_site.build.build_dir, port=0) as server, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE",
                                      service_workers="block")
        foreign: list[str] = []
        context.on("request", lambda r: foreign.append(r.url)
                   if urlparse(r.url).hostname not in ("127.0.0.1", None) else None)
        for path in MAIN_PAGES + [zentrum_nord, gesperrt]:
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(server.url.rstrip("/") + path, wait_until="networkidle", timeout=90_000)
            page.locator("#evidence-main-article table:visible, #evidence-main-article canvas:visible").first.wait_for(
                timeout=30_000)
            page.wait_for_timeout(1500)  # charts and the map draw after the data arrived
            name = path.strip("/").replace("/", "_") or "uebersicht"
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            text = page.inner_text("#evidence-main-article")
            problems += _page_problems(path, text, errors, demo_site)
            if path == zentrum_nord:
                problems += _zentrum_nord_problems(text)
            if path == gesperrt and "gesperrt" not in text:
                problems.append(f"{path}: a suppressed value is not shown as 'gesperrt'")
            if path == "/" and not re.search(r"Berichtsjahr 20\d\d .*\d+ Wohnplätze mit Handlungsbedarf", text):
                problems.append("/: the Handlungsräume of the last report year are not summarised")
            page.close()
        problems += _pick_in_dropdown_requeries_in_the_browser(context, server.url)
        browser.close()
    problems += [f"request to another host: {url}" for url in foreign]
    assert not problems, "\n".join(problems)
    for shot in ("uebersicht", f"wohnplatz_{ZENTRUM_NORD[0]}", "jugendhilfe", "prioritaeten"):
        assert (shots / f"{shot}.png").stat().st_size > 50_000, shot


def _zentrum_nord_problems(text: str) -> list[str]:
    """The Wohnplatz of the issue: a Handlungsraum (since when, why) with its measures, described."""
    problems = []
    if not re.search(r"Handlungsraum im Berichtsjahr 20\d\d .*Treibende Indikatoren: .*\(z = \d+,\d\d\)", text):
        problems.append("Zentrum Nord: the Handlungsraum sentence with its drivers is missing")
    if "Beschreibender Vergleich, keine Wirkungsmessung" not in text:
        problems.append("Zentrum Nord: the measures are not described as a descriptive comparison")
    if not re.search(r"\d+,\d → \d+,\d", text) or "Differenz der Differenzen" not in text:
        problems.append("Zentrum Nord: the development of the measures' target indicators is missing")
    return problems


def _pick_in_dropdown_requeries_in_the_browser(context, url: str) -> list[str]:
    """A dropdown choice is answered by DuckDB-WASM from the site's own parquet files."""
    problems = []
    for path, button, option, expect in (("pflege/", "Indikator", "Pflegeheimplätze", "je 100"),
                                         ("prioritaeten/", "Einrichtungen", "Schule", "GGS")):
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + path, wait_until="networkidle", timeout=60_000)
        table = page.locator("#evidence-main-article table").last
        before = table.inner_text()
        page.locator("button", has_text=button).first.click()
        page.get_by_placeholder(button).fill(option)  # the list renders only the options in view
        page.get_by_role("option", name=option).click()
        try:
            page.wait_for_function("([el, old]) => el.innerText !== old", arg=[table.element_handle(), before],
                                   timeout=30_000)
        except Exception as exc:  # noqa: BLE001 - reported as a finding below
            problems.append(f"/{path}: the table did not change after picking {option} ({exc})")
            page.close()
            continue
        after = table.inner_text()
        page.close()
        problems += [f"/{path} after the dropdown: console error: {e}" for e in errors]
        if expect not in after or not re.search(GERMAN_NUMBER, after):
            problems.append(f"/{path}: the re-queried table shows no {expect!r} rows with values")
    return problems
