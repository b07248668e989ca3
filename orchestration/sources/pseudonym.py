"""Keyed pseudonyms: HMAC-SHA256(key, id), truncated to 20 hex characters (80 bits).

The key comes from the environment and lives only in this object; it is never written anywhere and never
enters SQL text. Inside DuckDB the pseudonym is a vectorised Python function, with a cache for the run:
a backfill meets the same person in every quarter, and hashing each id once makes the history's
extraction several times faster. The cache holds ids only in this process's memory, like the files do.
"""
from __future__ import annotations

import hashlib

import duckdb

LENGTH = 20
CACHE_LIMIT = 5_000_000  # ~1 GB at most; cleared, not grown, beyond it (x60 runs meet each id once anyway)


class Pseudonymiser:
    def __init__(self, key: bytes):
        block = key if len(key) <= 64 else hashlib.sha256(key).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._cache: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        inner = self._inner.copy()
        inner.update(value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        pseudonym = outer.hexdigest()[:LENGTH]
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[value] = pseudonym
        return pseudonym

    def register(self, con: duckdb.DuckDBPyConnection, name: str = "pseudonym") -> None:
        try:
            con.remove_function(name)
        except (duckdb.InvalidInputException, duckdb.CatalogException):
            pass
        # a scalar Python function; NULL stays NULL (DuckDB does not call it for NULLs by default)
        con.create_function(name, self, [duckdb.sqltypes.VARCHAR], duckdb.sqltypes.VARCHAR, side_effects=False)
