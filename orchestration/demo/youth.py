"""Educational support cases (Hilfen zur Erziehung, SGB VIII §§ 27–35, 41).

Cases start among the register's children with a risk that grows with the area's deprivation, a
single parent and SGB II, run 6 to 36 months and end early when the child leaves the district.
Case ids are stable across quarters; each quarter's export lists every case running at some time
in the quarter.
"""
from __future__ import annotations

import numpy as np

from orchestration.demo import contracts
from orchestration.demo import names as nm
from orchestration.demo import social as so
from orchestration.demo.files import Inbox, csv_bytes
from orchestration.demo.population import YEAR, IdSequence, Simulation, Table
from orchestration.demo.randomness import stream
from orchestration.demo.timeline import Quarter


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"))

HILFEARTEN = np.array(["27.2", "29", "30", "31", "32", "33", "34", "35", "35a", "41"])
# type shares by age at the start: 0-5, 6-11, 12-17 (index into HILFEARTEN; § 41 only for 18-20)
_TYPE_BY_AGE = np.array([
    [0.15, 0.00, 0.05, 0.42, 0.02, 0.24, 0.08, 0.00, 0.04, 0.0],
    [0.13, 0.04, 0.16, 0.28, 0.10, 0.12, 0.08, 0.00, 0.09, 0.0],
    [0.10, 0.06, 0.25, 0.13, 0.03, 0.07, 0.23, 0.04, 0.09, 0.0],
])
_HAZARD = 0.0024  # new cases per child and quarter at average risk


