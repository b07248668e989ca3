"""`npm ci` for the Evidence project, skipped while package-lock.json is unchanged.

The stamp (sha256 of the lockfile) lives inside node_modules/, so deleting node_modules also forces a
fresh install. `npm ci` installs exactly the lockfile; no `npm install` ever runs here.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Mapping

from orchestration.reports.process import LineCallback, StepResult, run_step

STAMP_NAME = ".sozialmonitor-npm-ci.sha256"


class DependencyInstallError(RuntimeError):
    """`npm ci` failed; the message carries npm's last lines."""


def lockfile_hash(reports_dir: Path) -> str:
    lockfile = reports_dir / "package-lock.json"
    if not lockfile.is_file():
        raise DependencyInstallError(f"{lockfile} is missing; it is committed with the project "
                                     "(restore it from git, do not regenerate it on a server).")
    return hashlib.sha256(lockfile.read_bytes()).hexdigest()


def stamp_path(reports_dir: Path) -> Path:
    return reports_dir / "node_modules" / STAMP_NAME


def dependencies_current(reports_dir: Path) -> bool:
    stamp = stamp_path(reports_dir)
    return (stamp.is_file() and stamp.read_text().strip() == lockfile_hash(reports_dir)
            and (reports_dir / "node_modules" / ".bin" / "evidence").exists())


def ensure_dependencies(reports_dir: Path, npm: str, *, env: Mapping[str, str] | None = None,
                        timeout_s: float = 900, on_line: LineCallback | None = None) -> StepResult | None:
    """Run `npm ci` unless the stamp matches the lockfile; returns the step (None when skipped)."""
    digest = lockfile_hash(reports_dir)
    if dependencies_current(reports_dir):
        if on_line:
            on_line(f"[npm ci] skipped: package-lock.json unchanged (sha256 {digest[:12]})")
        return None
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=warn"]
    result = run_step("npm ci", command, cwd=reports_dir, env=dict(env or os.environ), timeout_s=timeout_s,
                      on_line=on_line)
    if not result.ok:
        raise DependencyInstallError(f"`npm ci` failed (exit {result.returncode}) in {reports_dir}:\n"
                                     f"{result.tail(20)}")
    stamp_path(reports_dir).write_text(digest + "\n")
    return result
