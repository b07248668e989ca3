"""The planners' report site: a thin wrapper around the Evidence CLI (project in reports/).

    from orchestration.reports import build_site, serve
    site = build_site(on_line=context.log.info)     # raises on failure; never touches the publication
    site.as_metadata()                              # pages, size, duration, build dir
    serve(8080)                                     # http://127.0.0.1:8080/
"""
from __future__ import annotations

from pathlib import Path

from orchestration.reports.errors import SiteProblem
from orchestration.reports.npm import DependencyInstallError
from orchestration.reports.preflight import PreflightError, check_toolchain
from orchestration.reports.process import StepTimeout
from orchestration.reports.serve import SiteServer
from orchestration.reports.site import ReportBuildError, SiteBuild, SiteConfig, build_site

__all__ = [
    "DependencyInstallError", "PreflightError", "ReportBuildError", "SiteBuild", "SiteConfig", "SiteProblem",
    "SiteServer", "StepTimeout", "build_site", "check_toolchain", "serve",
]


def serve(port: int = 8080, host: str = "127.0.0.1", build_dir: Path | None = None) -> None:
    """Serve the built site (default reports/build) on host:port until Ctrl+C."""
    from orchestration.reports.serve import serve as _serve

    _serve(build_dir or SiteConfig.from_settings().build_dir, port=port, host=host)
