"""CPU-bound work of a refresh step spread over processes (pandas, openpyxl and GX hold the GIL).

"spawn" starts a fresh interpreter per worker: forking a process that runs Dagster's and DuckDB's threads is
unsafe. The callable and its arguments must be picklable (a module-level function, or a functools.partial
of one).
"""
from __future__ import annotations

from typing import Callable, Hashable, Iterable, Sequence, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def map_in_processes(fn: Callable[[K], R], items: Sequence[K], *, workers: int,
                     first: Iterable[K] = ()) -> dict[K, R]:
    """{item: fn(item)} computed by up to `workers` spawned processes, in the order of `items`.

    The items named in `first` (the known big ones, in that order) are submitted first, so the small ones
    fill the other workers meanwhile. An exception in `fn` is raised here, when its result is collected.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    priority = list(first)
    ordered = sorted(items, key=lambda item: priority.index(item) if item in priority else len(priority))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {item: pool.submit(fn, item) for item in ordered}
        return {item: futures[item].result() for item in items}
