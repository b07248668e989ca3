"""Run a CLI step with a timeout, streaming its output line by line to a callback.

The callback is Dagster's logger in the asset (or `print` on the command line). Each step runs in its
own process group so that a timeout also ends the children (npx -> vite -> prerender workers).
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

LineCallback = Callable[[str], None]
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Vite prints one line per emitted chunk (hundreds); they are kept in the result but not streamed.
_NOISE = re.compile(r"^\s*(\.svelte-kit/output/|build/_app/|\.evidence/template/build/)")


class StepTimeout(RuntimeError):
    """A CLI step ran longer than its timeout and was ended."""


@dataclass
class StepResult:
    name: str
    command: list[str]
    returncode: int
    duration_s: float
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, n: int = 30) -> str:
        return "\n".join(self.lines[-n:])


def clean_line(raw: str) -> str:
    return ANSI_ESCAPE.sub("", raw).rstrip("\r\n")


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    except PermissionError:
        proc.kill()


def run_step(name: str, command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout_s: float,
             on_line: LineCallback | None = None) -> StepResult:
    """Run `command`; stream cleaned output lines to `on_line`; raise StepTimeout after `timeout_s`."""
    started = time.monotonic()
    proc = subprocess.Popen(list(command), cwd=str(cwd), env=dict(env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            encoding="utf-8", errors="replace", bufsize=1, start_new_session=True)
    result = StepResult(name=name, command=list(command), returncode=-1, duration_s=0.0)

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = clean_line(raw)
            result.lines.append(line)
            if on_line is not None and line.strip() and not _NOISE.match(line):
                on_line(f"[{name}] {line}")

    reader = threading.Thread(target=pump, name=f"reports-{name}-output", daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        reader.join(timeout=5)
        raise StepTimeout(
            f"`{' '.join(command)}` ({name}) did not finish within {timeout_s:.0f} s and was stopped. "
            f"Last output:\n{result.tail(15)}") from None
    reader.join(timeout=30)
    result.returncode = proc.returncode
    result.duration_s = time.monotonic() - started
    return result
