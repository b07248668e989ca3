"""Dagster's SQLite event log, with its database connections kept open instead of opened per event.

Dagster's `SqliteEventLogStorage` creates a new SQLAlchemy engine and a new SQLite connection for every
write and disposes of it again, and it writes each asset event three to four times (run shard, index
shard, tags, asset table). One refresh stores a few thousand events (every dbt model, every dbt test as
an asset check, planned and evaluated), so opening connections was about 1 ms of the ~1.3 ms per write
and, measured on the dbt step alone, several seconds per run (docs/performance.md).

This class changes three things, nothing else:
- engines are cached per shard (the index shard and the few most recent run shards; older ones are
  disposed, so a long-lived webserver or daemon does not collect file handles), and SQLAlchemy's pool
  reuses their connections;
- its connections run `PRAGMA synchronous=NORMAL`, which SQLite recommends for WAL mode (Dagster's own
  choice of journal): a commit no longer waits for an fsync, the WAL is synced at each checkpoint. The
  database cannot be corrupted by it; a power cut (not a crash of the process) can lose the last events.
  Measured with py-spy: commits were almost half of the ~3 ms of CPU each stored event cost;
- `has_table` remembers tables it found: Dagster asks it before *every* asset check event (whether the
  schema has the asset check table) and builds a new engine and connection each time to answer.
Files, schema, WAL mode, locking and the watchdog that the UI uses to follow a run are Dagster's own.
Configured in dagster.yaml as `event_log_storage`.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

INDEX_SHARD = "index"
RUN_SHARDS_KEPT_OPEN = 4


def default_base_dir() -> str:
    """Where Dagster's default sqlite storage keeps the event log: $DAGSTER_HOME/history/runs."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("PooledSqliteEventLogStorage needs base_dir in dagster.yaml or DAGSTER_HOME set")
    return os.path.join(home, "history", "runs")


def sync_at_checkpoints_only(dbapi_connection: Any, _connection_record: Any) -> None:
    """SQLAlchemy `connect` hook: WAL with synchronous=NORMAL (see the module docstring)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` that keeps one engine (with its connection pool) per recently used shard."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir or default_base_dir(), inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None,
                          config_value: dict[str, Any]) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard),
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            event.listen(engine, "connect", sync_at_checkpoints_only)
        self._engines[shard] = engine  # most recently used last
        run_shards = [s for s in self._engines if s != INDEX_SHARD]
        for stale in run_shards[:-RUN_SHARDS_KEPT_OPEN]:
            self._engines.pop(stale).dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # same contract as Dagster's, pooled engine
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def has_table(self, table_name: str) -> bool:
        # tables are only ever added (by `dagster instance migrate`), so a table found stays found
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._tables_found.clear()
        self._dispose_engines()  # the run shards' files are deleted: no connection may outlive them
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
