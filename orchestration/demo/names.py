"""Synthetic personal names, drawn vectorised by name group, sex and generation.

Every name must be representable in Windows-1252 (the register's encoding); the lists are checked
when this module is imported.
"""
from __future__ import annotations

import numpy as np

from orchestration.demo import gazetteer as gz

GROUPS = gz.NAME_GROUPS
GROUP_INDEX = {g: i for i, g in enumerate(GROUPS)}


def _zipf(n: int) -> np.ndarray:
    w = 1.0 / (np.arange(n) + 4.0)
    return w / w.sum()


FAMILY: list[str] = []
_FAMILY_SLICES: list[tuple[int, np.ndarray]] = []
for _g in GROUPS:
    _names = gz.FAMILY_NAMES[_g]
    _FAMILY_SLICES.append((len(FAMILY), _zipf(len(_names))))
    FAMILY.extend(_names)

FIRST: list[str] = []
_FIRST_SLICES: dict[tuple[int, int, int], tuple[int, np.ndarray]] = {}
for _gi, _g in enumerate(GROUPS):
    for _si, _s in enumerate(("m", "w")):
        for _era, _names in enumerate(gz.FIRST_NAMES[(_g, _s)]):
            _FIRST_SLICES[(_gi, _si, _era)] = (len(FIRST), _zipf(len(_names)))
            FIRST.extend(_names)

for _n in FAMILY + FIRST:
    _n.encode("cp1252")  # fails loudly if a name cannot be written to the register


def draw_family(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(groups), dtype=np.int32)
    for gi in range(len(GROUPS)):
        sel = np.flatnonzero(groups == gi)
        if len(sel):
            offset, p = _FAMILY_SLICES[gi]
            out[sel] = offset + rng.choice(len(p), size=len(sel), p=p)
    return out


def generation(birth_year: np.ndarray) -> np.ndarray:
    return np.where(birth_year < 1960, 0, np.where(birth_year < 1990, 1, 2)).astype(np.int8)


def draw_first(groups: np.ndarray, sex: np.ndarray, birth_year: np.ndarray, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray]:
    """First and (optional, -1 = none) second given name."""
    n = len(groups)
    # persons of sex "d" get names of either list
    name_sex = np.where(sex == 2, rng.integers(0, 2, n), sex).astype(np.int8)
    era = generation(birth_year)
    first = np.empty(n, dtype=np.int32)
    second = np.full(n, -1, dtype=np.int32)
    p_second = np.where(groups == 0, np.where(era == 0, 0.45, np.where(era == 1, 0.3, 0.2)), 0.06)
    has_second = rng.random(n) < p_second
    key = (groups.astype(np.int64) * 2 + name_sex) * 3 + era
    for k in np.unique(key):
        sel = np.flatnonzero(key == k)
        gi, rest = divmod(int(k), 6)
        si, e = divmod(rest, 3)
        offset, p = _FIRST_SLICES[(gi, si, e)]
        first[sel] = offset + rng.choice(len(p), size=len(sel), p=p)
        two = sel[has_second[sel]]
        if len(two):
            cand = offset + rng.choice(len(p), size=len(two), p=p)
            cand = np.where(cand == first[two], offset + (cand - offset + 1) % len(p), cand)
            second[two] = cand
    return first, second

