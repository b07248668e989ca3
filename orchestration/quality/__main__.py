"""Run the GX suites from the command line (read-only; prints what failed and why).

    python -m orchestration.quality --stichtag 2026-09-30 [--db data/warehouse.duckdb] [--mart mart_pflege]
                                    [--json results.json]

Exit code 0 when nothing blocks publication, 1 when an `error` expectation failed, 2 for a suite
that cannot be loaded.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from orchestration.quality.suites import PUBLISHED_MARTS, SuiteError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.quality",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--stichtag", required=True, help="Stichtag being published, e.g. 2026-09-30")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: the project's)")
    parser.add_argument("--mart", action="append", choices=PUBLISHED_MARTS, help="only these marts")
    parser.add_argument("--expectations", type=Path, default=None,
                        help="suite folder (default: expectations/)")
    parser.add_argument("--json", type=Path, default=None, help="write all results as JSON here")
    args = parser.parse_args(argv)

    from orchestration.quality.report import failure_markdown
    from orchestration.quality.runner import run_suite

    results = {}
    try:
        for mart in args.mart or PUBLISHED_MARTS:
            result = run_suite(mart, args.db, {"stichtag": args.stichtag}, expectations_dir=args.expectations)
            results[mart] = result
            print(f"{result.summary()}  ({result.seconds:.1f} s)")
            if result.failed:
                print(failure_markdown(result))
                print()
    except SuiteError as exc:
        print(f"Suite kann nicht geladen werden: {exc}", file=sys.stderr)
        return 2
    if args.json:
        everything = {m: r.to_dict() for m, r in results.items()}
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if all(r.success for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