class YouthWelfare:
    def __init__(self, seed: int):
        self.seed = seed
        self.ids = IdSequence(7, 7_654_321, 1_234_567)
        e = np.array([], dtype=np.int64)
        self.cases = Table(fall=e, pid=e, birth=e.astype(np.int32), sex=e.astype(np.int8), fam=e.astype(np.int32),
                           fn1=e.astype(np.int32), kind=e.astype(np.int8), start=e.astype(np.int32),
                           end=e.astype(np.int32), closed=e.astype(np.int32), addr=e.astype(np.int32))
        self.started = False

    def step(self, sim: Simulation, q: Quarter) -> None:
        rng = stream(self.seed, "hze", q.label)
        P, H, C = sim.P, sim.H, self.cases
        d0, d1 = q.start_day, q.end_day
        # children who died or left the district: their open case ends on that day
        dep_pid, dep_date, dep_addr = sim.departed
        open_ = C.closed < 0
        if len(dep_pid) and open_.any():
            order = np.argsort(dep_pid)
            pos = np.searchsorted(dep_pid[order], C.pid).clip(0, len(dep_pid) - 1)
            hit = open_ & (dep_pid[order][pos] == C.pid)
            C.closed[hit] = np.minimum(dep_date[order][pos[hit]], C.end[hit])
            C.addr[hit] = dep_addr[order][pos[hit]]
        # open cases follow their child's address; planned ends and the 21st birthday close them
        present = np.flatnonzero(P.case >= 0)
        C.addr[P.case[present]] = H.addr[P.hh[present]]
        open_ = C.closed < 0
        ends = open_ & (np.minimum(C.end, C.birth + int(21 * YEAR)) <= d1)
        C.closed[ends] = np.minimum(C.end[ends], C.birth[ends] + int(21 * YEAR))
        # new cases among the children (and young adults up to 21) without one
        age = sim.ages(d0)
        young = np.flatnonzero(age < 21)
        young = young[(P.case[young] < 0) & ~H.sec[P.hh[young]]]
        st = sim.stats
        hh = P.hh[young]
        d = sim.dep_model.at(q.decimal_year)[sim.addr_wp[H.addr[hh]]]
        risk = np.exp(2.3 * (d - 0.25) + 0.8 * (st.category[hh] == so.SINGLE_PARENT) + 0.7 * (H.sgb2[hh] == 1))
        hazard = _HAZARD * risk * np.where(age[young] < 18, 1.0, 0.25)
        if not self.started:
            # the stock of cases already running when the history begins (mean duration: 7 quarters)
            self._open(sim, rng, young[rng.random(len(young)) < hazard * 7.0], age, d0, running_for=True)
            self.started = True
        else:
            self._open(sim, rng, young[rng.random(len(young)) < hazard], age, d0, d1=d1)
        # persons whose case has closed are free for a new one later
        C = self.cases
        linked = np.flatnonzero(P.case >= 0)
        done = C.closed[P.case[linked]] >= 0
        P.case[linked[done]] = -1
        self._prune(sim, d0)

    def _open(self, sim: Simulation, rng, who: np.ndarray, age: np.ndarray, d0: int, d1: int | None = None,
              running_for: bool = False) -> None:
        P, H = sim.P, sim.H
        n = len(who)
        if n == 0:
            return
        band = np.clip((age[who] // 6).astype(int), 0, 2)
        kind = np.empty(n, dtype=np.int8)
        for b in range(3):
            sel = np.flatnonzero(band == b)
            kind[sel] = rng.choice(len(HILFEARTEN), size=len(sel), p=_TYPE_BY_AGE[b] / _TYPE_BY_AGE[b].sum())
        kind[age[who] >= 18] = 9  # § 41 for young adults
        months = rng.uniform(6, 36, n)
        duration = (months * 30.44).astype(np.int32)
        if running_for:
            start = d0 - (rng.random(n) * duration).astype(np.int32)
        else:
            start = d0 + rng.integers(0, d1 - d0 + 1, n).astype(np.int32)
        start = np.maximum(start, P.birth[who]).astype(np.int32)
        first = len(self.cases)
        self.cases.append({"fall": self.ids.take(n), "pid": P.pid[who], "birth": P.birth[who], "sex": P.sex[who],
                           "fam": P.fam[who], "fn1": P.fn1[who], "kind": kind, "start": start,
                           "end": start + duration, "closed": np.full(n, -1, np.int32),
                           "addr": H.addr[P.hh[who]]})
        P.case[who] = np.arange(first, first + n, dtype=np.int32)

    def _prune(self, sim: Simulation, d0: int) -> None:
        """Drop cases closed more than a year ago (no export lists them again); persons hold only
        open cases, so their links are renumbered."""
        C = self.cases
        old = (C.closed >= 0) & (C.closed < d0 - 400)
        if old.sum() < 1000:
            return
        keep = ~old
        remap = (np.cumsum(keep) - 1).astype(np.int32)
        C.keep(keep)
        linked = np.flatnonzero(sim.P.case >= 0)
        sim.P.case[linked] = remap[sim.P.case[linked]]

    def running(self, q: Quarter) -> np.ndarray:
        C = self.cases
        return np.flatnonzero((C.start <= q.end_day) & ((C.closed < 0) | (C.closed >= q.start_day))
                              & (C.end >= q.start_day))

    def write(self, inbox: Inbox, sim: Simulation, q: Quarter) -> None:
        if not inbox.wanted("hze", q.label):
            return
        C = self.cases
        idx = self.running(q)
        idx = idx[np.lexsort((C.fall[idx], C.start[idx]))]
        geo = sim.geo
        scheme_wps = geo.new_wps if q.scheme == "2021-01-01" else geo.old_wps
        cell_map = geo.cell_new if q.scheme == "2021-01-01" else geo.cell_old
        keys = np.array([w.key for w in scheme_wps])
        closed = C.closed[idx]
        ended = (closed >= 0) & (closed <= q.end_day)
        columns = {
            "fall_pseudonym": [f"F{f:07d}" for f in C.fall[idx].tolist()],
            "nachname": np.array(nm.FAMILY, dtype=object)[C.fam[idx]],
            "vorname": np.array(nm.FIRST, dtype=object)[C.fn1[idx]],
            "geburtsdatum": _iso(C.birth[idx]),
            "geschlecht": np.array(["m", "w", "d"])[C.sex[idx]],
            "hilfeart": HILFEARTEN[C.kind[idx]],
            "hilfebeginn": _iso(C.start[idx]),
            "hilfeende": np.where(ended, _iso(np.maximum(closed, 0)), None),
            "wohnplatz_id": keys[cell_map[geo.addr_cell[C.addr[idx]]]],
            "stichtag": np.full(len(idx), q.stichtag.isoformat()),
        }
        cols = contracts.columns("hze")
        spec = contracts.file_spec("hze", "hze")
        data = csv_bytes([c["quelle"] for c in cols], zip(*(list(columns[c["name"]]) for c in cols)),
                         sep=spec["trennzeichen"], encoding=spec["encoding"], crlf=False)
        inbox.write_bytes("hze", "hze", q.label, f"HzE_Faelle_{q.label}", "csv", data)
