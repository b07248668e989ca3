"""Keep Python's cyclic garbage collector away from objects that live as long as the process.

A refresh imports Dagster, dagster-dbt, dbt-core, pandas and the definitions: about 400,000 objects the
collector tracks, alive until the process ends. Every full collection during a run scans all of them
(~0.1 s each; six in one quarter's dbt step), and interpreter shutdown runs several more collections over
them: ~1 s at the end of every `sozialmonitor refresh`, measured with py-spy (the last second of the
process was `gc_collect_main`). `gc.freeze()` moves the objects alive at that moment into a permanent
generation the collector skips.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def long_lived_objects_frozen() -> Iterator[None]:
    """For the duration of a run: what exists before it (modules, definitions, manifest) is not scanned by
    the run's collections. Unfrozen afterwards, so that a long-lived process (the test suite, a notebook)
    can still collect whatever of it becomes garbage later."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def skip_collections_at_exit() -> None:
    """Called as the command line exits: the interpreter's final collections skip everything still alive.
    Objects are not finalised by the collector then; none of ours needs it (files and databases are closed
    by their `with` blocks, SQLite and DuckDB have committed), and the operating system frees the memory."""
    gc.freeze()
