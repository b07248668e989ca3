"""Fail in seconds, with what to install, when Node.js or npm are missing or too old.

Evidence 39 (SvelteKit 2, Vite 5) needs Node.js >= 18.13; the lockfile (lockfileVersion 3) needs
npm >= 7. The project is checked with Node 20 and npm 11.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

MIN_NODE = (18, 13, 0)
MIN_NPM = (7, 0, 0)
VERSION_TIMEOUT_S = 15

INSTALL_HINT = (
    "Install Node.js 20 LTS (it brings npm): on Debian/Ubuntu `apt-get install -y nodejs npm` "
    "(Debian 12 ships Node 18.19, which is enough) or the Node.js 20 binaries from nodejs.org; "
    "then run `sozialmonitor report` again."
)


class PreflightError(RuntimeError):
    """Node.js or npm cannot build the report site; the message says what to install."""


@dataclass(frozen=True)
class Toolchain:
    node: str
    npm: str
    node_version: tuple[int, int, int]
    npm_version: tuple[int, int, int]


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(part) for part in match.groups()) if match else None  # type: ignore[return-value]


def _version_of(executable: str, name: str) -> tuple[int, int, int]:
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True,
                             timeout=VERSION_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PreflightError(f"`{executable} --version` did not answer ({exc}). {INSTALL_HINT}") from exc
    version = parse_version(out.stdout or out.stderr)
    if out.returncode != 0 or version is None:
        raise PreflightError(
            f"`{executable} --version` failed (exit {out.returncode}: "
            f"{(out.stderr or out.stdout).strip()[:200]}). "
            f"{name} seems broken. {INSTALL_HINT}")
    return version


def _fmt(version: tuple[int, int, int]) -> str:
    return ".".join(str(part) for part in version)


def check_toolchain() -> Toolchain:
    """Return the node/npm paths and versions, or raise PreflightError saying what to install."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    missing = [name for name, path in (("node", node), ("npm", npm)) if path is None]
    if missing:
        raise PreflightError(f"{' and '.join(missing)} not found on PATH; the report site is built with "
                             f"Evidence, which runs on Node.js. {INSTALL_HINT}")
    assert node is not None and npm is not None
    node_version = _version_of(node, "Node.js")
    if node_version < MIN_NODE:
        raise PreflightError(f"Node.js {_fmt(node_version)} is too old ({node}); Evidence 39 needs "
                             f"Node.js >= {_fmt(MIN_NODE)}. {INSTALL_HINT}")
    npm_version = _version_of(npm, "npm")
    if npm_version < MIN_NPM:
        raise PreflightError(f"npm {_fmt(npm_version)} is too old ({npm}); `npm ci` with the committed "
                             f"lockfile needs npm >= {_fmt(MIN_NPM)}. {INSTALL_HINT}")
    return Toolchain(node=node, npm=npm, node_version=node_version, npm_version=npm_version)
