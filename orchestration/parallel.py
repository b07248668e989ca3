"""CPU-bound work of a refresh step spread over processes (pandas, openpyxl and GX hold the GIL).

"spawn" starts a fresh interpreter per worker: forking a process that runs Dagster's and DuckDB's threads is
unsafe. The callable and its arguments must be picklable (a module-level function, or a functools.partial
of one).
"""
from __future__ import annotations

import atexit
import importlib
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Callable, Hashable, Iterable, Sequence, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def _spawned_pool(workers: int, preload: Sequence[str] = (), nice: int = 0) -> ProcessPoolExecutor:
    import multiprocessing

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_prepare_worker, initargs=(tuple(preload), nice))


def _prepare_worker(preload: tuple[str, ...], nice: int) -> None:
    """Lower the priority by `nice`, then import each "module" of `preload`, or import "module:function"
    and call the function."""
    if nice:
        os.nice(nice)
    for name in preload:
        module, _, function = name.partition(":")
        try:
            loaded = importlib.import_module(module)
            if function:
                getattr(loaded, function)()
        except Exception:  # noqa: BLE001 - a warm-up only: an initializer that raises breaks the whole
            pass           # pool; the task imports what it needs itself and fails with its own traceback
    atexit.register(_exit_without_teardown)  # registered last, so it runs first


def _exit_without_teardown() -> None:
    """End a worker once the pool shuts it down, without tearing down its modules.

    A spawned worker ends like any interpreter: atexit handlers, then every module (GX, pandas, openpyxl)
    torn down, 0.7 s that the run waits for in its last step's teardown. The pool has collected every result
    by then (a worker sends each one as it finishes), so nothing is lost; output is flushed first.
    """
    import logging
    import sys

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream has nothing left to flush
            pass
    os._exit(0)


def _worker_ready() -> int:
    return os.getpid()


def start_workers(workers: int, preload: Sequence[str] = (), nice: int = 0) -> ProcessPoolExecutor:
    """A pool of `workers` spawned processes, started now (not on the first task), each importing `preload`
    first: a run starts it early so that the imports (GX: ~2 s) overlap with its other steps. With `nice`
    the workers run at a lower priority, so they take only the CPU the run's own steps leave idle."""
    pool = _spawned_pool(workers, preload, nice)
    for _ in range(workers):
        pool.submit(_worker_ready)  # a pool starts processes only when tasks arrive
    return pool


def map_in_processes(fn: Callable[[K], R], items: Sequence[K], *, workers: int,
                     first: Iterable[K] = (), pool: Executor | None = None) -> dict[K, R]:
    """{item: fn(item)} computed by up to `workers` spawned processes (or by `pool`, already started, which
    stays open), in the order of `items`.

    The items named in `first` (the known big ones, in that order) are submitted first, so the small ones
    fill the other workers meanwhile. An exception in `fn` is raised here, when its result is collected.
    """
    priority = list(first)
    ordered = sorted(items, key=lambda item: priority.index(item) if item in priority else len(priority))
    if pool is not None:
        return _submit_and_collect(pool, fn, ordered, items)
    with _spawned_pool(workers) as own_pool:
        return _submit_and_collect(own_pool, fn, ordered, items)


def _submit_and_collect(pool: Executor, fn: Callable[[K], R], ordered: Sequence[K],
                        items: Sequence[K]) -> dict[K, R]:
    futures = {item: pool.submit(fn, item) for item in ordered}
    return {item: futures[item].result() for item in items}
