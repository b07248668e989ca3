"""generate_demo(): simulate the synthetic district and write every source's deliveries into an inbox."""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.demo import gazetteer as gz
from orchestration.demo.ba import write_sgb2, write_unemployment
from orchestration.demo.facilities import build_facilities
from orchestration.demo.files import Inbox
from orchestration.demo.geography import build_geography
from orchestration.demo.health import write_einschulung, write_zahngesundheit
from orchestration.demo.measures import write_measures
from orchestration.demo.population import Simulation
from orchestration.demo.reference import (
    write_boundaries,
    write_crosswalk,
    write_directories,
    write_house_coordinates,
)
from orchestration.demo.register import RegisterWriter
from orchestration.demo.snapshot import Snapshot
from orchestration.demo.timeline import REFORM_DATE, Quarter, quarter_range
from orchestration.demo.yearly import (
    kita_year,
    write_grundsicherung,
    write_infrastruktur,
    write_kita,
    write_pflege,
)
from orchestration.demo.youth import YouthWelfare

MANIFEST_DIR = "_demo"
DEFAULT_SEED = 20261125


@dataclass
class DemoSummary:
    inbox: Path
    manifest: Path
    files_written: int
    bytes_written: int
    last_stichtag: str
    persons_last: dict[str, int]  # main residents per municipality (AGS) at the last Stichtag
    seconds: float
    files_by_source: dict[str, int] = field(default_factory=dict)

    @property
    def persons_total(self) -> int:
        return sum(self.persons_last.values())

    @property
    def files(self) -> int:
        return self.files_written


def _stop_coordinates(con, fac) -> np.ndarray:
    """Bus stops to WGS84 (lon, lat) with DuckDB spatial; always_xy keeps the axis order x=lon."""
    if not fac.stops:
        return np.zeros((0, 2))
    df = pd.DataFrame({"rn": np.arange(len(fac.stops)), "x": [s.x for s in fac.stops],
                       "y": [s.y for s in fac.stops]})
    con.register("demo_stops", df)
    try:
        rows = con.execute("""
            SELECT ST_X(p), ST_Y(p) FROM (
              SELECT rn, ST_Transform(ST_Point(x, y), 'EPSG:25832', 'EPSG:4326', always_xy := true) AS p
              FROM demo_stops) ORDER BY rn""").fetchall()
    finally:
        con.unregister("demo_stops")
    return np.array(rows, dtype=float)


def _reference_quarter(quarters: list[Quarter]) -> Quarter:
    """The Stichtag whose population weights the crosswalk: the day before the reform if simulated."""
    target = Quarter(REFORM_DATE.year - 1, 4)
    return min(quarters, key=lambda q: abs((q.year * 4 + q.q) - (target.year * 4 + target.q)))


