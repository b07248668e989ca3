"""Keyed pseudonyms: HMAC-SHA256(key, id), truncated to 20 hex characters (80 bits).

The key comes from the environment and lives only in this object; it is never written anywhere and never
enters SQL text. Each delivery's distinct ids are hashed in Python and joined in as an in-memory mapping,
with a cache for the run: a backfill meets the same person in every quarter, and hashing each id once makes
the history's extraction several times faster. Ids live only in this process's memory, as in the files.
"""
from __future__ import annotations

import hashlib

import duckdb

LENGTH = 20
CACHE_LIMIT = 2_000_000  # ~300 MB at most; cleared, not grown, beyond it (x60 runs meet each id once anyway)


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

    def mapping(self, con: duckdb.DuckDBPyConnection, relation: str, text_expr: str):
        """id -> pseudonym for every distinct id of a delivery, as a DataFrame to join (one Python pass,
        instead of a Python call per row inside DuckDB)."""
        import pandas as pd

        ids = con.execute(f"SELECT DISTINCT {text_expr} AS v FROM {relation} WHERE {text_expr} IS NOT NULL"
                          ).fetchnumpy()["v"]
        return pd.DataFrame({"v": ids, "p": [self(str(v)) for v in ids]})
