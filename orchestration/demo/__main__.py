"""python -m orchestration.demo --inbox DIR [--seed N] [--start 2015-Q1] [--until 2026-Q3] [--scale 1.0]
[--write-from 2026-Q3] [--omit sgb2:2026-Q3 ...]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.demo.generator import DEFAULT_SEED, generate_demo


def _omit(value: str) -> tuple[str, str]:
    source, sep, period = value.partition(":")
    if not sep or not source or not period:
        raise argparse.ArgumentTypeError("expected SOURCE:PERIOD, e.g. sgb2:2026-Q3")
    return source, period


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.demo",
                                     description="Write synthetic demo deliveries (SYNTHETISCHE DEMODATEN).")
    parser.add_argument("--inbox", type=Path, required=True, help="target folder (one sub-folder per source)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", default="2015-Q1")
    parser.add_argument("--until", default="2026-Q3")
    parser.add_argument("--write-from", default=None, help="write quarterly/yearly files from this quarter on")
    parser.add_argument("--scale", type=float, default=1.0, help="population multiplier (e.g. 10, 60, 0.25)")
    parser.add_argument("--omit", type=_omit, action="append", default=[], metavar="SOURCE:PERIOD",
                        help="leave out a delivery (a late office), repeatable")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    summary = generate_demo(args.inbox, seed=args.seed, start=args.start, until=args.until,
                            write_from=args.write_from, scale=args.scale, omit=args.omit,
                            progress=None if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True)))
    print(f"{summary.files_written} files, {summary.bytes_written / 1e6:.1f} MB, "
          f"{summary.persons_total:,} residents at {summary.last_stichtag}, {summary.seconds:.1f} s -> {summary.inbox}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