def generate_demo(inbox: Path | str, *, seed: int = DEFAULT_SEED, start: str = "2015-Q1", until: str = "2026-Q3",
                  write_from: str | None = None, scale: float = 1.0, omit: Sequence[tuple[str, str]] = (),
                  progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Write synthetic deliveries of every source into `inbox` (one folder per source id).

    Simulates the register population quarter by quarter from `start` to `until`; writes the
    quarterly and yearly deliveries of quarters >= `write_from` (default: all) and always the
    reference deliveries; `omit` holds (source id, quarter label or Gebietsstand) pairs left out.
    Writes `<inbox>/_demo/manifest.json` with the true population for comparisons.
    """
    t0 = time.perf_counter()
    from orchestration.warehouse import connect  # DuckDB with the project's offline extension directory

    if scale <= 0:
        raise ValueError("scale must be positive")
    say = progress or (lambda message: None)
    root = Path(inbox)
    root.mkdir(parents=True, exist_ok=True)
    quarters = quarter_range(Quarter.parse(start), Quarter.parse(until))
    first_written = Quarter.parse(write_from) if write_from else quarters[0]
    tmp_dir = root / MANIFEST_DIR / "tmp"

    geo = build_geography()
    fac = build_facilities(geo, scale)
    sim = Simulation(geo, seed, scale, quarters[0])
    youth = YouthWelfare(seed)
    box = Inbox(root, frozenset((str(s), str(p)) for s, p in omit))
    con = connect(":memory:", extensions=["spatial"])
    # one DuckDB thread: the CSV writes are too small to gain from a second one (it doubles the CPU
    # time), the simulation keeps the other core, and the boundaries dissolve in the same order every run
    con.execute("SET threads TO 1")
    con.execute("SET enable_progress_bar = false")
    try:
        register = RegisterWriter(con, geo, tmp_dir)
        stop_lonlat = _stop_coordinates(con, fac)
        ref_q = _reference_quarter(quarters)
        population: dict[str, dict] = {"municipality": {}, "wohnplatz": {}, "wohnplatz_old_scheme": {},
                                       "unmatched_address": {}, "secondary_residents": {}}
        kita_lists: dict[int, list] = {}
        crosswalk_cells = None
        persons_last: dict[str, int] = {}
        say(f"simulating {quarters[0]}..{quarters[-1]} at scale {scale} (files from {first_written})")
        for q in quarters:
            events = sim.step(q)
            youth.step(sim, q)
            snap = Snapshot(q, geo, sim)
            _record_population(population, snap, geo, sim)
            if q == ref_q:
                crosswalk_cells = snap.cell.copy()
            if q.q == 1:
                kita_lists[q.year] = kita_year(snap, fac, geo, seed)
            if q >= first_written:
                register.write_quarter(box, sim, q, events)
                write_sgb2(box, snap, seed)
                write_unemployment(box, snap, seed)
                youth.write(box, sim, q)
                if q.q == 1:
                    write_kita(box, snap, kita_lists[q.year])
                if q.q == 2:
                    write_einschulung(box, snap, seed)
                    kitas = kita_lists.get(q.year) or kita_year(snap, fac, geo, seed)
                    write_zahngesundheit(box, snap, kitas, seed)
                if q.q == 4:
                    write_grundsicherung(box, snap)
                    write_pflege(box, snap, fac, geo)
                    write_infrastruktur(box, q, fac, geo, stop_lonlat)
            persons_last = {m.ags: int(n) for m, n in zip(gz.MUNICIPALITIES, snap.count_muni())}
            say(f"{q}: {sum(persons_last.values()):,} residents, {len(box.deliveries)} files so far")
            del snap
        say("writing reference deliveries")
        write_boundaries(box, con, geo)
        write_directories(box, geo)
        write_house_coordinates(box, geo)
        write_crosswalk(box, geo, crosswalk_cells, ref_q.stichtag)
        write_measures(box, geo, quarters[-1])
    finally:
        con.close()
        shutil.rmtree(tmp_dir, ignore_errors=True)

    manifest = root / MANIFEST_DIR / "manifest.json"
    _write_manifest(manifest, box, geo, population, dict(seed=seed, start=start, until=until,
                                                         write_from=str(first_written), scale=scale,
                                                         omit=sorted([list(o) for o in box.omit])))
    by_source: dict[str, int] = {}
    for d in box.deliveries:
        by_source[d.source] = by_source.get(d.source, 0) + 1
    summary = DemoSummary(inbox=root, manifest=manifest, files_written=len(box.deliveries),
                          bytes_written=sum(d.bytes for d in box.deliveries),
                          last_stichtag=quarters[-1].stichtag.isoformat(), persons_last=persons_last,
                          seconds=round(time.perf_counter() - t0, 2), files_by_source=by_source)
    say(f"done: {summary.files_written} files, {summary.bytes_written / 1e6:,.1f} MB in {summary.seconds:.1f} s")
    return summary


def _record_population(population: dict, snap: Snapshot, geo, sim: Simulation) -> None:
    label = snap.q.label
    population["municipality"][label] = {m.ags: int(n) for m, n in zip(gz.MUNICIPALITIES, snap.count_muni())}
    population["wohnplatz"][label] = {w.key: int(n) for w, n in
                                      zip(geo.new_wps, np.bincount(snap.wp_new, minlength=len(geo.new_wps)))}
    old = np.bincount(geo.cell_old[snap.cell], minlength=len(geo.old_wps))
    population["wohnplatz_old_scheme"][label] = {w.key: int(n) for w, n in zip(geo.old_wps, old)}
    newbuild = geo.addr_newbuild[snap.addr]
    population["unmatched_address"][label] = {m.ags: int(n) for m, n in
                                              zip(gz.MUNICIPALITIES, snap.count_muni(newbuild))}
    sec = np.flatnonzero(sim.H.sec[sim.P.hh])
    sec_muni = geo.addr_muni[sim.H.addr[sim.P.hh[sec]]]
    population["secondary_residents"][label] = {m.ags: int(n) for m, n in
                                                zip(gz.MUNICIPALITIES, np.bincount(sec_muni, minlength=8))}


def _write_manifest(path: Path, box: Inbox, geo, population: dict, parameters: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "note": f"{gz.SYNTH_LINE}. Written by orchestration.demo; the extraction ignores folders starting with '_'.",
        "synthetic": True,
        "seed": parameters["seed"],
        "parameters": parameters,
        "population_definition": "main residents (Wohnungsstatus H) at the Stichtag of each quarter; "
                                 "'unmatched_address' counts main residents at house numbers beyond the street "
                                 "directory's ranges",
        "schemes": {
            "2015-01-01": [{"key": w.key, "name": w.name, "ags": w.ags} for w in geo.old_wps],
            "2021-01-01": [{"key": w.key, "name": w.name, "ags": w.ags} for w in geo.new_wps],
        },
        "reform": asdict(geo.reform),
        "files": [asdict(d) for d in sorted(box.deliveries, key=lambda d: d.path)],
        "population": population,
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
