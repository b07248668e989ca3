"""Run-wide resources: the refresh lock that makes sure there is only ever one writer."""
import fcntl
import json
import os
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
