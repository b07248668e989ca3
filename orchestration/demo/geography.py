"""The synthetic district's map: 250 m cells, municipalities, Wohnplätze before and after the reform,
streets and addresses.

The map is built from a fixed seed (``GEOGRAPHY_SEED``): every run shows the same district; the run
seed only changes the people. Territories are grown cell by cell from seeds (so every area is one
contiguous piece); the old scheme is derived from today's by the reform operations, so both schemes
are unions of the same cells and the crosswalk can be computed exactly.
"""
from __future__ import annotations

import functools
import heapq
from dataclasses import dataclass, field

import numpy as np

from orchestration.demo import gazetteer as gz
from orchestration.demo.randomness import GEOGRAPHY_SEED, stream

CELL = 250.0
X0, Y0 = 355_000.0, 5_635_000.0
NX, NY = 152, 140  # east edge 393,000 keeps every point west of 7.5° E
KIND_RANK = {"zentrum": 0, "stadt": 1, "dorf": 2}
MEAN_HOUSEHOLD_SIZE = 2.1


@dataclass
class Wohnplatz:
    key: str
    name: str
    muni: int  # index into gz.MUNICIPALITIES
    kind: str

    @property
    def ags(self) -> str:
        return gz.MUNICIPALITIES[self.muni].ags


@dataclass
class Reform:
    merges: list[tuple[str, list[str]]] = field(default_factory=list)  # new key <- old keys
    splits: list[tuple[str, list[str]]] = field(default_factory=list)  # old key -> new keys
    shifts: list[tuple[str, str]] = field(default_factory=list)  # (giving old key, receiving key)


@dataclass
class Geography:
    cell_ix: np.ndarray
    cell_iy: np.ndarray
    cell_muni: np.ndarray
    cell_new: np.ndarray  # index into new_wps
    cell_old: np.ndarray  # index into old_wps
    cell_density: np.ndarray
    new_wps: list[Wohnplatz]
    old_wps: list[Wohnplatz]
    reform: Reform
    street_muni: np.ndarray
    street_key: list[str]
    street_name: list[str]
    addr_cell: np.ndarray
    addr_street: np.ndarray
    addr_number: np.ndarray
    addr_suffix: list[str]
    addr_x: np.ndarray
    addr_y: np.ndarray
    addr_capacity: np.ndarray  # relative number of households the building holds
    addr_newbuild: np.ndarray  # True: beyond the street directory's ranges

    def cell_x0(self) -> np.ndarray:
        return X0 + self.cell_ix * CELL

    def cell_y0(self) -> np.ndarray:
        return Y0 + self.cell_iy * CELL

    @functools.cached_property
    def addr_muni(self) -> np.ndarray:
        return self.cell_muni[self.addr_cell]

    @functools.cached_property
    def addr_new(self) -> np.ndarray:
        return self.cell_new[self.addr_cell]

    def house_number_text(self) -> list[str]:
        return [f"{n}{s}" for n, s in zip(self.addr_number.tolist(), self.addr_suffix)]


# --------------------------------------------------------------------------------------------------
# grid helpers

def _smooth_noise(rng: np.random.Generator, coarse: int = 9) -> np.ndarray:
    """A smooth random field in [-1, 1] on the grid (bilinear upsampling of coarse noise)."""
    gx, gy = coarse + 1, coarse + 1
    base = rng.uniform(-1.0, 1.0, size=(gx, gy))
    fx = np.linspace(0, coarse, NX)
    fy = np.linspace(0, coarse, NY)
    ix0 = np.minimum(fx.astype(int), coarse - 1)
    iy0 = np.minimum(fy.astype(int), coarse - 1)
    tx = (fx - ix0)[:, None]
    ty = (fy - iy0)[None, :]
    a = base[ix0][:, iy0]
    b = base[ix0 + 1][:, iy0]
    c = base[ix0][:, iy0 + 1]
    d = base[ix0 + 1][:, iy0 + 1]
    return a * (1 - tx) * (1 - ty) + b * tx * (1 - ty) + c * (1 - tx) * ty + d * tx * ty


