"""The report site for real: `evidence sources` + `evidence build` offline, then every page in Chromium.

Builds a private copy of reports/ (node_modules linked) against the fixture publication, so the real
site in reports/build is never touched. Screenshots go to tests/artifacts/reports/.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from fixtures.reports_project import REPORTS, copy_project
from fixtures.reports_publication import BEKANNTER_WOHNPLATZ, write_publication
from orchestration.reports import ReportBuildError, SiteBuild, SiteConfig, SiteServer, build_site, check_toolchain
from orchestration.reports.npm import ensure_dependencies

WOHNPLAETZE_JE_KOMMUNE = 2
MAIN_PAGES = ["/", "/wohnplatz/", "/pflege/", "/jugendhilfe/", "/datenqualitaet/", "/methodik/"]
# What each page must show besides a Wohnplatz name: a number formatted from the data.
NUMBER_SHOWN = {"/methodik/": r"\b\d{2} Indikatoren", "/datenqualitaet/": r"\d{2}\.\d{2}\.20\d\d"}
NO_WOHNPLATZ_NAMES = {"/methodik/": "SGB-II-Quote", "/datenqualitaet/": "Melderegister"}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def evidence_installed() -> Path:
    """`npm ci` in reports/ unless its lockfile stamp is current (the first run on a machine: ~40 s)."""
    ensure_dependencies(REPORTS, check_toolchain().npm, timeout_s=900, on_line=print)
    return REPORTS / "node_modules"


def _site_config(root: Path) -> SiteConfig:
    published = root / "data" / "published"
    facts = write_publication(published / "monitoring.duckdb", published / "wohnplaetze.geojson",
                              wohnplaetze_je_kommune=WOHNPLAETZE_JE_KOMMUNE)
    (root / "wohnplatz_namen.txt").write_text("\n".join(w.name for w in facts["wohnplaetze"]), encoding="utf-8")
    return SiteConfig(reports_dir=copy_project(root / "reports"), publication=published / "monitoring.duckdb",
                      geojson=published / "wohnplaetze.geojson", build_timeout_s=1500)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory, evidence_installed) -> SiteBuild:
    root = tmp_path_factory.mktemp("site")
    config = _site_config(root)
    lines: list[str] = []
    site = build_site(config, on_line=lines.append)
    (root / "build.log").write_text("\n".join(lines))
    print(f"\nreport site: {site.as_metadata()}")
    return site


@pytest.mark.slow
def test_site_builds_offline_with_every_page(built_site):
    assert set(MAIN_PAGES) <= set(built_site.pages)
    assert built_site.wohnplatz_pages == 8 * WOHNPLAETZE_JE_KOMMUNE
    assert f"/wohnplatz/{BEKANNTER_WOHNPLATZ[0]}/" in built_site.pages
    index = (built_site.build_dir / "index.html").read_text(encoding="utf-8")
    assert "Übersicht" in index and "Handlungsräume" in index
    page = (built_site.build_dir / "wohnplatz" / BEKANNTER_WOHNPLATZ[0] / "index.html").read_text(encoding="utf-8")
    assert BEKANNTER_WOHNPLATZ[1] in page
    assert (built_site.build_dir / "geo" / "wohnplaetze.geojson").is_file()
    meta = built_site.as_metadata()
    assert meta["pages"] == len(built_site.pages) and meta["size_mb"] > 1 and meta["build_s"] > 0
    # telemetry stayed off: Evidence writes its profile only when it sends usage statistics
    assert not (built_site.build_dir.parent.parent / "customization" / ".profile.json").exists()


@pytest.mark.slow
def test_broken_page_query_fails_the_build_naming_page_query_and_error(tmp_path, evidence_installed):
    config = _site_config(tmp_path)
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


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_shows_data_in_chromium_without_leaving_127_0_0_1(built_site, artifacts_dir):
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: apt-get install -y chromium")
    shots = artifacts_dir / "reports"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    wohnplatz_page = f"/wohnplatz/{BEKANNTER_WOHNPLATZ[0]}/"
    names = (built_site.build_dir.parent.parent / "wohnplatz_namen.txt").read_text(encoding="utf-8").splitlines()
    problems: list[str] = []
    with SiteServer(built_site.build_dir, port=0) as server, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE",
                                      service_workers="block")
        foreign: list[str] = []
        context.on("request", lambda r: foreign.append(r.url)
                   if urlparse(r.url).hostname not in ("127.0.0.1", None) else None)
        for path in MAIN_PAGES + [wohnplatz_page]:
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(server.url.rstrip("/") + path, wait_until="networkidle", timeout=60_000)
            page.locator("#evidence-main-article table:visible, #evidence-main-article canvas:visible").first.wait_for(
                timeout=30_000)
            page.wait_for_timeout(1000)  # charts and the map draw after the data arrived
            name = path.strip("/").replace("/", "_") or "uebersicht"
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            text = page.inner_text("#evidence-main-article")
            expected = NO_WOHNPLATZ_NAMES.get(path)
            if expected and expected not in text:
                problems.append(f"{path}: {expected!r} not shown")
            if not expected and not any(n in text for n in names):
                problems.append(f"{path}: no Wohnplatz name shown")
            if path == wohnplatz_page and BEKANNTER_WOHNPLATZ[1] not in text:
                problems.append(f"{path}: the page's Wohnplatz {BEKANNTER_WOHNPLATZ[1]!r} not shown")
            if not re.search(NUMBER_SHOWN.get(path, r"\d+,\d"), text):
                problems.append(f"{path}: no number shown")
            if "Error" in text or "error" in text.split():
                problems.append(f"{path}: an error box is shown")
            problems += [f"{path}: console error: {e}" for e in errors]
            page.close()
        problems += _pick_in_dropdown_requeries_in_the_browser(context, server.url)
        browser.close()
    problems += [f"request to another host: {url}" for url in foreign]
    assert not problems, "\n".join(problems)
    assert (shots / "uebersicht.png").is_file() and (shots / f"wohnplatz_{BEKANNTER_WOHNPLATZ[0]}.png").is_file()


def _pick_in_dropdown_requeries_in_the_browser(context, url: str) -> list[str]:
    """A dropdown choice is answered by DuckDB-WASM from the site's own parquet files."""
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + "pflege/", wait_until="networkidle", timeout=60_000)
    ranking = page.locator("#evidence-main-article table").last
    before = ranking.inner_text()
    page.locator("button", has_text="Indikator").first.click()
    page.get_by_role("option", name="Pflegeheimplätze").click()
    try:
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[ranking.element_handle(), before],
                               timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - reported as a finding below
        return [f"/pflege/: the ranking did not change after picking Pflegeheimplätze ({exc})"]
    after = ranking.inner_text()
    page.close()
    problems = [f"/pflege/ after the dropdown: console error: {e}" for e in errors]
    if "je 100" not in after or not re.search(r"\d+,\d", after):
        problems.append("/pflege/: the re-queried ranking shows no values per 100")
    return problems
