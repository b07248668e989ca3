"""Build the planners' report site (Evidence) from the published marts, offline.

Steps: pre-flight (node/npm) -> `npm ci` (skipped while the lockfile is unchanged) -> copy the
Wohnplatz GeoJSON into static/ -> `evidence sources` (source queries against the publication, read-only)
-> `evidence build` -> check output and built pages for errors -> metadata.

A failed build raises ReportBuildError naming the page or query and the error; the previous site (if
any) is put back, so a broken build never replaces a working site. Nothing here touches the publication.
"""
from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from orchestration.reports.errors import (
    SiteProblem,
    problems_in_build_output,
    problems_in_html,
    problems_in_source_output,
    query_index,
)
from orchestration.reports.npm import ensure_dependencies
from orchestration.reports.preflight import check_toolchain
from orchestration.reports.process import LineCallback, StepTimeout, run_step

SOURCE_NAME = "sozialmonitoring"
GEOJSON_TARGET = Path("static") / "geo" / "wohnplaetze.geojson"
LOCK_FILE = ".sozialmonitor-build.lock"
# URL folders of the build that are Evidence's machinery, not report pages.
NON_PAGE_PREFIXES = ("api/", "_app/", "data/", "explore/", "settings/", "geo/", "karte/")


class ReportBuildError(RuntimeError):
    """The site could not be built; `problems` name the page/query and the error."""

    def __init__(self, step: str, summary: str, problems: list[SiteProblem] | None = None,
                 output_tail: str = ""):
        self.step = step
        self.problems = problems or []
        lines = [f"Report site: {step} failed: {summary}"]
        lines += [f"  - {p.describe()}" for p in self.problems[:40]]
        if len(self.problems) > 40:
            lines.append(f"  ... and {len(self.problems) - 40} more")
        if output_tail and not self.problems:
            lines += ["  last output:", *("    " + line for line in output_tail.splitlines())]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SiteConfig:
    reports_dir: Path
    publication: Path
    geojson: Path
    base_path: str = "/"
    npm_ci_timeout_s: float = 900.0
    sources_timeout_s: float = 300.0
    build_timeout_s: float = 1800.0

    @classmethod
    def from_settings(cls, **overrides) -> "SiteConfig":
        from orchestration.settings import get_settings

        settings = get_settings()
        reports_dir = os.environ.get("SOZIALMONITOR_REPORTS_DIR")
        values = dict(
            # a test (or a second installation) builds its own copy of reports/, not the planners' site
            reports_dir=Path(reports_dir) if reports_dir else settings.reports_dir,
            publication=settings.published_db,
            geojson=settings.published_dir / "wohnplaetze.geojson",
            base_path=os.environ.get("SOZIALMONITOR_REPORTS_BASE_PATH", "/"),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def build_dir(self) -> Path:
        return self.reports_dir / "build"


@dataclass
class SiteBuild:
    build_dir: Path
    pages: list[str]
    wohnplatz_pages: int
    size_bytes: int
    duration_s: float
    step_durations_s: dict[str, float] = field(default_factory=dict)
    npm_ci_ran: bool = False
    base_path: str = "/"

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1_000_000

    def as_metadata(self) -> dict:
        """Plain values for Dagster's MaterializeResult metadata."""
        return {
            "build_dir": str(self.build_dir),
            "index_html": str(self.build_dir / "index.html"),
            "pages": len(self.pages),
            "wohnplatz_pages": self.wohnplatz_pages,
            "size_mb": round(self.size_mb, 1),
            "duration_s": round(self.duration_s, 1),
            **{f"{step}_s": round(seconds, 1) for step, seconds in self.step_durations_s.items()},
            "npm_ci_ran": self.npm_ci_ran,
            "base_path": self.base_path,
        }


def evidence_env(config: SiteConfig) -> dict[str, str]:
    """Environment of the Evidence CLI: the publication path, telemetry off, npm offline."""
    env = dict(os.environ)
    source_dir = config.reports_dir / "sources" / SOURCE_NAME
    # The duckdb connector joins `filename` onto the source folder, so the path must be relative to it.
    env[f"EVIDENCE_SOURCE__{SOURCE_NAME}__filename"] = os.path.relpath(config.publication.resolve(),
                                                                       source_dir)
    env["SEND_ANONYMOUS_USAGE_STATS"] = "no"
    env["DO_NOT_TRACK"] = "1"
    env["npm_config_offline"] = "true"  # the CLI spawns `npx vite`: never ask the registry
    env["npm_config_update_notifier"] = "false"
    env["npm_config_fund"] = "false"
    env["npm_config_audit"] = "false"
    env.setdefault("NODE_OPTIONS", "--max-old-space-size=4096")
    return env


def check_base_path(base_path: str) -> str:
    """Evidence 39 serves from the web root only; see docs in orchestration/reports/README.md."""
    normalized = "/" + base_path.strip("/") if base_path.strip("/") else "/"
    if normalized != "/":
        raise ReportBuildError(
            "configuration", f"base path {normalized!r} is not supported by Evidence 39.1.13: its layout "
            "fetches /data/manifest.json and /api/... from the web root and has no basePath setting "
            "(that came with Evidence 40, which needs internet at build time). Serve the site at the root "
            "of its own host name or port (e.g. http://sozialmonitoring.intranet/ or :8080) and unset "
            "SOZIALMONITOR_REPORTS_BASE_PATH.")
    return normalized


def copy_geojson(config: SiteConfig) -> Path:
    if not config.geojson.is_file():
        raise ReportBuildError("preparation", f"{config.geojson} is missing; the maps need the Wohnplatz "
                               "boundaries that the publication writes beside monitoring.duckdb.")
    target = config.reports_dir / GEOJSON_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config.geojson, target)
    return target