def _to_index(point: tuple[float, float]) -> tuple[int, int]:
    return int((point[0] - X0) // CELL), int((point[1] - Y0) // CELL)


def _grow(mask: np.ndarray, seeds: list[tuple[int, int]], weights: list[float], noise: np.ndarray,
          targets: list[int] | None = None, noise_amp: float = 0.35) -> np.ndarray:
    """Grow regions from seed cells over `mask`; cheapest (noisy, weighted distance) cell first.

    Every region is 4-connected because a cell is only reached from a neighbour of its own region.
    With `targets`, a region stops at its cell count (left-over cells stay -1).
    """
    label = np.full(mask.shape, -1, dtype=np.int32)
    count = [0] * len(seeds)
    heap: list[tuple[float, int, int, int, int]] = []
    tie = 0

    def cost(ix: int, iy: int, r: int) -> float:
        sx, sy = seeds[r]
        dist = ((ix - sx) ** 2 + (iy - sy) ** 2) ** 0.5
        return dist / weights[r] * (1.0 + noise_amp * noise[ix, iy])

    for r, (sx, sy) in enumerate(seeds):
        heapq.heappush(heap, (-1.0, tie, sx, sy, r))
        tie += 1
    while heap:
        _, _, ix, iy, r = heapq.heappop(heap)
        if label[ix, iy] >= 0 or (targets is not None and count[r] >= targets[r]):
            continue
        label[ix, iy] = r
        count[r] += 1
        for jx, jy in ((ix + 1, iy), (ix - 1, iy), (ix, iy + 1), (ix, iy - 1)):
            if 0 <= jx < NX and 0 <= jy < NY and mask[jx, jy] and label[jx, jy] < 0:
                heapq.heappush(heap, (cost(jx, jy, r), tie, jx, jy, r))
                tie += 1
    return label


def _nearest_cell(cells: np.ndarray, point: tuple[float, float], taken: set[int] = frozenset()) -> int:
    """Index (into `cells`, an (n, 2) array of grid indices) of the free cell nearest to a point."""
    px, py = (point[0] - X0) / CELL - 0.5, (point[1] - Y0) / CELL - 0.5
    d = (cells[:, 0] - px) ** 2 + (cells[:, 1] - py) ** 2
    for i in np.argsort(d, kind="stable"):
        if int(i) not in taken:
            return int(i)
    raise ValueError("no free cell")


def _adjacent(a_cells: set[tuple[int, int]], b_cells: set[tuple[int, int]]) -> bool:
    return any((x + dx, y + dy) in b_cells for x, y in a_cells
               for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)))


# --------------------------------------------------------------------------------------------------
# territories

def _convex_hull(points: np.ndarray) -> np.ndarray:
    pts = sorted(map(tuple, points.tolist()))

    def half(seq):
        out: list = []
        for p in seq:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(reversed(pts))
    return np.array(lower[:-1] + upper[:-1], dtype=float)


