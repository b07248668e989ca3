"""HTML -> PDF with Debian's headless Chromium (`chromium --headless --print-to-pdf`), when it is installed.

No Python PDF library renders our CSS and SVG faithfully offline; the browser that the browser tests use
already does. Each conversion runs in its own throw-away profile directory, with networking features off;
the profile HTML itself forbids loading anything (Content-Security-Policy).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-default-apps", "--disable-extensions", "--no-pdf-header-footer",
                  "--disable-features=Translate,MediaRouter,OptimizationHints"]
TIMEOUT_SECONDS = 120


class PdfUnavailable(RuntimeError):
    def __init__(self, detail: str = "") -> None:
        super().__init__("PDF not written: Chromium is not installed here (Debian: apt-get install chromium; or set "
                         "SOZIALMONITOR_CHROMIUM to its path). The HTML profiles are complete without it."
                         + (f" {detail}" if detail else ""))


def find_chromium() -> str | None:
    configured = os.environ.get("SOZIALMONITOR_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: Path, pdf: Path, chromium: str) -> Path:
    """Print one HTML file to `pdf` (written beside, then renamed: never a half-written PDF)."""
    html, pdf = Path(html).resolve(), Path(pdf)
    tmp = pdf.with_name(f".{pdf.stem}.tmp.pdf")
    with tempfile.TemporaryDirectory(prefix="sozialmonitor-chromium-") as profile:
        result = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html.as_uri()],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    if result.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"chromium could not print {html.name} (exit {result.returncode}): "
                           f"{(result.stderr or '').strip().splitlines()[-1:] or ''}")
    os.replace(tmp, pdf)
    return pdf


def html_files_to_pdf(files: Sequence[Path], chromium: str, workers: int | None = None) -> list[Path]:
    """A PDF beside every HTML file (same stem), a few browsers at a time."""
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda f: html_to_pdf(f, Path(f).with_suffix(".pdf"), chromium), files))
