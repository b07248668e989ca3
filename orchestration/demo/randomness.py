"""Named, independent random streams derived from the run's seed.

Each source and period draws from its own stream, so that writing fewer periods (``write_from``)
does not change the files that are written, and adding a draw in one place does not shift another.
"""
from __future__ import annotations

import zlib

import numpy as np

GEOGRAPHY_SEED = 5378  # the district's map and facilities are the same for every run seed


def stream(seed: int, *labels: object) -> np.random.Generator:
    words = [int(seed) & 0xFFFFFFFF] + [zlib.crc32(str(label).encode("utf-8")) for label in labels]
    return np.random.default_rng(np.random.SeedSequence(words))