def built_pages(build_dir: Path) -> list[str]:
    pages = []
    for index in build_dir.rglob("index.html"):
        rel = index.parent.relative_to(build_dir).as_posix()
        url = "/" if rel == "." else f"/{rel}/"
        if not (rel + "/").startswith(NON_PAGE_PREFIXES):
            pages.append(url)
    return sorted(pages)


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def current_wohnplatz_ids(publication: Path) -> list[str]:
    from orchestration.warehouse import connect

    con = connect(publication, read_only=True)
    try:
        return [row[0] for row in con.execute(
            "select wohnplatz_id from dim_wohnplatz where ist_aktuell order by 1").fetchall()]
    finally:
        con.close()


def _missing_wohnplatz_pages(pages: list[str], publication: Path) -> list[SiteProblem]:
    built = {p.split("/")[2] for p in pages if p.startswith("/wohnplatz/") and p.count("/") == 3}
    return [SiteProblem("page", "page was not built (no link to it was found while prerendering)",
                        pages=(f"/wohnplatz/{wid}/",))
            for wid in current_wohnplatz_ids(publication) if wid not in built]


def _run_sources(config: SiteConfig, evidence: list[str], env: dict, on_line: LineCallback | None) -> float:
    result = run_step("sources", [*evidence, "sources"], cwd=config.reports_dir, env=env,
                      timeout_s=config.sources_timeout_s, on_line=on_line)
    problems = problems_in_source_output(result.lines)
    if problems or not result.ok:
        raise ReportBuildError("evidence sources", f"exit {result.returncode}, {len(problems)} failed source "
                               "queries", problems, result.tail(20))
    return result.duration_s


def _run_build(config: SiteConfig, evidence: list[str], env: dict, on_line: LineCallback | None) -> float:
    build_dir = config.build_dir
    previous = build_dir.with_name("build.previous")
    if previous.exists() and not build_dir.exists():
        previous.rename(build_dir)  # a killed run left the last good site aside: it is still the site
    shutil.rmtree(previous, ignore_errors=True)
    if build_dir.exists():
        build_dir.rename(previous)  # Evidence copies into ./build and would keep pages that no longer exist
    try:
        result = run_step("build", [*evidence, "build"], cwd=config.reports_dir, env=env,
                          timeout_s=config.build_timeout_s, on_line=on_line)
        problems = problems_in_build_output(result.lines, query_index(config.reports_dir / "pages"))
        if result.ok and (build_dir / "index.html").is_file():
            problems += problems_in_html(build_dir)
            if not problems:
                problems += _missing_wohnplatz_pages(built_pages(build_dir), config.publication)
        if problems or not result.ok or not (build_dir / "index.html").is_file():
            raise ReportBuildError("evidence build", f"exit {result.returncode}, {len(problems)} problems "
                                   "(the previous site, if any, was kept)", problems, result.tail(25))
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        if previous.exists():
            previous.rename(build_dir)
        raise
    shutil.rmtree(previous, ignore_errors=True)
    return result.duration_s


