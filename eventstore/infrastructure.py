"""Builds eventsourcing's infrastructure for the configured database, without reading the process environment.

SQLite is shared by every process of the embedded stack (worker, projection runner, CLI reads and
writes), so its connections are opened for concurrency: write-ahead logging (readers never wait for
the writer), a busy timeout (a writer waits for the lock instead of failing at once), and
`BEGIN IMMEDIATE` for every transaction that may write. eventsourcing opens a plain deferred
`BEGIN`: a transaction that reads first takes the write lock only at its first write, and when
another process has committed in between SQLite refuses it with "database is locked" at once,
without waiting (the snapshot it read is stale), which no timeout helps against."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import InfrastructureFactory, InterfaceError, TrackingRecorder
from eventsourcing.sqlite import (
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteTransaction,
)
from eventsourcing.utils import Environment, EnvType

from runtime.settings import Settings

APPLICATION_NAME = "casus"
SQLITE_LOCK_SECONDS = 10
"""How long a writer waits for another process's write lock before SQLite answers "busy"."""
SQLITE_POOL_SECONDS = 30.0
"""How long a thread waits for this process's writer connection (the worker's appends and the
projection runner of `casus dev` share one process)."""


class _Transactie(SQLiteTransaction):
    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE" if self.commit else "BEGIN")
        except BaseException:
            cursor.sqlite_cursor.close()
            raise
        return cursor


class _Verbinding(SQLiteConnection):
    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        with _Transactie(self, commit=commit) as curs, curs:
            yield curs


class _Pool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(
                database=self.db_name, uri=True, check_same_thread=False, isolation_level=None, cached_statements=True,
                timeout=self.lock_timeout or SQLITE_LOCK_SECONDS,
            )  # fmt: skip
            c.execute(f"PRAGMA busy_timeout = {int((self.lock_timeout or SQLITE_LOCK_SECONDS) * 1000)}")
            # Freed bytes are overwritten with zeros, so an erased household key (eventstore/kluis.py)
            # does not linger in the file's free pages; the pool is shared, so every connection.
            c.execute("PRAGMA secure_delete = ON")
            if not self.is_sqlite_memory_mode:
                # Already WAL after the first connection ever (it is kept in the file): then a no-op.
                c.execute("PRAGMA journal_mode = WAL")
                self.is_journal_mode_wal = True
        except sqlite3.Error as e:
            raise InterfaceError(e) from e
        c.row_factory = sqlite3.Row
        return _Verbinding(sqlite_conn=c, max_age=self.max_age)


class _Datastore(SQLiteDatastore):
    def __init__(self, voorbeeld: SQLiteDatastore) -> None:
        self.pool = _Pool(db_name=voorbeeld.pool.db_name, lock_timeout=voorbeeld.pool.lock_timeout, pool_timeout=SQLITE_POOL_SECONDS)
        self.single_row_tracking = voorbeeld.single_row_tracking
        self.originator_id_type = voorbeeld.originator_id_type


class CasusSQLiteFactory(SQLiteFactory):
    """eventsourcing's SQLite factory with the connections described above."""

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        gewoon = self.datastore  # holds no connection yet: they are made on first use
        self.datastore = _Datastore(gewoon)
        gewoon.close()


def environment(settings: Settings) -> Environment:
    if settings.eventstore == "postgres":
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": settings.postgres_host,
            "POSTGRES_PORT": str(settings.postgres_port),
            "POSTGRES_DBNAME": settings.postgres_dbname,
            "POSTGRES_USER": settings.postgres_user,
            "POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
            "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "APPLICATION_RECORDER_TOPIC": "eventstore.postgres_recorder:CasusPostgresRecorder",
            # A role that may only append (the worker's) creates no tables: `casus migreer` does.
            "CREATE_TABLE": "yes" if settings.create_tables else "no",
        }
    else:
        settings.events_path.parent.mkdir(parents=True, exist_ok=True)
        env = {
            "PERSISTENCE_MODULE": "eventstore.infrastructure:CasusSQLiteFactory",
            "SQLITE_DBNAME": str(settings.events_path),
            "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_SECONDS),
        }
    return Environment(name=APPLICATION_NAME, env=env)


def factory(settings: Settings) -> InfrastructureFactory[TrackingRecorder]:
    return InfrastructureFactory.construct(environment(settings))
