"""The register population, simulated quarter by quarter with numpy.

Persons and households live in column tables (one numpy array per attribute); every process of a
quarter (deaths, moves out of the district, young adults leaving home, separations, moves inside
the district, new couples, births, moves into the district, secondary residences, naturalisation,
benefit and unemployment spells) is one vectorised step. Register events are logged as they
happen, so the Bewegungen files and the Bestand snapshots agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo import gazetteer as gz
from orchestration.demo import names as nm
from orchestration.demo import social as so
from orchestration.demo.geography import Geography
from orchestration.demo.randomness import stream
from orchestration.demo.timeline import Quarter

YEAR = 365.25
ZUZUG, FORTZUG, UMZUG, GEBURT, TOD = range(5)
EVENT_NAMES = ("Zuzug", "Fortzug", "Umzug", "Geburt", "Tod")
GROWTH_PER_YEAR = 1.002
SECONDARY_SHARE = 0.0215  # secondary residences per main resident (~2 % of the register rows)

NATIONALITY_CODES = np.array([c[0] for c in gz.CITIZENSHIPS])
_NAT_GROUP = np.array([nm.GROUP_INDEX[c[1]] for c in gz.CITIZENSHIPS], dtype=np.int8)
_NAT_WEIGHTS = np.array([c[2] for c in gz.CITIZENSHIPS])
_NAT_WEIGHTS = _NAT_WEIGHTS / _NAT_WEIGHTS.sum()
_REFUGEE_CODES = {"475", "423", "438"}
_UKRAINE = "166"

# age pyramid (relative persons per single year, Germany around 2015, a little older like the district)
_PYRAMID_KNOTS = ((0, 690), (5, 700), (10, 740), (15, 810), (20, 880), (25, 960), (30, 980), (35, 950),
                  (40, 1030), (45, 1380), (50, 1430), (55, 1290), (60, 1120), (65, 930), (70, 880),
                  (75, 890), (80, 630), (85, 390), (90, 160), (95, 45), (100, 6))
_AGES = np.arange(101)
PYRAMID = np.interp(_AGES, [k[0] for k in _PYRAMID_KNOTS], [k[1] for k in _PYRAMID_KNOTS]).astype(float)

# household types of the initial population: share of households
_TYPES = ("single_young", "single_mid", "single_old", "couple", "couple_old", "family", "single_parent",
          "family_adult_children")
_TYPE_SHARES = np.array([0.115, 0.135, 0.155, 0.135, 0.14, 0.148, 0.045, 0.07])
_TYPE_SHARES = _TYPE_SHARES / _TYPE_SHARES.sum()


class Table:
    """Columns of equal length; rows are selected or appended for all columns at once."""

    def __init__(self, **cols: np.ndarray):
        self.__dict__["cols"] = dict(cols)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: np.ndarray) -> None:
        self.cols[name] = value

    def __len__(self) -> int:
        return len(next(iter(self.cols.values())))

    def keep(self, sel: np.ndarray) -> None:
        for k, v in self.cols.items():
            self.cols[k] = v[sel]

    def append(self, rows: dict[str, np.ndarray]) -> None:
        for k, v in self.cols.items():
            self.cols[k] = np.concatenate([v, np.asarray(rows[k]).astype(v.dtype, copy=False)])


class EventLog:
    def __init__(self) -> None:
        self.parts: list[tuple] = []

    def add(self, kind: int, pid: np.ndarray, date: np.ndarray, muni: np.ndarray,
            alt: np.ndarray | None = None, neu: np.ndarray | None = None) -> None:
        n = len(pid)
        if n == 0:
            return
        none = np.full(n, -1, dtype=np.int32)
        self.parts.append((np.full(n, kind, dtype=np.int8), pid, date.astype(np.int32), muni.astype(np.int8),
                           none if alt is None else alt.astype(np.int32),
                           none if neu is None else neu.astype(np.int32)))

    def table(self) -> Table:
        if not self.parts:
            e = np.array([], dtype=np.int32)
            return Table(kind=e.astype(np.int8), pid=e.astype(np.int64), date=e, muni=e.astype(np.int8), alt=e,
                         neu=e)
        cols = list(zip(*self.parts))
        return Table(kind=np.concatenate(cols[0]), pid=np.concatenate(cols[1]), date=np.concatenate(cols[2]),
                     muni=np.concatenate(cols[3]), alt=np.concatenate(cols[4]), neu=np.concatenate(cols[5]))


def annual_mortality(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    f32 = np.float32
    q = np.exp(f32(-10.68) + f32(0.0945) * age) * np.where(sex == 0, f32(1.25), f32(0.8))
    q = np.maximum(q, f32(0.00025))
    q[age < 1] = f32(0.0034)
    return np.minimum(q, f32(0.55))


def annual_fertility(age: np.ndarray) -> np.ndarray:
    return 1.72 * np.exp(-0.5 * ((age - 31.0) / 5.4) ** 2) / (5.4 * np.sqrt(2 * np.pi))


def sample_ages(rng: np.random.Generator, lo: float, hi: float, n: int, tilt: float = 0.0) -> np.ndarray:
    """Ages in years (with fraction) from the pyramid restricted to [lo, hi]; tilt > 0 favours the old."""
    a = np.arange(int(lo), int(np.ceil(hi)) + 1)
    a = a[a <= 100]
    w = PYRAMID[a] * (1.0 + tilt * (a - lo) / 15.0)
    return (rng.choice(a, size=n, p=w / w.sum()) + rng.random(n)).clip(lo, hi)


def exact_age(birth: np.ndarray, day: int) -> np.ndarray:
    """Completed years at `day` (both day numbers), as the register counts them."""
    b = birth.astype("datetime64[D]")
    by = b.astype("datetime64[Y]").astype(np.int64) + 1970
    bmd = (b.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100 + (
        b - b.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    s = np.datetime64(int(day), "D")
    sy = int(s.astype("datetime64[Y]").astype(np.int64)) + 1970
    smd = (int(s.astype("datetime64[M]").astype(np.int64)) % 12 + 1) * 100 + int(
        (s - s.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)) + 1
    return (sy - by - (bmd > smd)).astype(np.int16)


def birth_year(birth: np.ndarray) -> np.ndarray:
    return birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


class IdSequence:
    """Random-looking, unique ids of a fixed number of digits (an affine map of a counter)."""

    def __init__(self, digits: int, multiplier: int, offset: int):
        self.mod = 10 ** digits
        self.mul, self.off, self.next = multiplier, offset, 0

    def take(self, n: int) -> np.ndarray:
        k = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        return (k * self.mul + self.off) % self.mod


class AddressSampler:
    """Chooses homes: a Wohnplatz by the household's affinity, then a building by its capacity."""

    def __init__(self, geo: Geography):
        self.geo = geo
        self.addr_wp = geo.addr_new.astype(np.int64)
        order = np.argsort(self.addr_wp, kind="stable")
        self.order = order
        cap = geo.addr_capacity[order]
        self.cum = np.cumsum(cap)
        n_wp = len(geo.new_wps)
        self.wp_capacity = np.bincount(self.addr_wp, weights=geo.addr_capacity, minlength=n_wp)
        ends = np.cumsum(self.wp_capacity)
        self.wp_start = ends - self.wp_capacity
        self.wp_muni = np.array([w.muni for w in geo.new_wps])
        muni_cap = np.bincount(self.wp_muni, weights=self.wp_capacity, minlength=len(gz.MUNICIPALITIES))
        self.muni_share = muni_cap / muni_cap.sum()

    def wohnplatz(self, rng: np.random.Generator, muni: np.ndarray, category: np.ndarray, sgb2: np.ndarray,
                  non_german: np.ndarray, dep: np.ndarray, urban: np.ndarray) -> np.ndarray:
        out = np.empty(len(muni), dtype=np.int64)
        key = ((muni.astype(np.int64) * 6 + category) * 2 + sgb2.astype(np.int64)) * 2 + non_german.astype(np.int64)
        for k in np.unique(key):
            sel = np.flatnonzero(key == k)
            rest, ng = divmod(int(k), 2)
            rest, sg = divmod(rest, 2)
            m, cat = divmod(rest, 6)
            wps = np.flatnonzero(self.wp_muni == m)
            pull = (so.AFFINITY_DEPRIVED[cat] * dep[wps] + so.AFFINITY_URBAN[cat] * urban[wps]
                    + so.AFFINITY_SGB2 * sg * dep[wps] + 0.9 * ng * dep[wps])
            w = self.wp_capacity[wps] * np.exp(pull)
            cw = np.cumsum(w)
            out[sel] = wps[np.searchsorted(cw, rng.random(len(sel)) * cw[-1], side="right").clip(0, len(wps) - 1)]
        return out

    def address(self, rng: np.random.Generator, wp: np.ndarray) -> np.ndarray:
        u = self.wp_start[wp] + rng.random(len(wp)) * self.wp_capacity[wp]
        pos = np.searchsorted(self.cum, u, side="right").clip(0, len(self.cum) - 1)
        return self.order[pos].astype(np.int32)

    def destination_muni(self, rng: np.random.Generator, origin: np.ndarray, p_stay: float) -> np.ndarray:
        other = rng.choice(len(self.muni_share), size=len(origin), p=self.muni_share)
        return np.where(rng.random(len(origin)) < p_stay, origin, other)