@contextmanager
def exclusive_build(reports_dir: Path, timeout_s: float, on_line: LineCallback | None) -> Iterator[float]:
    """One build at a time per project folder. Evidence rebuilds .evidence/template and ./build in place,
    so two builds of the same folder (a refresh while `sozialmonitor report` runs, parallel test
    sessions) break each other ("ENOTEMPTY ... .evidence-queries/cache"). A second build waits for the
    first (yields the seconds it waited) and gives up after `timeout_s`."""
    try:
        import fcntl
    except ImportError:  # Windows has no flock; there builds must simply not overlap
        yield 0.0
        return
    started, told = time.monotonic(), False
    with open(reports_dir / LOCK_FILE, "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() - started > timeout_s:
                    raise StepTimeout(f"another build of {reports_dir} did not finish within {timeout_s:.0f} s "
                                      f"(lock {reports_dir / LOCK_FILE})") from None
                if on_line and not told:
                    on_line(f"[report] another build of {reports_dir} is running; waiting for it")
                    told = True
                time.sleep(1.0)
        try:
            yield time.monotonic() - started
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_site(config: SiteConfig | None = None, on_line: LineCallback | None = print,
               install: bool = True) -> SiteBuild:
    """Build the site; returns its metadata or raises (PreflightError, DependencyInstallError,
    StepTimeout, ReportBuildError)."""
    config = config or SiteConfig.from_settings()
    started = time.monotonic()
    base_path = check_base_path(config.base_path)
    toolchain = check_toolchain()
    if not config.publication.is_file():
        raise ReportBuildError("preparation", f"{config.publication} does not exist; publish the marts first "
                               "(sozialmonitor demo, or the publication asset in Dagster).")
    with exclusive_build(config.reports_dir, config.build_timeout_s, on_line) as waited_s:
        site = _build_locked(config, toolchain, base_path, on_line, install)
    if waited_s >= 1.0:
        site.step_durations_s["wait"] = waited_s
    site.duration_s = time.monotonic() - started
    if on_line:
        on_line(f"[report] built {len(site.pages)} pages ({site.wohnplatz_pages} Wohnplatz pages), "
                f"{site.size_mb:.1f} MB in {site.duration_s:.0f} s -> {site.build_dir / 'index.html'}")
    return site


def _build_locked(config: SiteConfig, toolchain, base_path: str, on_line: LineCallback | None,
                  install: bool) -> SiteBuild:
    started = time.monotonic()
    env = evidence_env(config)
    durations: dict[str, float] = {}
    npm_step = ensure_dependencies(config.reports_dir, toolchain.npm, env=env,
                                   timeout_s=config.npm_ci_timeout_s, on_line=on_line) if install else None
    if npm_step is not None:
        durations["npm_ci"] = npm_step.duration_s
    copy_geojson(config)
    cli = config.reports_dir / "node_modules" / "@evidence-dev" / "evidence" / "cli.js"
    evidence = [toolchain.node, str(cli)]
    durations["sources"] = _run_sources(config, evidence, env, on_line)
    durations["build"] = _run_build(config, evidence, env, on_line)
    pages = built_pages(config.build_dir)
    site = SiteBuild(
        build_dir=config.build_dir,
        pages=pages,
        wohnplatz_pages=sum(1 for p in pages if p.startswith("/wohnplatz/") and p.count("/") == 3),
        size_bytes=directory_size(config.build_dir),
        duration_s=time.monotonic() - started,
        step_durations_s=durations,
        npm_ci_ran=npm_step is not None,
        base_path=base_path,
    )
    return site

