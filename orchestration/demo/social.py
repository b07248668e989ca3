"""Social structure of the areas: a deprivation level per Wohnplatz (today's scheme) that drifts
over time, and the probability models that turn it into household and person states."""
from __future__ import annotations

import numpy as np

from orchestration.demo import gazetteer as gz
from orchestration.demo.geography import Geography
from orchestration.demo.randomness import GEOGRAPHY_SEED, stream

URBANITY = {"zentrum": 1.0, "stadt": 0.6, "dorf": 0.0}


class Deprivation:
    """d(t) in [0, 1] per Wohnplatz of today's scheme; cells of the old scheme use their new area."""

    def __init__(self, geo: Geography):
        rng = stream(GEOGRAPHY_SEED, "deprivation")
        n = len(geo.new_wps)
        self.base = np.empty(n)
        self.slope = np.empty(n)
        self.profiles: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i, wp in enumerate(geo.new_wps):
            prof = gz.DEPRIVATION_PROFILES.get((wp.ags, wp.name))
            if prof is not None:
                years, levels = zip(*prof)
                self.profiles[i] = (np.array(years), np.array(levels))
            self.base[i] = np.clip(gz.KIND_DEPRIVATION[wp.kind] + rng.uniform(-0.09, 0.09), 0.02, 0.6)
            self.slope[i] = rng.normal(0.0, 0.006)
        self.urbanity = np.array([URBANITY[w.kind] for w in geo.new_wps])

    def at(self, year: float) -> np.ndarray:
        d = np.clip(self.base + self.slope * (year - 2015.0), 0.01, 0.7)
        for i, (years, levels) in self.profiles.items():
            d[i] = np.interp(year, years, levels)
        return d


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# Household categories used by the location and benefit models
SINGLE_YOUNG, SINGLE_MID, ELDERLY, COUPLE, FAMILY, SINGLE_PARENT = range(6)
# affinity of a household category to deprived (a) and urban (b) areas when choosing a home
AFFINITY_DEPRIVED = np.array([1.0, 0.6, 0.0, -0.3, -0.5, 1.4])
AFFINITY_URBAN = np.array([1.2, 0.6, 0.3, -0.2, -0.5, 0.6])
AFFINITY_SGB2 = 1.8  # extra pull of deprived (cheaper) areas for households on benefits


def sgb2_rate(d: np.ndarray, category: np.ndarray, non_german: np.ndarray, minors: np.ndarray,
              head_age: np.ndarray) -> np.ndarray:
    """Long-run probability that a household lives on SGB II benefits."""
    logit = (-4.72 + 3.9 * d
             + np.select([category == SINGLE_PARENT, category == SINGLE_YOUNG, category == SINGLE_MID,
                          category == COUPLE], [2.1, 0.55, 0.45, -0.55], 0.0)
             + 0.95 * non_german + 0.35 * (minors >= 1) + 0.45 * (minors >= 3))
    rate = sigmoid(logit)
    return np.where(head_age >= 65, 0.0, rate)


SGB2_EXIT = 0.085  # per quarter: spells last about three years on average