def _distance_to_hull(hull: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Distance of grid points to a convex polygon (0 inside)."""
    inside = np.ones(px.shape, dtype=bool)
    dist = np.full(px.shape, np.inf)
    for (ax, ay), (bx, by) in zip(hull, np.roll(hull, -1, axis=0)):
        inside &= (bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0
        ex, ey = bx - ax, by - ay
        t = np.clip(((px - ax) * ex + (py - ay) * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        dist = np.minimum(dist, np.hypot(px - (ax + t * ex), py - (ay + t * ey)))
    return np.where(inside, 0.0, dist)


def _municipality_grid(rng: np.random.Generator) -> np.ndarray:
    """Municipal territories: a contiguous district outline (the seeds' hull, widened with a noisy
    margin to the district's area), divided by growing every municipality towards its area."""
    noise = _smooth_noise(rng)
    seeds = [_to_index(m.region_seed) for m in gz.MUNICIPALITIES]
    targets = [int(round(m.area_km2 / (CELL * CELL / 1e6))) for m in gz.MUNICIPALITIES]
    hull = _convex_hull(np.array(seeds))
    gx, gy = np.meshgrid(np.arange(NX), np.arange(NY), indexing="ij")
    wobble = _smooth_noise(rng, coarse=7)
    dist = _distance_to_hull(hull, gx.astype(float), gy.astype(float)) + 9.0 * wobble
    dist[:2, :] = dist[-2:, :] = dist[:, :2] = dist[:, -2:] = np.inf
    order = np.argsort(dist, axis=None, kind="stable")[: sum(targets)]
    mask = np.zeros((NX, NY), dtype=bool)
    mask.flat[order] = True
    # close holes: non-district cells not reachable from the grid border become district cells
    outside = np.zeros((NX, NY), dtype=bool)
    stack = [(x, y) for x in range(NX) for y in (0, NY - 1)] + [(x, y) for x in (0, NX - 1) for y in range(NY)]
    while stack:
        x, y = stack.pop()
        if 0 <= x < NX and 0 <= y < NY and not mask[x, y] and not outside[x, y]:
            outside[x, y] = True
            stack += [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
    mask = ~outside
    # a weighted growth (no hard targets, so nobody gets boxed in): areas follow the weights
    weights = np.sqrt(np.array(targets, dtype=float))
    for _ in range(10):  # adjust the weights until the areas come near the municipalities' real areas
        label = _grow(mask, seeds, list(weights), noise, None, noise_amp=0.45)
        areas = np.array([(label == i).sum() for i in range(len(seeds))], dtype=float)
        weights = weights * (np.array(targets) / areas) ** 0.4
    return label


def _weighted_kmeans(points: np.ndarray, weights: np.ndarray, fixed: np.ndarray, k_free: int,
                     rng: np.random.Generator, iterations: int = 25) -> np.ndarray:
    """Centres for k_free clusters (plus fixed centres) minimising the weighted squared distance."""
    prob = weights / weights.sum()
    free = points[rng.choice(len(points), size=k_free, replace=False, p=prob)].astype(float)
    for _ in range(iterations):
        centres = np.vstack([fixed, free]) if len(fixed) else free
        d = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest = d.argmin(axis=1)
        for j in range(k_free):
            sel = nearest == len(fixed) + j
            if sel.any():
                free[j] = (points[sel] * weights[sel, None]).sum(axis=0) / weights[sel].sum()
    return free


def _wohnplatz_seeds(muni_idx: int, cells: np.ndarray, rng: np.random.Generator
                     ) -> tuple[list[int], list[tuple[str, str]]]:
    """Seed cell (index into `cells`) for each of today's Wohnplätze of a municipality, with names."""
    m = gz.MUNICIPALITIES[muni_idx]
    specs = gz.WOHNPLAETZE[m.ags]
    centre = _nearest_cell(cells, m.town_centre)
    cx, cy = cells[centre]
    zentrum = [s for s in specs if s[1] == "zentrum"]
    others = [s for s in specs if s[1] != "zentrum"]
    taken: set[int] = set()
    seeds: list[int] = []
    offsets = [(0.0, 0.0)] if len(zentrum) == 1 else [(0.0, 400.0), (0.0, -400.0)]  # Nord before Süd
    for off in offsets[:len(zentrum)]:
        idx = _nearest_cell(cells, (m.town_centre[0] + off[0], m.town_centre[1] + off[1]), taken)
        taken.add(idx)
        seeds.append(idx)
    dist_km = np.hypot(cells[:, 0] - cx, cells[:, 1] - cy) * CELL / 1000.0
    scale_km = 2.2 if len(specs) > 15 else 1.3
    weights = np.exp(-dist_km / scale_km) + 0.08
    fixed = cells[seeds].astype(float)
    free = _weighted_kmeans(cells.astype(float), weights, fixed, len(others), rng)
    free_idx = []
    for centre_xy in free:
        d = ((cells - centre_xy) ** 2).sum(axis=1)
        for i in np.argsort(d, kind="stable"):
            if int(i) not in taken:
                taken.add(int(i))
                free_idx.append(int(i))
                break
    # the urban quarters take the seeds nearest to the centre, villages the outer ones
    free_idx.sort(key=lambda i: (dist_km[i], i))
    stadt = [s for s in others if s[1] == "stadt"]
    dorf = [s for s in others if s[1] == "dorf"]
    order_stadt = rng.permutation(len(stadt))
    order_dorf = rng.permutation(len(dorf))
    names = zentrum + [stadt[i] for i in order_stadt] + [dorf[i] for i in order_dorf]
    return seeds + free_idx, names


def _split_in_two(cells: list[tuple[int, int]], noise: np.ndarray) -> tuple[list, list, str, str]:
    """Split a region along its main axis into two contiguous parts; returns parts and suffixes."""
    pts = np.array(cells, dtype=float)
    centred = pts - pts.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    axis = vt[0]
    proj = centred @ axis
    a, b = int(proj.argmax()), int(proj.argmin())
    mask = np.zeros((NX, NY), dtype=bool)
    for x, y in cells:
        mask[x, y] = True
    seeds = [cells[a], cells[b]]
    label = _grow(mask, seeds, [1.0, 1.0], noise, targets=[len(cells) // 2, len(cells) - len(cells) // 2],
                  noise_amp=0.1)
    # a part may be blocked before its target; give left-over cells to the neighbour part
    left = [(x, y) for x, y in cells if label[x, y] < 0]
    while left:
        for x, y in list(left):
            for jx, jy in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
                if 0 <= jx < NX and 0 <= jy < NY and label[jx, jy] >= 0 and mask[jx, jy]:
                    label[x, y] = label[jx, jy]
                    left.remove((x, y))
                    break
    part_a = [c for c in cells if label[c] == 0]
    part_b = [c for c in cells if label[c] == 1]
    vertical = abs(axis[1]) >= abs(axis[0])
    first_is_high = (np.array(part_a).mean(axis=0) @ (np.array([0, 1]) if vertical else np.array([1, 0]))) > \
                    (np.array(part_b).mean(axis=0) @ (np.array([0, 1]) if vertical else np.array([1, 0])))
    hi, lo = ("Nord", "Süd") if vertical else ("Ost", "West")
    return (part_a, part_b, hi, lo) if first_is_high else (part_b, part_a, hi, lo)


# --------------------------------------------------------------------------------------------------
# the reform and the keys

def _derive_old_scheme(new_cells: list[list[tuple[int, int]]], new_specs: list[tuple[str, str, int]],
                       density: np.ndarray, noise: np.ndarray
                       ) -> tuple[list[Wohnplatz], dict[tuple[int, int], int], list[Wohnplatz], Reform]:
    """From today's areas (cells, (name, kind, muni)) build the old scheme and assign all keys."""
    by_name = {(spec[2], spec[0]): i for i, spec in enumerate(new_specs)}
    muni_of = {gz.MUNICIPALITIES[i].ags: i for i in range(len(gz.MUNICIPALITIES))}
    cellsets = [set(c) for c in new_cells]
    # old areas as (name, kind, muni, cells, origin) with origin describing the link to today's areas
    old_areas: list[dict] = []
    consumed: set[int] = set()
    merged_into: dict[int, list[int]] = {}
    for name in gz.REFORM_MERGES:
        i = next(i for i, s in enumerate(new_specs) if s[0] == name)
        a, b, hi, lo = _split_in_two(sorted(new_cells[i]), noise)
        merged_into[i] = []
        for part, suffix in ((a, hi), (b, lo)):
            merged_into[i].append(len(old_areas))
            old_areas.append({"name": f"{name}-{suffix}", "kind": new_specs[i][1], "muni": new_specs[i][2],
                              "cells": part, "kind_of": "merge", "new": [i]})
        consumed.add(i)
    split_pair = None
    muni = muni_of[gz.REFORM_SPLIT_MUNICIPALITY]
    for a_name, b_name in gz.REFORM_SPLIT_CANDIDATES:
        a, b = by_name[(muni, a_name)], by_name[(muni, b_name)]
        if a not in consumed and b not in consumed and _adjacent(cellsets[a], cellsets[b]):
            split_pair = (a, b)
            break
    if split_pair is None:
        raise RuntimeError("no adjacent pair of Wohnplätze for the reform split")
    a, b = split_pair
    old_areas.append({"name": f"{new_specs[a][0]}/{new_specs[b][0]}", "kind": new_specs[a][1], "muni": muni,
                      "cells": sorted(cellsets[a] | cellsets[b]), "kind_of": "split", "new": [a, b]})
    consumed |= {a, b}
    shift = None
    muni = muni_of[gz.REFORM_SHIFT_MUNICIPALITY]
    for a_name, b_name in gz.REFORM_SHIFT_CANDIDATES:
        a, b = by_name[(muni, a_name)], by_name[(muni, b_name)]
        if a in consumed or b in consumed or not _adjacent(cellsets[a], cellsets[b]):
            continue
        strip = {c for c in cellsets[b] if any(abs(c[0] - x) + abs(c[1] - y) <= 3 for x, y in cellsets[a])}
        populated = sum(density[c] > 0 for c in strip)
        if populated >= 2 and len(strip) <= 0.45 * len(cellsets[b]):
            shift = (a, b, strip)
            break
    if shift is None:
        raise RuntimeError("no pair of Wohnplätze for the reform boundary shift")
    a, b, strip = shift
    old_areas.append({"name": new_specs[a][0], "kind": new_specs[a][1], "muni": muni,
                      "cells": sorted(cellsets[a] | strip), "kind_of": "shift_from", "new": [a, b]})
    old_areas.append({"name": new_specs[b][0], "kind": new_specs[b][1], "muni": muni,
                      "cells": sorted(cellsets[b] - strip), "kind_of": "shift_to", "new": [b]})
    consumed |= {a, b}
    for i, spec in enumerate(new_specs):
        if i not in consumed:
            old_areas.append({"name": spec[0], "kind": spec[1], "muni": spec[2], "cells": sorted(cellsets[i]),
                              "kind_of": "same", "new": [i]})

    # old keys: per municipality, centre first, then by distance from the town centre
    def centrality(area: dict) -> tuple:
        m = gz.MUNICIPALITIES[area["muni"]]
        tx, ty = _to_index(m.town_centre)
        pts = np.array(area["cells"], dtype=float)
        d = float(np.hypot(pts[:, 0].mean() - tx, pts[:, 1].mean() - ty))
        return (area["muni"], KIND_RANK[area["kind"]], -float(pts[:, 1].mean()) if area["kind"] == "zentrum" else d,
                area["name"])

    old_areas.sort(key=centrality)
    old_wps: list[Wohnplatz] = []
    old_max: dict[int, int] = {}
    for area in old_areas:
        n = old_max.get(area["muni"], 0) + 1
        old_max[area["muni"]] = n
        area["key"] = gz.MUNICIPALITIES[area["muni"]].ags[-3:] + f"{n:02d}"
        old_wps.append(Wohnplatz(area["key"], area["name"], area["muni"], area["kind"]))
    # new keys: kept where the area survives (unchanged or only its border moved), else above old max
    new_key: dict[int, str] = {}
    for area in old_areas:
        if area["kind_of"] in ("same", "shift_from", "shift_to"):
            new_key[area["new"][0]] = area["key"]
    new_order = sorted(range(len(new_specs)), key=lambda i: (new_specs[i][2], KIND_RANK[new_specs[i][1]], i))
    for i in new_order:
        if i not in new_key:
            muni = new_specs[i][2]
            old_max[muni] += 1
            new_key[i] = gz.MUNICIPALITIES[muni].ags[-3:] + f"{old_max[muni]:02d}"
    reform = Reform()
    for i in merged_into:
        reform.merges.append((new_key[i], [old_areas[j]["key"] for j in range(len(old_areas))
                                           if old_areas[j]["kind_of"] == "merge" and old_areas[j]["new"] == [i]]))
    for area in old_areas:
        if area["kind_of"] == "split":
            reform.splits.append((area["key"], [new_key[i] for i in area["new"]]))
        if area["kind_of"] == "shift_from":
            reform.shifts.append((area["key"], new_key[area["new"][1]]))
    new_wps_unsorted = [Wohnplatz(new_key[i], s[0], s[2], s[1]) for i, s in enumerate(new_specs)]
    cell_old = {c: j for j, area in enumerate(old_areas) for c in area["cells"]}
    return old_wps, cell_old, new_wps_unsorted, reform


# --------------------------------------------------------------------------------------------------
# streets and addresses

def _street_name_pool(rng: np.random.Generator) -> list[str]:
    pool: list[str] = []
    pool += [f"{s}{suf}" for s in gz.STREET_STEMS for suf in gz.STREET_SUFFIXES]
    pool += [f"{p}{suf}" for p in gz.STREET_PERSONS for suf in ("straße", "weg", "platz")]
    pool += [f"{p} Straße" for p in gz.STREET_PLACES]
    pool += [f"{a} {o}" for a in gz.STREET_ARTICLES_MN for o in gz.STREET_OBJECTS_MN]
    pool += [f"{a} {o}" for a in gz.STREET_ARTICLES_F for o in gz.STREET_OBJECTS_F]
    pool = [p for p in dict.fromkeys(pool) if p not in gz.STREET_COMMON]
    return [pool[i] for i in rng.permutation(len(pool))]


def _choose_street_names(n: int, own_place: str, rng: np.random.Generator) -> list[str]:
    common = [c for c in gz.STREET_COMMON if rng.random() < 0.85]
    pool = [p for p in _street_name_pool(rng) if not p.startswith(own_place)]
    names = (common + pool)[:n]
    if len(names) < n:
        raise RuntimeError("street name pool too small")
    return names


def _lay_streets(muni_cells: np.ndarray, need: np.ndarray, rng: np.random.Generator
                 ) -> list[list[tuple[int, int]]]:
    """Paths of cells (streets) covering the address need of every populated cell.

    Returns per street a list of (cell position in muni_cells, number of addresses in that cell)."""
    pos = {(int(x), int(y)): i for i, (x, y) in enumerate(muni_cells)}
    remaining = need.astype(int).copy()
    streets: list[list[tuple[int, int]]] = []
    order = rng.permutation(len(muni_cells))
    cursor = 0
    while remaining.sum() > 0:
        while remaining[order[cursor]] == 0:
            cursor += 1
        start = int(order[cursor])
        length = int(rng.integers(1, 7))
        path = [start]
        direction = [(1, 0), (-1, 0), (0, 1), (0, -1)][int(rng.integers(4))]
        while len(path) < length:
            x, y = muni_cells[path[-1]]
            options = []
            for d in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                j = pos.get((int(x + d[0]), int(y + d[1])))
                if j is not None and j not in path and remaining[j] > 0:
                    options.append((j, d, 4.0 if d == direction else 1.0))
            if not options:
                break
            w = np.array([o[2] for o in options])
            j, direction, _ = options[int(rng.choice(len(options), p=w / w.sum()))]
            path.append(j)
        street = []
        for j in path:
            k = int(min(remaining[j], rng.integers(4, 21)))
            remaining[j] -= k
            street.append((j, k))
        streets.append(street)
    return streets


def _build_addresses(geo_rng: np.random.Generator, cells: np.ndarray, cell_muni: np.ndarray,
                     density: np.ndarray, households: np.ndarray, per_address: np.ndarray) -> dict:
    """Streets with keys and names, and addresses with numbers, points and capacities."""
    out = {k: [] for k in ("street_muni", "street_key", "street_name", "addr_cell", "addr_street",
                           "addr_number", "addr_suffix", "addr_x", "addr_y", "addr_capacity",
                           "addr_newbuild")}
    need_all = np.where(households > 0, np.ceil(households / per_address), 0).astype(int)
    for mi, m in enumerate(gz.MUNICIPALITIES):
        rng = stream(GEOGRAPHY_SEED, "streets", m.ags)
        sel = np.flatnonzero(cell_muni == mi)
        muni_cells = cells[sel]
        paths = _lay_streets(muni_cells, need_all[sel], rng)
        names = _choose_street_names(len(paths), m.ort.split()[0], rng)
        # keys in alphabetical order with gaps of 10, as municipal directories often have them
        alpha = sorted(range(len(paths)), key=lambda i: names[i])
        key_of = {i: f"{10 * (rank + 1):05d}" for rank, i in enumerate(alpha)}
        first_street = len(out["street_key"])
        for si in alpha:
            out["street_muni"].append(mi)
            out["street_key"].append(key_of[si])
            out["street_name"].append(names[si])
        local_index = {si: first_street + rank for rank, si in enumerate(alpha)}
        for si, path in enumerate(paths):
            gsi = local_index[si]
            next_odd, next_even = 1, 2
            line_offset = {}
            for step, (j, k) in enumerate(path):
                c = sel[j]
                cx, cy = X0 + (cells[c, 0] + 0.5) * CELL, Y0 + (cells[c, 1] + 0.5) * CELL
                if step + 1 < len(path):
                    dx, dy = cells[sel[path[step + 1][0]]] - cells[c]
                elif step > 0:
                    dx, dy = cells[c] - cells[sel[path[step - 1][0]]]
                else:
                    dx, dy = (1, 0) if rng.random() < 0.5 else (0, 1)
                ux, uy = float(dx), float(dy)
                off = line_offset.setdefault(c, float(rng.uniform(-70, 70)))
                n_odd = (k + int(rng.integers(0, 2))) // 2
                n_even = k - n_odd
                for side, n_side in ((1, n_odd), (0, n_even)):
                    if n_side == 0:
                        continue
                    ts = np.linspace(-105, 105, n_side + 2)[1:-1]
                    first = next_odd if side == 1 else next_even
                    nums = first + 2 * np.arange(n_side)
                    if side == 1:
                        next_odd = first + 2 * n_side
                    else:
                        next_even = first + 2 * n_side
                    lateral = off + (11.0 if side == 1 else -11.0)
                    px = cx + ux * ts - uy * lateral
                    py = cy + uy * ts + ux * lateral
                    with_a = rng.random(n_side) < 0.03  # "12a" next to "12"
                    caps = per_address[c] * rng.lognormal(0.0, 0.35, (n_side, 2))
                    for j in range(n_side):
                        for v_i, suffix in enumerate(("", "a") if with_a[j] else ("",)):
                            out["addr_cell"].append(int(c))
                            out["addr_street"].append(gsi)
                            out["addr_number"].append(int(nums[j]))
                            out["addr_suffix"].append(suffix)
                            out["addr_x"].append(round(float(px[j] + 6.0 * v_i * ux), 2))
                            out["addr_y"].append(round(float(py[j] + 6.0 * v_i * uy), 2))
                            out["addr_capacity"].append(float(caps[j, v_i]))
                            out["addr_newbuild"].append(False)
            # a few streets got new buildings beyond the directory's last number
            if rng.random() < 0.03:
                j = path[-1][0]
                c = sel[j]
                cx, cy = X0 + (cells[c, 0] + 0.5) * CELL, Y0 + (cells[c, 1] + 0.5) * CELL
                side_next = max(next_odd, next_even) + int(rng.integers(0, 2))  # beyond every existing number
                for n in range(int(rng.integers(1, 3))):
                    out["addr_cell"].append(int(c))
                    out["addr_street"].append(gsi)
                    out["addr_number"].append(side_next + 2 * n)
                    out["addr_suffix"].append("")
                    out["addr_x"].append(round(cx + rng.uniform(-100, 100), 2))
                    out["addr_y"].append(round(cy + rng.uniform(-100, 100), 2))
                    out["addr_capacity"].append(float(per_address[c]) * 1.5)
                    out["addr_newbuild"].append(True)
    return out


# --------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def build_geography() -> Geography:
    rng = stream(GEOGRAPHY_SEED, "map")
    muni_grid = _municipality_grid(rng)
    noise = _smooth_noise(rng, coarse=24)
    density_grid = np.zeros((NX, NY))
    new_cells: list[list[tuple[int, int]]] = []
    new_specs: list[tuple[str, str, int]] = []
    seeds_xy: list[tuple[int, int]] = []
    for mi, m in enumerate(gz.MUNICIPALITIES):
        cells = np.argwhere(muni_grid == mi)
        seed_idx, names = _wohnplatz_seeds(mi, cells, rng)
        seeds = [tuple(int(v) for v in cells[i]) for i in seed_idx]
        weights = [{"zentrum": 0.55, "stadt": 0.85, "dorf": 1.3}[k] for _, k in names]
        label = _grow(muni_grid == mi, seeds, weights, noise, noise_amp=0.3)
        for r, (name, kind) in enumerate(names):
            new_cells.append([tuple(int(v) for v in c) for c in np.argwhere(label == r)])
            new_specs.append((name, kind, mi))
            seeds_xy.append(seeds[r])
        # density: the town core, plus a smaller core in every quarter and village
        tx, ty = _to_index(m.town_centre)
        core_km = 2.0 if len(names) > 15 else 0.9
        d_core = np.hypot(cells[:, 0] - tx, cells[:, 1] - ty) * CELL / 1000.0
        dens = np.exp(-d_core / core_km)
        for r, (name, kind) in enumerate(names):
            sx, sy = seeds[r]
            amp, reach = {"zentrum": (0.6, 0.5), "stadt": (0.55, 0.6), "dorf": (0.4, 0.45)}[kind]
            d_seed = np.hypot(cells[:, 0] - sx, cells[:, 1] - sy) * CELL / 1000.0
            dens = dens + amp * np.exp(-d_seed / reach)
        dens = dens + 0.02
        empty = rng.random(len(cells)) < 0.75 * np.exp(-dens * 4.0)  # fields and forest
        dens[empty] = 0.0
        density_grid[cells[:, 0], cells[:, 1]] = dens
    # every Wohnplatz needs inhabitants: its seed cell is never empty
    for sx, sy in seeds_xy:
        density_grid[sx, sy] = max(density_grid[sx, sy], 0.3)

    old_wps, cell_old_map, new_wps_unsorted, reform = _derive_old_scheme(new_cells, new_specs, density_grid,
                                                                          noise)
    # order today's scheme by key; remap cell labels
    order = sorted(range(len(new_wps_unsorted)), key=lambda i: new_wps_unsorted[i].key)
    new_wps = [new_wps_unsorted[i] for i in order]
    rank = {i: r for r, i in enumerate(order)}
    old_order = sorted(range(len(old_wps)), key=lambda j: old_wps[j].key)
    old_rank = {j: r for r, j in enumerate(old_order)}
    old_wps = [old_wps[j] for j in old_order]

    cell_list = np.argwhere(muni_grid >= 0)
    cell_list = cell_list[np.lexsort((cell_list[:, 1], cell_list[:, 0]))]
    cell_muni = muni_grid[cell_list[:, 0], cell_list[:, 1]].astype(np.int8)
    new_of = {c: rank[i] for i, cl in enumerate(new_cells) for c in cl}
    cell_new = np.array([new_of[(int(x), int(y))] for x, y in cell_list], dtype=np.int16)
    cell_old = np.array([old_rank[cell_old_map[(int(x), int(y))]] for x, y in cell_list], dtype=np.int16)
    density = density_grid[cell_list[:, 0], cell_list[:, 1]]

    # households per cell at scale 1 (the municipality totals are set by the population model)
    households = np.zeros(len(cell_list))
    for mi, m in enumerate(gz.MUNICIPALITIES):
        sel = cell_muni == mi
        target = gz.TARGET_POPULATION_2020 * m.population_2009 / sum(x.population_2009 for x in gz.MUNICIPALITIES)
        households[sel] = density[sel] / density[sel].sum() * target / MEAN_HOUSEHOLD_SIZE
    dmax = density.max()
    per_address = 1.25 + 6.0 * (density / dmax) ** 1.6
    addresses = _build_addresses(rng, cell_list, cell_muni, density, households, per_address)
    return Geography(
        cell_ix=cell_list[:, 0].astype(np.int32), cell_iy=cell_list[:, 1].astype(np.int32),
        cell_muni=cell_muni, cell_new=cell_new, cell_old=cell_old, cell_density=density,
        new_wps=new_wps, old_wps=old_wps, reform=reform,
        street_muni=np.array(addresses["street_muni"], dtype=np.int8),
        street_key=addresses["street_key"], street_name=addresses["street_name"],
        addr_cell=np.array(addresses["addr_cell"], dtype=np.int32),
        addr_street=np.array(addresses["addr_street"], dtype=np.int32),
        addr_number=np.array(addresses["addr_number"], dtype=np.int32),
        addr_suffix=addresses["addr_suffix"],
        addr_x=np.array(addresses["addr_x"]), addr_y=np.array(addresses["addr_y"]),
        addr_capacity=np.array(addresses["addr_capacity"]),
        addr_newbuild=np.array(addresses["addr_newbuild"], dtype=bool),
    )
