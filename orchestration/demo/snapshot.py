"""The register at a Stichtag, reduced to what the aggregated sources count.

All aggregates are computed from these arrays (main residents only), on the Wohnplatz scheme valid
at the Stichtag, so that a pipeline can check every delivery against the register.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from orchestration.demo import gazetteer as gz
from orchestration.demo import social as so
from orchestration.demo.geography import Geography, Wohnplatz
from orchestration.demo.population import Simulation, exact_age
from orchestration.demo.timeline import NEW_SCHEME, Quarter


@dataclass
class Snapshot:
    q: Quarter
    geo: Geography
    sim: Simulation

    def __post_init__(self) -> None:
        P, H = self.sim.P, self.sim.H
        self.main = np.flatnonzero(~H.sec[P.hh])
        self.scheme = self.q.scheme
        self.scheme_new = self.scheme == NEW_SCHEME
        self.wps: list[Wohnplatz] = self.geo.new_wps if self.scheme_new else self.geo.old_wps
        self.dep = self.sim.dep_model.at(self.q.decimal_year)

    # ---------------------------------------------------------------- persons (main residents)
    @cached_property
    def addr(self) -> np.ndarray:
        return self.sim.H.addr[self.sim.P.hh[self.main]]

    @cached_property
    def cell(self) -> np.ndarray:
        return self.geo.addr_cell[self.addr]

    @cached_property
    def wp_new(self) -> np.ndarray:
        return self.geo.cell_new[self.cell].astype(np.int64)

    @cached_property
    def wp(self) -> np.ndarray:
        """Wohnplatz index in the scheme valid at the Stichtag."""
        table = self.geo.cell_new if self.scheme_new else self.geo.cell_old
        return table[self.cell].astype(np.int64)

    @cached_property
    def muni(self) -> np.ndarray:
        return self.geo.cell_muni[self.cell].astype(np.int64)

    @cached_property
    def age(self) -> np.ndarray:
        return exact_age(self.sim.P.birth[self.main], self.q.end_day)

    def col(self, name: str) -> np.ndarray:
        return self.sim.P.cols[name][self.main]

    @cached_property
    def household(self) -> np.ndarray:
        return self.sim.P.hh[self.main]

    @cached_property
    def in_sgb2(self) -> np.ndarray:
        return self.sim.H.sgb2[self.household] == 1

    @property
    def hh_stats(self):
        """Household composition at the Stichtag (computed by the simulation's last step)."""
        return self.sim.stats

    @cached_property
    def category(self) -> np.ndarray:
        return self.hh_stats.category[self.household]

    @cached_property
    def dep_person(self) -> np.ndarray:
        return self.dep[self.wp_new]

    @cached_property
    def is_head(self) -> np.ndarray:
        return self.col("role") == 0

    @cached_property
    def lives_alone(self) -> np.ndarray:
        return self.hh_stats.size[self.household] == 1

    def count(self, mask: np.ndarray | None = None, by: str = "wp") -> np.ndarray:
        """Main residents (where `mask`) per Wohnplatz of the valid scheme, of today's scheme or per
        municipality (`by` = "wp", "wp_new", "muni")."""
        keys = getattr(self, by)
        n = {"wp": len(self.wps), "wp_new": len(self.geo.new_wps), "muni": len(gz.MUNICIPALITIES)}[by]
        return np.bincount(keys if mask is None else keys[mask], minlength=n)

    def count_muni(self, mask: np.ndarray | None = None) -> np.ndarray:
        return self.count(mask, "muni")

    # ---------------------------------------------------------------- person-level social states
    @cached_property
    def grundsicherung(self) -> np.ndarray:
        """Basic income in old age (SGB XII ch. 4): a stable latent draw against an area/household risk."""
        p = so.sigmoid(-5.35 + 3.3 * self.dep_person + 1.3 * (self.col("nat") > 0) + 0.55 * self.lives_alone
                       + 0.25 * (self.col("sex") == 1))
        return (self.age >= 65) & (self.col("u_gs") < p)

    @cached_property
    def care_need(self) -> tuple[np.ndarray, np.ndarray]:
        """Help for care (SGB XII ch. 7): (recipient, in a nursing home)."""
        age = self.age
        base = np.interp(age, [65, 79, 80, 89, 90, 100], [0.002, 0.004, 0.009, 0.016, 0.03, 0.045])
        p = base * (1.0 + 0.9 * self.dep_person)
        u = self.col("u_care")
        recipient = (age >= 65) & (u < p)
        stationary = recipient & (u < p * np.where(age >= 80, 0.62, 0.42))
        return recipient, stationary
