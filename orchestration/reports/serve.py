"""Serve the built site over HTTP (it cannot be opened from file://: its asset paths are absolute).

For a planner's desktop or a test; an intranet web server (nginx, Apache, IIS) serves the same folder
as static files. Binds to 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

# Types the site needs that Python's table may lack or get wrong on some systems.
_EXTRA_TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".geojson": "application/geo+json",
    ".parquet": "application/octet-stream",
    ".arrow": "application/vnd.apache.arrow.file",
    ".svg": "image/svg+xml",
}


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **_EXTRA_TYPES}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        pass  # quiet: a page load makes dozens of requests


class SiteServer:
    """A threaded static server for a build directory; use as a context manager or call stop()."""

    def __init__(self, build_dir: Path, port: int = 8080, host: str = "127.0.0.1"):
        build_dir = Path(build_dir)
        if not (build_dir / "index.html").is_file():
            raise FileNotFoundError(f"{build_dir} has no index.html; build the site first "
                                    "(sozialmonitor report)")
        handler = functools.partial(_SiteHandler, directory=str(build_dir))
        self.httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.build_dir = build_dir
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "SiteServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="reports-site-server",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "SiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(build_dir: Path, port: int = 8080, host: str = "127.0.0.1") -> None:
    """Serve `build_dir` until interrupted (Ctrl+C)."""
    server = SiteServer(build_dir, port=port, host=host)
    print(f"Report site: {server.url}  (Ctrl+C to stop)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
