"""Area profiles (Steckbriefe) from a fixture publication: content, suppression, offline in headless Chromium."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.planning.pdf import PdfUnavailable
from orchestration.planning.published import UnknownWohnplatz
from orchestration.planning.steckbrief import load_profile_data, render_steckbrief, write_steckbriefe
from test_planning_fixture import WOHNPLAETZE, build_publication, catalogue

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return build_publication(tmp_path_factory.mktemp("steckbrief") / "monitoring.duckdb", dt.date(2025, 12, 31),
                             "a1b2c3d4-lauf", dt.datetime(2026, 2, 2, 8, 30))


@pytest.fixture(scope="module")
def zentrum_nord(published) -> str:
    return render_steckbrief(published, "Zentrum Nord")


def test_every_indicator_of_the_catalogue_is_in_the_profile(zentrum_nord):
    for ind in catalogue().itertuples():
        row = re.search(rf'<tr data-indikator="{ind.indikator_id}">(.*?)</tr>', zentrum_nord)
        assert row, ind.indikator_id
        assert ind.name.replace("&", "&amp;") in row.group(1)


def test_header_names_area_municipality_stichtag_and_publication(zentrum_nord):
    assert "<h1>Zentrum Nord</h1>" in zentrum_nord
    assert "Burscheid" in zentrum_nord and "00801" in zentrum_nord
    assert "31.12.2025 (2025-Q4)" in zentrum_nord
    assert "a1b2c3d4-lauf" in zentrum_nord and "02.02.2026, 08:30 UTC" in zentrum_nord


def test_profile_is_self_contained(zentrum_nord):
    lowered = zentrum_nord.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "url(http", "@font-face", "http://",
                      "https://", "//cdn", "src="):
        assert forbidden not in lowered, forbidden
    assert "content-security-policy" in lowered and "default-src 'none'" in lowered
    assert lowered.count("<svg") >= 8  # time series and class history, drawn inline


def test_legend_measures_and_index_history(zentrum_nord):
    assert "Zeichenerklärung" in zentrum_nord and "<strong>nicht 0</strong>" in zentrum_nord
    assert "Niedrigschwelliger Treffpunkt (Büdchen)" in zentrum_nord and "Jugendberufsagentur" in zentrum_nord
    assert "Familienbüro Kürten" not in zentrum_nord  # a measure of another Wohnplatz
    assert "Verlauf im Sozialindex" in zentrum_nord and "Handlungsraum seit 31.03.2023 (Beginn der Reihe)" in zentrum_nord
    assert "kein Nachweis einer Wirkung" in zentrum_nord


def test_suppressed_cells_read_gesperrt_never_zero(published):
    html = render_steckbrief(published, "01203")  # Dürscheid: small, most rates suppressed
    cells = re.findall(r'<td class="wert gesperrt[^"]*" data-status="gesperrt">([^<]*)</td>', html)
    assert len(cells) >= 10 and set(cells) == {"gesperrt"}
    assert "nicht indexiert" in html and "weniger als 300 Einwohner" in html
    kinderarmut = re.search(r'<tr data-indikator="kinderarmut">(.*?)</tr>', html).group(1)
    assert ">gesperrt<" in kinderarmut and "Bezugsgröße unter der Mindestgröße" in kinderarmut
    assert re.search(r">0(,0)?<", kinderarmut) is None


def test_id_and_name_give_the_same_profile_and_unknown_names_are_refused(published):
    assert "<h1>Zentrum Nord</h1>" in render_steckbrief(published, "00801")
    assert "<h1>Zentrum Süd</h1>" in render_steckbrief(published, "zentrum süd")
    with pytest.raises(UnknownWohnplatz, match="did you mean: 00801 Zentrum Nord, 00802 Zentrum Süd"):
        render_steckbrief(published, "Zentrum")
    with pytest.raises(UnknownWohnplatz):
        render_steckbrief(published, "00899")  # a Wohnplatz of the old scheme


def test_without_mart_massnahmen_the_profile_says_so(tmp_path):
    path = build_publication(tmp_path / "ohne.duckdb", dt.date(2025, 12, 31), "l", dt.datetime(2026, 2, 1),
                             with_massnahmen=False)
    html = render_steckbrief(path, "00801")
    assert "Tabelle mart_massnahmen fehlt" in html and "Zeichenerklärung" in html


def test_write_all_profiles(published, tmp_path):
    t0 = time.perf_counter()
    files = write_steckbriefe(published, tmp_path / "alle")
    seconds = time.perf_counter() - t0
    assert [f.name for f in files] == [
        "steckbrief_00801_zentrum-nord.html", "steckbrief_00802_zentrum-sued.html", "steckbrief_00803_hilgen.html",
        "steckbrief_01201_kuerten-mitte.html", "steckbrief_01202_bechen.html", "steckbrief_01203_duerscheid.html"]
    assert len(files) == len(WOHNPLAETZE) and seconds < 20
    assert all(f.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") for f in files)
    assert not list((tmp_path / "alle").glob(".*"))  # no temporary files left


def test_pdf_without_chromium_says_so_and_keeps_the_html(published, tmp_path, monkeypatch):
    monkeypatch.setenv("SOZIALMONITOR_CHROMIUM", str(tmp_path / "kein-chromium"))
    with pytest.raises(PdfUnavailable, match="Chromium is not installed"):
        write_steckbriefe(published, tmp_path, ["00801"], pdf=True)
    assert (tmp_path / "steckbrief_00801_zentrum-nord.html").exists()


@pytest.mark.browser
def test_pdf_with_chromium(published, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed: apt-get install chromium")
    files = write_steckbriefe(published, tmp_path, ["Hilgen"], pdf=True)
    pdf = files[0].with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000


@pytest.mark.browser
def test_profile_renders_in_headless_chromium_without_any_request(published, tmp_path, artifacts_dir):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    html = write_steckbriefe(published, tmp_path, ["00801"])[0]
    outside, console_errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 1400})

            def guard(route):
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.goto(html.as_uri(), wait_until="load")
            assert page.locator("h1").inner_text() == "Zentrum Nord"
            assert page.locator("tr[data-indikator]").count() == len(catalogue())
            assert page.locator("figure svg.chart").count() >= 6
            box = page.locator("figure svg.chart").first.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 100  # the charts are laid out, not collapsed
            assert page.locator("section.legende").is_visible()
            page.screenshot(path=str(artifacts_dir / "steckbrief_zentrum_nord.png"), full_page=True)
        finally:
            browser.close()
    assert outside == [], f"the profile made requests: {outside}"
    # a reference the profile's Content-Security-Policy blocks never reaches the route; Chromium logs it instead
    assert console_errors == []


def test_profile_data_is_read_once_for_all(published):
    data = load_profile_data(published)
    assert [a.wohnplatz_id for a in data.areas] == [w[0] for w in WOHNPLAETZE]
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute("SELECT count(*) FROM mart_indikatoren").fetchone()[0]
    finally:
        con.close()
    assert sum(len(series) for area in data.cells.values() for series in area.values()) == rows
