"""Run-wide resources: the refresh lock that makes sure there is only ever one writer."""
import fcntl
import json
import os
from concurrent.futures import Executor
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from orchestration.settings import get_settings


class RefreshAlreadyRunning(RuntimeError):
    pass


def lock_holder(lock_file: Path) -> dict:
    try:
        return json.loads(lock_file.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def acquire_refresh_lock(lock_file: Path, run_id: str) -> int:
    """Take the exclusive, non-blocking lock; raise with who holds it when another refresh runs.

    A kernel lock (flock) dies with its process, so a killed run never leaves a stale lock behind.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = lock_holder(lock_file)
        raise RefreshAlreadyRunning(
            f"another refresh is running (run {holder.get('run_id', '?')}, pid {holder.get('pid', '?')}, "
            f"since {holder.get('since', '?')}); only one writer may touch the warehouse at a time — "
            "wait for it to finish (sozialmonitor status) and start again") from None
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps({"run_id": run_id, "pid": os.getpid(),
                             "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}).encode())
    return fd


def release_refresh_lock(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class RefreshLock(dg.ConfigurableResource):
    """Held for the whole run by every run that writes the warehouse (in-process executor)."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        run_id = context.run_id or "unknown"
        try:
            self._fd = acquire_refresh_lock(get_settings().lock_file, run_id)
        except RefreshAlreadyRunning as exc:
            raise dg.Failure(description=str(exc)) from None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            release_refresh_lock(fd)


# what every worker imports as it starts: GX (configured offline) for the suites, openpyxl for the workbooks
WORKER_PRELOAD = ("orchestration.quality.gx_runtime:gx", "orchestration.quality.runner",
                  "orchestration.publish.export_excel")


class WorkerProcesses(dg.ConfigurableResource):
    """Processes for the CPU-bound steps of a run (GX suites, Excel workbooks), started with the run.

    Each worker imports GX (~2 s) and openpyxl as it starts. Started when the run starts, they do that while
    the extraction and dbt run, which leave one of two cores mostly idle, instead of when the checks begin.
    They run at a lower priority (nice), so that they take only that idle CPU and never slow the extraction
    or dbt; when the checks and exports run, nothing else competes with them. A run that selects neither
    the checks nor the exports does not start them (Dagster initialises only the resources its steps need).
    """

    workers: int = 0  # 0: one per CPU
    nice: int = 10

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from orchestration.parallel import start_workers

        self._pool = start_workers(self.workers or os.cpu_count() or 1, WORKER_PRELOAD, nice=self.nice)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    @property
    def pool(self) -> Executor | None:
        """The started processes; None outside a run (callers then start their own)."""
        return getattr(self, "_pool", None)