@dataclass
class HouseholdStats:
    size: np.ndarray
    adults: np.ndarray
    minors: np.ndarray
    head_age: np.ndarray
    head_sex: np.ndarray
    head_nat: np.ndarray
    category: np.ndarray


def _pad(st: HouseholdStats, n: int) -> HouseholdStats:
    """Extend stale household statistics to households founded since (single adults)."""
    k = n - len(st.size)
    if k <= 0:
        return st

    def ext(a: np.ndarray, fill) -> np.ndarray:
        return np.concatenate([a, np.full(k, fill, dtype=a.dtype)])

    return HouseholdStats(ext(st.size, 1), ext(st.adults, 1), ext(st.minors, 0), ext(st.head_age, 30.0),
                          ext(st.head_sex, 0), ext(st.head_nat, 0), ext(st.category, so.SINGLE_YOUNG))


class Simulation:
    def __init__(self, geo: Geography, seed: int, scale: float, start: Quarter):
        self.geo = geo
        self.scale = scale
        self.rng = stream(seed, "population")
        self.dep_model = so.Deprivation(geo)
        self.sampler = AddressSampler(geo)
        self.addr_muni = geo.addr_muni.astype(np.int64)
        self.addr_wp = geo.addr_new.astype(np.int64)
        self.person_ids = IdSequence(10, 6_364_136_223, 1_442_695_040)
        self.household_ids = IdSequence(8, 48_271_573, 10_000_019)
        total_2009 = sum(m.population_2009 for m in gz.MUNICIPALITIES)
        self.target_2020 = np.array([gz.TARGET_POPULATION_2020 * m.population_2009 / total_2009
                                     for m in gz.MUNICIPALITIES]) * scale
        self.quarter = None
        self._build_initial(start)

    # ------------------------------------------------------------------ targets and helpers
    def target(self, year: float) -> np.ndarray:
        """Main residents per municipality on the trajectory (+0.2 %/year around 2020-12-31)."""
        return self.target_2020 * GROWTH_PER_YEAR ** (year - 2021.0)

    def ages(self, day: int) -> np.ndarray:
        """Age in years (float32: at 60 times the district every byte per person counts)."""
        return (day - self.P.birth).astype(np.float32) / np.float32(YEAR)

    def household_stats(self, age: np.ndarray, alive: np.ndarray | None = None) -> HouseholdStats:
        """Size, adults, minors and head of every household (counting only `alive` persons)."""
        P, nh = self.P, len(self.H)
        if alive is None:
            size = np.bincount(P.hh, minlength=nh).astype(np.int32)
            adults = np.bincount(P.hh[age >= 18], minlength=nh).astype(np.int32)
            head = np.flatnonzero(P.role == 0)
        else:
            size = np.bincount(P.hh[alive], minlength=nh).astype(np.int32)
            adults = np.bincount(P.hh[(age >= 18) & alive], minlength=nh).astype(np.int32)
            head = np.flatnonzero((P.role == 0) & alive)
        minors = size - adults
        head_age = np.zeros(nh, dtype=np.float32)
        head_age[P.hh[head]] = age[head]
        head_sex = np.zeros(nh, dtype=np.int8)
        head_sex[P.hh[head]] = P.sex[head]
        head_nat = np.zeros(nh, dtype=np.int16)
        head_nat[P.hh[head]] = P.nat[head]
        cat = np.full(nh, so.SINGLE_PARENT, dtype=np.int8)
        cat[adults >= 2] = so.FAMILY
        cat[minors == 0] = so.COUPLE
        single = size <= 1
        cat[single] = so.SINGLE_MID
        cat[single & (head_age < 35)] = so.SINGLE_YOUNG
        cat[head_age >= 65] = so.ELDERLY
        return HouseholdStats(size, adults, minors, head_age, head_sex, head_nat, cat)

    def _names_for(self, groups: np.ndarray, sex: np.ndarray, birth: np.ndarray, rng) -> tuple:
        fn1, fn2 = nm.draw_first(groups, sex, birth_year(birth), rng)
        return fn1, fn2

    def _draw_nationality(self, rng, n: int, p_foreign: np.ndarray, year: float | None = None) -> np.ndarray:
        """Index into CITIZENSHIPS per household (0 = German)."""
        w = _NAT_WEIGHTS.copy()
        if year is not None:
            refugee = 1.0 + 4.0 * float(2015.5 <= year < 2016.75)
            ukraine = 1.0 + 12.0 * float(2022.0 <= year < 2023.25)
            for i, c in enumerate(NATIONALITY_CODES):
                if c in _REFUGEE_CODES:
                    w[i] *= refugee
                if c == _UKRAINE:
                    w[i] *= ukraine
            w = w / w.sum()
        foreign = rng.random(n) < p_foreign
        nat = np.zeros(n, dtype=np.int16)
        nat[foreign] = rng.choice(len(w), size=int(foreign.sum()), p=w)
        return nat

    @staticmethod
    def foreign_share(dep: np.ndarray) -> np.ndarray:
        return 0.04 + 0.33 * dep ** 1.3

    def _name_group(self, rng, nat: np.ndarray) -> np.ndarray:
        grp = _NAT_GROUP[nat].copy()
        german = nat == 0
        naturalised = german & (rng.random(len(nat)) < 0.09)
        grp[naturalised] = rng.integers(1, len(nm.GROUPS), int(naturalised.sum()))
        return grp

    # ------------------------------------------------------------------ initial population
    def _household_members(self, rng, n_households: int) -> tuple[np.ndarray, ...]:
        """Members of n synthetic households by type: (household, age, sex, role), sorted by household."""
        types = rng.choice(len(_TYPES), size=n_households, p=_TYPE_SHARES)
        hh, age, sex, role = [], [], [], []

        def add(h, a, s, r):
            hh.append(h), age.append(a), sex.append(np.asarray(s, dtype=np.int8)), role.append(
                np.full(len(h), r, dtype=np.int8))

        def kids(h, parent_age, n_kids, lo, hi_cap, gap):
            # children are born while the mother is 19..45: older mothers have older children
            rep_h = np.repeat(h, n_kids)
            rep_age = np.repeat(parent_age, n_kids)
            hi = np.minimum(hi_cap, rep_age - gap)
            lo_arr = np.minimum(np.maximum(lo, rep_age - 45.0), hi - 0.1)
            a = lo_arr + rng.random(len(rep_h)) * (hi - lo_arr)
            add(rep_h, a, rng.random(len(rep_h)) < 0.487, 2)

        idx = {t: np.flatnonzero(types == i) for i, t in enumerate(_TYPES)}
        h = idx["single_young"]
        add(h, sample_ages(rng, 18, 34.99, len(h)), rng.random(len(h)) < 0.48, 0)
        h = idx["single_mid"]
        add(h, sample_ages(rng, 35, 64.99, len(h)), rng.random(len(h)) < 0.5, 0)
        h = idx["single_old"]
        add(h, sample_ages(rng, 65, 100, len(h), tilt=0.3), rng.random(len(h)) < 0.72, 0)
        for t, lo, hi in (("couple", 22, 64.99), ("couple_old", 65, 96)):
            h = idx[t]
            a = sample_ages(rng, lo, hi, len(h))
            head_female = rng.random(len(h)) < 0.3
            add(h, a, head_female, 0)
            add(h, np.clip(a + rng.normal(-2.0, 3.5, len(h)), 18, 100), ~head_female, 1)
        h = idx["family"]
        mother = sample_ages(rng, 25, 54.99, len(h))
        father = np.clip(mother + rng.normal(2.5, 3.5, len(h)), 20, 75)
        mother_head = rng.random(len(h)) < 0.2
        add(h, np.where(mother_head, mother, father), mother_head, 0)
        add(h, np.where(mother_head, father, mother), ~mother_head, 1)
        kids(h, mother, rng.choice([1, 2, 3, 4], size=len(h), p=[0.47, 0.39, 0.11, 0.03]), 0.0, 17.99, 19.0)
        h = idx["single_parent"]
        parent = sample_ages(rng, 22, 55.99, len(h))
        add(h, parent, rng.random(len(h)) < 0.88, 0)
        kids(h, parent, rng.choice([1, 2, 3], size=len(h), p=[0.62, 0.30, 0.08]), 0.0, 17.99, 18.0)
        h = idx["family_adult_children"]
        mother = sample_ages(rng, 44, 64.99, len(h))
        father = np.clip(mother + rng.normal(2.5, 3.0, len(h)), 40, 80)
        add(h, father, np.zeros(len(h), dtype=bool), 0)
        add(h, mother, np.ones(len(h), dtype=bool), 1)
        kids(h, mother, rng.choice([1, 2], size=len(h), p=[0.7, 0.3]), 18.0, 30.0, 20.0)
        minor = h[rng.random(len(h)) < 0.2]
        kids(minor, np.full(len(minor), 17.99 + 20), np.ones(len(minor), dtype=int), 10.0, 17.99, 20.0)
        cols = [np.concatenate(c) for c in (hh, age, sex, role)]
        order = np.lexsort((cols[3], cols[0]))
        return tuple(c[order] for c in cols)

    def _build_initial(self, start: Quarter) -> None:
        rng = stream(self.rng.integers(1 << 62), "initial")
        day0 = start.start_day - 1  # the population as it stands before the first quarter
        year0 = start.decimal_year - 0.25
        dep = self.dep_model.at(year0)
        urban = self.dep_model.urbanity
        targets = np.round(self.target(year0)).astype(int)
        parts = []
        for mi, target in enumerate(targets):
            n_h = int(target / 2.0 * 1.08) + 10
            hh, age, sex, role = self._household_members(rng, n_h)
            sizes = np.bincount(hh, minlength=n_h)
            cum = np.cumsum(sizes)
            n_keep = int(np.searchsorted(cum, target)) + 1
            keep = hh < n_keep
            parts.append((mi, n_keep, hh[keep], age[keep], sex[keep], role[keep]))
        # stack municipalities; household ids become global
        offset = 0
        hh_l, age_l, sex_l, role_l, muni_h = [], [], [], [], []
        for mi, n_keep, hh, age, sex, role in parts:
            hh_l.append(hh + offset)
            age_l.append(age), sex_l.append(sex), role_l.append(role)
            muni_h.append(np.full(n_keep, mi))
            offset += n_keep
        p_hh = np.concatenate(hh_l).astype(np.int32)
        p_age = np.concatenate(age_l)
        p_sex = np.concatenate(sex_l).astype(np.int8)
        p_role = np.concatenate(role_l)
        h_muni = np.concatenate(muni_h)
        n_p, n_h = len(p_hh), offset
        few_d = rng.random(n_p) < 0.0003
        p_sex[few_d] = 2
        birth = np.floor(day0 - p_age * YEAR).astype(np.int32)
        self.P = Table(pid=self.person_ids.take(n_p), birth=birth, sex=p_sex, nat=np.zeros(n_p, np.int16),
                       grp=np.zeros(n_p, np.int8), fam=np.zeros(n_p, np.int32), fn1=np.zeros(n_p, np.int32),
                       fn2=np.zeros(n_p, np.int32), hh=p_hh, role=p_role, moved_in=np.zeros(n_p, np.int32),
                       unemp=np.zeros(n_p, np.int16), u_gs=rng.random(n_p).astype(np.float32),
                       u_care=rng.random(n_p).astype(np.float32), case=np.full(n_p, -1, np.int32))
        self.H = Table(hid=self.household_ids.take(n_h), addr=np.zeros(n_h, np.int32), sgb2=np.zeros(n_h, np.int8),
                       sec=np.zeros(n_h, dtype=bool))
        stats = self.household_stats(p_age)
        sgb2_dummy = np.zeros(n_h, dtype=np.int8)
        wp = self.sampler.wohnplatz(rng, h_muni, stats.category, sgb2_dummy, sgb2_dummy, dep, urban)
        self.H.addr[:] = self.sampler.address(rng, wp)
        # nationality, names
        h_nat = self._draw_nationality(rng, n_h, self.foreign_share(dep[wp]))
        p_nat = h_nat[p_hh]
        child_german = (p_role == 2) & (p_nat > 0) & (rng.random(n_p) < 0.35)
        p_nat[child_german] = 0
        self.P.nat[:] = p_nat
        h_grp = self._name_group(rng, h_nat)
        self.P.grp[:] = h_grp[p_hh]
        h_fam = nm.draw_family(h_grp, rng)
        fam = h_fam[p_hh]
        own = (p_role == 1) & (rng.random(n_p) < 0.2)
        fam[own] = nm.draw_family(self.P.grp[own], rng)
        self.P.fam[:] = fam
        fn1, fn2 = self._names_for(self.P.grp, p_sex, birth, rng)
        self.P.fn1[:], self.P.fn2[:] = fn1, fn2
        # when did they move in
        mean_years = np.where(stats.head_age < 30, 2.5, np.where(stats.head_age < 50, 7.0, 16.0))
        since = np.minimum(rng.exponential(mean_years), np.maximum(stats.head_age - 18.0, 0.2))
        h_moved = (day0 - since * YEAR).astype(np.int32)
        self.P.moved_in[:] = np.maximum(h_moved[p_hh], birth)
        # benefit and unemployment states from their long-run rates
        stats = self.household_stats(p_age)
        rate = so.sgb2_rate(dep[wp], stats.category, stats.head_nat > 0, stats.minors, stats.head_age)
        self.H.sgb2[:] = rng.random(n_h) < rate
        in_sgb2 = self.H.sgb2[p_hh].astype(bool)
        d_p = dep[wp][p_hh]
        working = (p_age >= 15) & (p_age < 65)
        u_rate = np.where(in_sgb2, 0.40, 0.016 * (1 + 1.5 * d_p)) * np.where(p_age < 18, 0.1, 1.0)
        unemployed = working & (rng.random(n_p) < u_rate)
        dur = rng.geometric(np.where(in_sgb2, 0.2, 0.42))
        self.P.unemp[:] = np.where(unemployed, dur, 0)
        rows = self._secondary_rows(rng, day0, day0, dep, main=len(self.P))
        if rows:
            self.P.append(rows)

    # ------------------------------------------------------------------ structural edits
    def _compact(self, alive: np.ndarray, pending: list[dict[str, np.ndarray]]) -> None:
        """Apply a quarter's removals and additions in one pass: keep the living, append the new,
        order persons by household (so that every later gather by household reads memory in order)
        and drop households without members. At 60 times the district every full copy counts."""
        P = self.P
        if pending:
            rows = {k: np.concatenate([p[k] for p in pending]) for k in P.cols}
            alive = np.concatenate([alive, np.ones(len(rows["pid"]), dtype=bool)])
            P.append(rows)
        keep = np.flatnonzero(alive)
        keep = keep[np.argsort(P.hh[keep], kind="stable")]
        P.keep(keep)
        size = np.bincount(P.hh, minlength=len(self.H))
        h_keep = size > 0
        remap = (np.cumsum(h_keep) - 1).astype(np.int32)
        self.H.keep(h_keep)
        P.hh = remap[P.hh]

    def _fix_heads(self, age: np.ndarray, alive: np.ndarray) -> None:
        """Every household has exactly one head: promote the oldest member where the head is gone."""
        P = self.P
        has_head = np.zeros(len(self.H), dtype=bool)
        has_head[P.hh[(P.role == 0) & alive]] = True
        members = np.flatnonzero(alive & ~has_head[P.hh])
        if len(members):
            order = members[np.lexsort((-age[members], P.hh[members]))]
            first = np.ones(len(order), dtype=bool)
            first[1:] = P.hh[order[1:]] != P.hh[order[:-1]]
            P.role[order[first]] = 0

    def _new_households(self, n: int, addr: np.ndarray, sgb2: np.ndarray, sec: bool = False) -> np.ndarray:
        start = len(self.H)
        self.H.append({"hid": self.household_ids.take(n), "addr": addr, "sgb2": sgb2,
                       "sec": np.full(n, sec, dtype=bool)})
        return np.arange(start, start + n, dtype=np.int32)

    def _person_rows(self, rng, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Complete the columns of new persons (ids, latent draws, no spells yet)."""
        n = len(rows["birth"])
        rows = dict(rows)
        rows["pid"] = self.person_ids.take(n)
        rows.setdefault("unemp", np.zeros(n, np.int16))
        rows.setdefault("u_gs", rng.random(n, dtype=np.float32))
        rows.setdefault("u_care", rng.random(n, dtype=np.float32))
        rows.setdefault("case", np.full(n, -1, np.int32))
        return {k: np.asarray(rows[k]).astype(self.P.cols[k].dtype, copy=False) for k in self.P.cols}

    def _log_move(self, ev: EventLog, pid, date, old_addr, new_addr) -> None:
        """A move inside the district: Umzug within a municipality, else Fortzug + Zuzug."""
        m_old, m_new = self.addr_muni[old_addr], self.addr_muni[new_addr]
        same = m_old == m_new
        ev.add(UMZUG, pid[same], date[same], m_old[same], alt=old_addr[same], neu=new_addr[same])
        x = ~same
        ev.add(FORTZUG, pid[x], date[x], m_old[x], alt=old_addr[x])
        ev.add(ZUZUG, pid[x], date[x], m_new[x], neu=new_addr[x])

    def _home_for(self, rng, origin_addr: np.ndarray, category: np.ndarray, sgb2: np.ndarray,
                  non_german: np.ndarray, p_stay: float) -> np.ndarray:
        muni = self.sampler.destination_muni(rng, self.addr_muni[origin_addr], p_stay)
        wp = self.sampler.wohnplatz(rng, muni, category, sgb2, non_german, self._dep, self.dep_model.urbanity)
        return self.sampler.address(rng, wp)

    def _secondary_rows(self, rng, day_from: int, day_to: int, dep: np.ndarray, main: int,
                        have: int | None = None) -> dict[str, np.ndarray] | None:
        """New secondary residences (students, commuters) up to their share of the register."""
        have = int(self.H.sec.sum()) if have is None else have
        n = int(round(main * SECONDARY_SHARE)) - have
        if n <= 0:
            return None
        young = rng.random(n) < 0.7
        age = np.where(young, rng.uniform(19, 35, n), rng.uniform(36, 70, n))
        day = rng.integers(day_from, day_to + 1, n) if day_to > day_from else np.full(n, day_to)
        birth = (day - age * YEAR).astype(np.int32)
        muni = rng.choice(len(self.sampler.muni_share), size=n, p=self.sampler.muni_share)
        cat = np.where(young, so.SINGLE_YOUNG, so.SINGLE_MID)
        wp = self.sampler.wohnplatz(rng, muni, cat, np.zeros(n, np.int8), np.zeros(n, np.int8), dep,
                                    self.dep_model.urbanity)
        hh = self._new_households(n, self.sampler.address(rng, wp), np.zeros(n, np.int8), sec=True)
        nat = self._draw_nationality(rng, n, np.full(n, 0.15))
        grp = self._name_group(rng, nat)
        sex = (rng.random(n) < 0.5).astype(np.int8)
        fn1, fn2 = self._names_for(grp, sex, birth, rng)
        return self._person_rows(rng, {"birth": birth, "sex": sex, "nat": nat, "grp": grp,
                                       "fam": nm.draw_family(grp, rng), "fn1": fn1, "fn2": fn2, "hh": hh,
                                       "role": np.zeros(n, np.int8), "moved_in": day.astype(np.int32)})

    # ------------------------------------------------------------------ one quarter
    def step(self, q: Quarter) -> Table:
        """Simulate the quarter `q`; returns the register events. Departures are in self.departed.

        Persons who die or leave are only marked (`alive`) and new persons collected (`pending`)
        until the end of the quarter, when one compaction applies both."""
        rng = stream(self.rng.integers(1 << 62), "quarter", q.label)
        self.quarter = q
        d0, d1 = q.start_day, q.end_day
        ndays = d1 - d0 + 1
        self._dep = dep = self.dep_model.at(q.decimal_year - 0.125)
        ev = EventLog()
        departed = []  # (pid, date, addr) of persons who died or left the district
        out_by_muni = np.zeros(len(gz.MUNICIPALITIES))
        pending: list[dict[str, np.ndarray]] = []

        def when(n):
            return d0 + rng.integers(0, ndays, n)

        P, H = self.P, self.H
        n = len(P)
        age = self.ages(d0)
        sec_p = H.sec[P.hh]
        alive = np.ones(n, dtype=bool)
        busy_h = np.zeros(len(H), dtype=bool)

        # 1 deaths
        q_die = 1.0 - (1.0 - annual_mortality(age, P.sex)) ** np.float32(0.25)
        idx = np.flatnonzero(~sec_p & (rng.random(n, dtype=np.float32) < q_die))
        del q_die
        date = when(len(idx))
        addr = H.addr[P.hh[idx]]
        ev.add(TOD, P.pid[idx], date, self.addr_muni[addr], alt=addr)
        departed.append((P.pid[idx], date, addr))
        busy_h[P.hh[idx]] = True
        alive[idx] = False
        self._fix_heads(age, alive)

        # 2 whole households leave the district (and children left without an adult)
        # (household statistics are computed once here and used, slightly stale, until step 7)
        st = self.household_stats(age, alive)
        p_out = np.interp(st.head_age, [18, 25, 35, 50, 65, 100], [0.030, 0.024, 0.012, 0.006, 0.0045, 0.0045])
        orphan = (st.size > 0) & (st.adults == 0)
        leave = ((rng.random(len(H)) < p_out) & ~busy_h & ~H.sec & (st.size > 0)) | orphan
        del p_out
        h_date = np.zeros(len(H), dtype=np.int32)
        h_date[leave] = when(int(leave.sum()))
        idx = np.flatnonzero(leave[P.hh] & alive)
        addr = H.addr[P.hh[idx]]
        date = h_date[P.hh[idx]]
        del h_date, leave
        ev.add(FORTZUG, P.pid[idx], date, self.addr_muni[addr], alt=addr)
        departed.append((P.pid[idx], date, addr))
        np.add.at(out_by_muni, self.addr_muni[addr], 1)
        alive[idx] = False

        # 3 young adults leave their parents' household
        cand = np.flatnonzero((P.role == 2) & (age >= 18) & (age < 35) & alive & ~sec_p)
        cand = cand[~busy_h[P.hh[cand]]]
        p_go = np.interp(age[cand], [18, 21, 25, 35], [0.02, 0.05, 0.07, 0.07])
        go = cand[rng.random(len(cand)) < p_go]
        date = when(len(go))
        old_addr = H.addr[P.hh[go]]
        away = rng.random(len(go)) < 0.45
        a_idx = go[away]
        ev.add(FORTZUG, P.pid[a_idx], date[away], self.addr_muni[old_addr[away]], alt=old_addr[away])
        departed.append((P.pid[a_idx], date[away], old_addr[away]))
        np.add.at(out_by_muni, self.addr_muni[old_addr[away]], 1)
        alive[a_idx] = False
        s_idx = go[~away]
        parent_sgb2 = H.sgb2[P.hh[s_idx]]
        new_addr = self._home_for(rng, old_addr[~away], np.full(len(s_idx), so.SINGLE_YOUNG), parent_sgb2,
                                  P.nat[s_idx] > 0, 0.7)
        sgb2 = (parent_sgb2 == 1) & (rng.random(len(s_idx)) < 0.5)
        new_h = self._new_households(len(s_idx), new_addr, sgb2.astype(np.int8))
        H = self.H
        self._log_move(ev, P.pid[s_idx], date[~away], old_addr[~away], new_addr)
        P.hh[s_idx] = new_h
        P.role[s_idx] = 0
        P.moved_in[s_idx] = date[~away]
        busy_h = np.concatenate([busy_h, np.ones(len(new_h), dtype=bool)])

        # 4 separations: the man (or the partner) moves out
        st = _pad(st, len(H))
        partner = np.flatnonzero((P.role == 1) & (age >= 18) & alive)
        ph = P.hh[partner]
        p_sep = np.where(st.minors[ph] > 0, 0.0036, 0.0025) * (st.head_age[ph] < 70)
        split = partner[(rng.random(len(partner)) < p_sep) & ~busy_h[ph] & ~H.sec[ph]]
        head_of = np.full(len(H), -1, dtype=np.int32)
        heads = np.flatnonzero((P.role == 0) & alive)
        head_of[P.hh[heads]] = heads
        head_idx = head_of[P.hh[split]]
        split, head_idx = split[head_idx >= 0], head_idx[head_idx >= 0]
        head_is_man = P.sex[head_idx] == 0
        leaver = np.where(head_is_man, head_idx, split)
        stayer = np.where(head_is_man, split, head_idx)
        P.role[stayer] = 0
        date = when(len(leaver))
        old_addr = H.addr[P.hh[leaver]]
        away = rng.random(len(leaver)) < 0.2
        l_away = leaver[away]
        ev.add(FORTZUG, P.pid[l_away], date[away], self.addr_muni[old_addr[away]], alt=old_addr[away])
        departed.append((P.pid[l_away], date[away], old_addr[away]))
        np.add.at(out_by_muni, self.addr_muni[old_addr[away]], 1)
        alive[l_away] = False
        l_stay = leaver[~away]
        cat = np.where(age[l_stay] < 35, so.SINGLE_YOUNG, so.SINGLE_MID)
        new_addr = self._home_for(rng, old_addr[~away], cat, H.sgb2[P.hh[l_stay]], P.nat[l_stay] > 0, 0.75)
        r = so.sgb2_rate(dep[self.addr_wp[new_addr]], cat, P.nat[l_stay] > 0, np.zeros(len(l_stay)), age[l_stay])
        new_h = self._new_households(len(l_stay), new_addr, (rng.random(len(l_stay)) < r).astype(np.int8))
        H = self.H
        self._log_move(ev, P.pid[l_stay], date[~away], old_addr[~away], new_addr)
        busy_h[P.hh[leaver]] = True
        P.hh[l_stay] = new_h
        P.role[l_stay] = 0
        P.moved_in[l_stay] = date[~away]
        busy_h = np.concatenate([busy_h, np.ones(len(new_h), dtype=bool)])
        del head_of, heads, partner, ph

        # 5 households move within the district
        st = _pad(st, len(H))
        p_move = np.interp(st.head_age, [18, 30, 45, 65, 100], [0.035, 0.022, 0.010, 0.007, 0.007])
        mover = np.flatnonzero((rng.random(len(H)) < p_move) & ~busy_h & ~H.sec & (st.size > 0))
        del p_move
        m_date = np.full(len(H), -1, dtype=np.int32)
        m_date[mover] = when(len(mover))
        old_h_addr = H.addr[mover].copy()
        new_h_addr = self._home_for(rng, old_h_addr, st.category[mover], H.sgb2[mover], st.head_nat[mover] > 0, 0.78)
        H.addr[mover] = new_h_addr
        busy_h[mover] = True
        moved_addr = np.full(len(H), -1, dtype=np.int32)
        moved_addr[mover] = old_h_addr
        members = np.flatnonzero((m_date[P.hh] >= 0) & alive)
        mh = P.hh[members]
        self._log_move(ev, P.pid[members], m_date[mh], moved_addr[mh], H.addr[mh])
        P.moved_in[members] = m_date[mh]
        del moved_addr, members, mh

        # 6 new couples: a single moves in with a single (or a single parent) of the other sex
        single_h = (st.size == 1) & ~H.sec & ~busy_h
        host_h = ((st.size == 1) | (st.category == so.SINGLE_PARENT)) & ~H.sec & ~busy_h
        heads = np.flatnonzero((P.role == 0) & alive & (age >= 22) & (age < 50))
        singles = heads[single_h[P.hh[heads]]]
        joiners = singles[rng.random(len(singles)) < 0.025]
        is_joiner = np.zeros(len(P), dtype=bool)
        is_joiner[joiners] = True
        hosts_pool = heads[host_h[P.hh[heads]] & ~is_joiner[heads]]
        del is_joiner, single_h, host_h
        j_parts, h_parts = [], []
        for sx in (0, 1):
            js = rng.permutation(joiners[P.sex[joiners] == sx])
            hs = rng.permutation(hosts_pool[P.sex[hosts_pool] == 1 - sx])
            k = min(len(js), len(hs))
            j_parts.append(js[:k]), h_parts.append(hs[:k])
        js, hs = np.concatenate(j_parts), np.concatenate(h_parts)
        date = when(len(js))
        old_addr, new_addr = H.addr[P.hh[js]], H.addr[P.hh[hs]]
        self._log_move(ev, P.pid[js], date, old_addr, new_addr)
        H.sgb2[P.hh[hs]] = np.maximum(H.sgb2[P.hh[hs]], H.sgb2[P.hh[js]])
        busy_h[P.hh[js]] = True
        busy_h[P.hh[hs]] = True
        m_date[P.hh[hs]] = np.maximum(m_date[P.hh[hs]], date)
        P.hh[js] = P.hh[hs]
        P.role[js] = 1
        P.moved_in[js] = date

        # 7 births (into pending: the newborn join the register at the end of the quarter)
        women = np.flatnonzero((P.sex == 1) & (age >= 15) & (age < 50) & alive & ~sec_p)
        wh = P.hh[women]
        factor = np.where(P.role[women] == 2, 0.15, np.where(st.adults[wh] >= 2, 1.3, 0.35))
        mothers = women[rng.random(len(women)) < annual_fertility(age[women]) * factor / 4.0]
        del women, wh, factor
        mh = P.hh[mothers]
        earliest = np.maximum(d0, m_date[mh] + 1)
        b_date = (earliest + rng.random(len(mothers)) * (d1 + 1 - earliest)).astype(np.int64).clip(d0, d1)
        n_b = len(mothers)
        sex = np.where(rng.random(n_b) < 0.513, 0, 1).astype(np.int8)
        sex[rng.random(n_b) < 0.0003] = 2
        any_german = np.zeros(len(H), dtype=bool)
        any_german[P.hh[np.flatnonzero((age >= 18) & (P.nat == 0) & alive)]] = True
        nat = np.where(any_german[mh] | (rng.random(n_b) < 0.5), 0, P.nat[mothers]).astype(np.int16)
        head_fam = np.zeros(len(H), dtype=np.int32)
        heads = np.flatnonzero((P.role == 0) & alive)
        head_fam[P.hh[heads]] = P.fam[heads]
        grp = P.grp[mothers]
        fn1, fn2 = self._names_for(grp, sex, b_date, rng)
        babies = self._person_rows(rng, {"birth": b_date.astype(np.int32), "sex": sex, "nat": nat, "grp": grp,
                                         "fam": head_fam[mh], "fn1": fn1, "fn2": fn2, "hh": mh,
                                         "role": np.full(n_b, 2, np.int8), "moved_in": b_date.astype(np.int32)})
        pending.append(babies)
        addr = H.addr[mh]
        ev.add(GEBURT, babies["pid"], b_date, self.addr_muni[addr], neu=addr)
        born_by_muni = np.bincount(self.addr_muni[addr], minlength=len(gz.MUNICIPALITIES))
        del st, busy_h, m_date, any_german, head_fam, heads

        # 8 households move into the district to keep every municipality on its trajectory
        pending += self._immigrate(rng, q, ev, out_by_muni, age, alive, sec_p, born_by_muni)

        # 9 secondary residences come and go (they are not in the movement statistics)
        H = self.H
        drop_h = H.sec & (rng.random(len(H)) < 0.06)
        alive &= ~drop_h[P.hh]
        del drop_h
        main_now = int((alive & ~sec_p).sum()) + sum(len(p["pid"]) for p in pending)
        rows = self._secondary_rows(rng, d0, d1, dep, main_now, have=int((alive & sec_p).sum()))
        if rows:
            pending.append(rows)
        del sec_p, age

        # one compaction for the whole quarter
        self._compact(alive, pending)
        del alive, pending
        P, H = self.P, self.H

        # 10 naturalisation of long-standing residents
        foreign = np.flatnonzero(P.nat > 0)
        natural = foreign[(d1 - P.moved_in[foreign] > 6 * YEAR) & (rng.random(len(foreign)) < 0.0035)]
        P.nat[natural] = 0

        # 11 benefit and unemployment spells at the Stichtag
        self._update_states(rng, self.ages(d1), dep)
        self.departed = tuple(np.concatenate(c) if c else np.array([], np.int64) for c in zip(*departed))
        return ev.table()

    def _immigrate(self, rng, q: Quarter, ev: EventLog, out_by_muni: np.ndarray, age: np.ndarray,
                   alive: np.ndarray, sec_p: np.ndarray, born_by_muni: np.ndarray) -> list[dict[str, np.ndarray]]:
        P, H = self.P, self.H
        d0, d1 = q.start_day, q.end_day
        st = self.household_stats(age, alive)
        main_idx = np.flatnonzero(alive & ~sec_p)
        current = np.bincount(self.addr_muni[H.addr[P.hh[main_idx]]], minlength=len(gz.MUNICIPALITIES))
        del main_idx
        current = current + born_by_muni
        need = np.maximum(self.target(q.decimal_year) - current, 0.5 * out_by_muni)
        # template households: their composition is copied, younger households more often
        pool = np.flatnonzero(~H.sec & (st.size > 0))
        w = np.interp(st.head_age[pool], [18, 35, 50, 65, 100], [2.6, 1.8, 0.8, 0.5, 0.4])
        w = w / w.sum()
        chosen, muni_of = [], []
        for mi, n_need in enumerate(need):
            if n_need < 1:
                continue
            batch = pool[rng.choice(len(pool), size=int(n_need / 1.6) + 5, p=w)]
            cum = np.cumsum(st.size[batch])
            k = int(np.searchsorted(cum, n_need)) + 1
            chosen.append(batch[:k])
            muni_of.append(np.full(min(k, len(batch)), mi))
        if not chosen:
            return []
        tmpl = np.concatenate(chosen)
        t_muni = np.concatenate(muni_of)
        n_new = len(tmpl)
        year = q.decimal_year - 0.125
        arrive = d0 + rng.integers(0, d1 - d0 + 1, n_new)
        p_foreign = np.clip(self.foreign_share(self._dep[self.addr_wp[H.addr[tmpl]]]) * 1.7
                            + 0.25 * float(2015.5 <= year < 2016.75) + 0.15 * float(2022.0 <= year < 2023.25),
                            0, 0.85)
        nat_h = self._draw_nationality(rng, n_new, p_foreign, year)
        wp = self.sampler.wohnplatz(rng, t_muni, st.category[tmpl], np.zeros(n_new, np.int8), nat_h > 0, self._dep,
                                    self.dep_model.urbanity)
        addr = self.sampler.address(rng, wp)
        r = so.sgb2_rate(self._dep[wp], st.category[tmpl], nat_h > 0, st.minors[tmpl], st.head_age[tmpl])
        sgb2 = (rng.random(n_new) < np.minimum(r * 1.3, 0.9)).astype(np.int8)
        new_h = self._new_households(n_new, addr, sgb2)
        # copy the living members of the templates (a template can be drawn more than once)
        is_template = np.zeros(len(st.size), dtype=bool)
        is_template[tmpl] = True
        members = np.flatnonzero(is_template[P.hh] & alive)
        members = members[np.argsort(P.hh[members], kind="stable")]
        m_h = P.hh[members]
        starts = np.searchsorted(m_h, tmpl)
        sizes = st.size[tmpl]
        rep = np.repeat(np.arange(n_new), sizes)
        offs = np.arange(len(rep)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        src = members[starts[rep] + offs]
        shift = np.repeat(rng.uniform(-3.0, 3.0, n_new) * YEAR, sizes)
        birth = (P.birth[src] + shift).astype(np.int64)
        birth = np.minimum(birth, arrive[rep] - rng.integers(1, 60, len(rep))).astype(np.int32)
        nat = nat_h[rep].copy()
        child = (P.role[src] == 2) & (nat > 0) & (rng.random(len(rep)) < 0.2)
        nat[child] = 0
        grp_h = self._name_group(rng, nat_h)
        grp = grp_h[rep]
        fam_h = nm.draw_family(grp_h, rng)
        sex = P.sex[src]
        fn1, fn2 = self._names_for(grp, sex, birth, rng)
        rows = self._person_rows(rng, {"birth": birth, "sex": sex, "nat": nat, "grp": grp, "fam": fam_h[rep],
                                       "fn1": fn1, "fn2": fn2, "hh": new_h[rep], "role": P.role[src],
                                       "moved_in": arrive[rep].astype(np.int32)})
        a = addr[rep]
        ev.add(ZUZUG, rows["pid"], arrive[rep], self.addr_muni[a], neu=a)
        return [rows]

    def _update_states(self, rng, age: np.ndarray, dep: np.ndarray) -> None:
        P, H = self.P, self.H
        st = self.household_stats(age)
        self.stats = st  # valid until the next quarter changes the households
        wp = self.addr_wp[H.addr]
        r = so.sgb2_rate(dep[wp], st.category, st.head_nat > 0, st.minors, st.head_age)
        p_in = np.minimum(so.SGB2_EXIT * r / np.maximum(1 - r, 1e-6), 0.6)
        u = rng.random(len(H))
        on = H.sgb2 == 1
        H.sgb2[:] = np.where(on, (u >= so.SGB2_EXIT) & (st.head_age < 65), u < p_in) & ~H.sec
        # unemployment spells of the 15-64 year olds (counted in quarters, long-term from 4)
        w = np.flatnonzero((age >= 15) & (age < 65))
        w = w[~H.sec[P.hh[w]]]
        in_sgb2 = H.sgb2[P.hh[w]] == 1
        d_p = dep[wp[P.hh[w]]].astype(np.float32)
        young = np.where(age[w] < 18, np.float32(0.1), np.float32(1.0))
        p_enter = np.where(in_sgb2, np.float32(0.14), np.float32(0.0068) * (1 + np.float32(1.5) * d_p)) * young
        p_exit = np.where(in_sgb2, np.float32(0.17), np.float32(0.42))
        x = rng.random(len(w), dtype=np.float32)
        current = P.unemp[w]
        unemployed = current > 0
        new = np.zeros(len(P), dtype=np.int16)
        new[w] = np.where(unemployed, np.where(x < p_exit, 0, np.minimum(current + 1, 400)),
                          np.where(x < p_enter, 1, 0))
        P.unemp = new
