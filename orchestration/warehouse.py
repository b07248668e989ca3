"""DuckDB connections for the warehouse and the published file.

One writer: the warehouse is opened read-write only by the step that writes (extraction, dbt,
publication), everything else opens read-only. Extensions come from PyPI wheels
(``duckdb-extension-<name>``) and are installed into the project's own extension directory, so no
step ever tries to download one.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Sequence

import duckdb

from orchestration.settings import get_settings

_INSTALLED: set[tuple[str, str]] = set()


def install_extensions(names: Sequence[str], extension_dir: Path | None = None) -> Path:
    """Copy the PyPI-packaged extensions into ``extension_dir`` (idempotent, offline)."""
    import duckdb_extensions

    ext_dir = Path(extension_dir or get_settings().extension_dir)
    ext_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"extension_directory": str(ext_dir)})
    try:
        for name in names:
            if (str(ext_dir), name) in _INSTALLED:
                continue
            marker = list(ext_dir.glob(f"v{duckdb.__version__}/*/{name}.duckdb_extension"))
            if not marker:
                duckdb_extensions.import_extension(name, con=con)
            _INSTALLED.add((str(ext_dir), name))
    finally:
        con.close()
    return ext_dir


def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    extensions: Sequence[str] = (),
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file (default: the warehouse) with the project's extension directory."""
    settings = get_settings()
    target = Path(path) if path is not None else settings.warehouse
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
    ext_dir = install_extensions(extensions) if extensions else settings.extension_dir
    config = {"extension_directory": str(ext_dir), "autoinstall_known_extensions": False,
              "autoload_known_extensions": False, "memory_limit": settings.duckdb_memory_limit}
    if not read_only:
        # a backfill commits hundreds of deliveries: checkpoint seldom, not every 16 MB of WAL
        config["checkpoint_threshold"] = "512MB"
    con = duckdb.connect(str(target), read_only=read_only, config=config)
    for name in extensions:
        con.execute(f"LOAD {name}")
    return con


@contextlib.contextmanager
def connection(path: Path | str | None = None, *, read_only: bool = False,
               extensions: Sequence[str] = ()) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path, read_only=read_only, extensions=extensions)
    try:
        yield con
    finally:
        con.close()
