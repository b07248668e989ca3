"""`python -m orchestration.reports [build|serve]` until `sozialmonitor report` is wired to it."""
from __future__ import annotations

import argparse
import sys

from orchestration.reports import (
    DependencyInstallError, PreflightError, ReportBuildError, SiteConfig, StepTimeout, build_site, serve,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.reports", description=__doc__)
    parser.add_argument("command", choices=["build", "serve"], nargs="?", default="build")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.port, args.host)
        return 0
    try:
        site = build_site(SiteConfig.from_settings())
    except (PreflightError, DependencyInstallError, StepTimeout, ReportBuildError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Open it with: python -m orchestration.reports serve --port {args.port}  ->  "
          f"http://{args.host}:{args.port}/")
    print(f"(or any web server serving {site.build_dir} at the root of a host; file:// does not work)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
