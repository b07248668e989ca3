"""Run one command and report its wall time and peak memory, as the operating system accounts them.

Usage: python bench/measure.py LOGFILE -- COMMAND [ARG ...]
Prints one JSON line: {"seconds": wall time, "peak_mb": largest resident set of any process of the
command's tree (getrusage RUSAGE_CHILDREN, so dbt's subprocess counts), "returncode": ...}.
Each measurement runs in its own wrapper process, so the peak belongs to this command alone.
"""
import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    log, sep, *command = argv
    assert sep == "--" and command, __doc__
    with open(log, "w") as out:
        t0 = time.perf_counter()
        rc = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_kb / 1024, 1), "returncode": rc}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
