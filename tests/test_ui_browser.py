"""The Dagster UI on the demo project, driven in headless Chromium (Debian's, through Playwright)."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_ui(demo_world):
    port = free_port()
    env = {**os.environ, **demo_world.env(), "DAGSTER_DISABLE_TELEMETRY": "1"}
    log = open(demo_world.data / "webserver.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-w", str(PROJECT_ROOT / "workspace.yaml"),
         "-h", "127.0.0.1", "-p", str(port)], env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/server_info", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(1)
    else:
        server.kill()
        pytest.fail("the Dagster webserver did not come up: " + (demo_world.data / "webserver.log").read_text()[-2000:])
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def page(dagster_ui):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium "
                    "(make test and .ci/run install it)")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        page.outside_requests = outside
        yield page
        browser.close()


def test_asset_graph_shows_sources_and_marts(page, dagster_ui, artifacts_dir):
    # the global lineage reads left to right by layer
    page.goto(f"{dagster_ui}/asset-groups", wait_until="networkidle")
    page.wait_for_selector("text=Global asset lineage", timeout=60_000)
    page.wait_for_selector("text=publikation", timeout=60_000)
    body = page.inner_text("body")
    for group in ("quellen", "staging", "intermediate", "core", "marts", "publikation", "berichte"):
        assert group in body, group
    page.screenshot(path=str(artifacts_dir / "dagster_asset_graph.png"), full_page=True)
    # the sources, one asset per office's delivery: the group's list view (the lineage view draws only the
    # nodes inside the viewport, so its text depends on the zoom)
    page.set_viewport_size({"width": 1600, "height": 3000})
    page.goto(f"{dagster_ui}/locations/sozialmonitor/asset-groups/quellen/list", wait_until="networkidle")
    sources = ["melderegister", "sgb2", "hze", "einschulung", "wohnplatz_grenzen"]
    try:
        page.wait_for_function("names => names.every(n => document.body.innerText.includes('raw / ' + n + '\\n'))",
                               arg=sources, timeout=90_000)
    except Exception:
        body = page.inner_text("body")
        pytest.fail(f"source assets missing from the group's list: {[s for s in sources if f'raw / {s}' not in body]}")
    page.screenshot(path=str(artifacts_dir / "dagster_sources.png"), full_page=True)
    page.set_viewport_size({"width": 1600, "height": 1000})
    # the marts
    page.goto(f"{dagster_ui}/locations/sozialmonitor/asset-groups/marts", wait_until="networkidle")
    page.wait_for_selector("text=mart_indikatoren", timeout=60_000)
    page.screenshot(path=str(artifacts_dir / "dagster_marts.png"), full_page=True)


def test_last_run_is_listed_as_succeeded(page, dagster_ui, demo_world, artifacts_dir):
    run_id = demo_world.refresh.run_id
    page.goto(f"{dagster_ui}/runs", wait_until="networkidle")
    page.wait_for_selector(f"text={run_id[:8]}", timeout=60_000)
    page.screenshot(path=str(artifacts_dir / "dagster_runs.png"), full_page=True)
    page.goto(f"{dagster_ui}/runs/{run_id}", wait_until="networkidle")
    page.wait_for_selector("text=Success", timeout=60_000)
    assert "quarterly_refresh" in page.inner_text("body")
    page.screenshot(path=str(artifacts_dir / "dagster_run.png"), full_page=True)


def test_asset_checks_of_a_mart_are_visible(page, dagster_ui, artifacts_dir):
    page.goto(f"{dagster_ui}/assets/marts/mart_sozialmonitoring?view=checks", wait_until="networkidle")
    page.wait_for_selector("text=gx_suite", timeout=60_000)
    text = page.inner_text("body")
    assert "gx_suite" in text
    assert "Passed" in text or "Succeeded" in text
    page.screenshot(path=str(artifacts_dir / "dagster_mart_checks.png"), full_page=True)
    assert not page.outside_requests, page.outside_requests[:5]
