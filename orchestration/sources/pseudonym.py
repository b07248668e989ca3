"""Keyed pseudonyms: HMAC-SHA256(key, id), truncated to 20 hex characters (80 bits).

HMAC is computed inside DuckDB, in parallel with the rest of the raw insert:
HMAC(k, m) = SHA256((k ^ opad) || SHA256((k ^ ipad) || m)). The two padded keys are bound as statement
parameters ($hmac_innen, $hmac_aussen): the key never appears in SQL text, in a log or in the warehouse.
Hashing in Python instead (one call per distinct id, then a join) cost a third of the register's
extraction and did not scale with cores; see docs/performance.md.
"""
from __future__ import annotations

import hashlib

LENGTH = 20
INNER_PARAM, OUTER_PARAM = "hmac_innen", "hmac_aussen"


def padded_keys(key: bytes) -> dict[str, bytes]:
    """The statement parameters that pseudonym_sql() refers to (RFC 2104 key padding)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return {INNER_PARAM: bytes(b ^ 0x36 for b in block), OUTER_PARAM: bytes(b ^ 0x5C for b in block)}


def pseudonym_sql(text_expr: str) -> str:
    """SQL for the pseudonym of `text_expr` (NULL stays NULL)."""
    inner = f"unhex(sha256(${INNER_PARAM} || encode({text_expr})))"
    return f"left(sha256(${OUTER_PARAM} || {inner}), {LENGTH})"
