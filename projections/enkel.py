"""Exactly one active projection runner: on PostgreSQL a runner holds a session advisory lock for
as long as it runs; a second one waits for it. If the lock's connection is lost, the lock is gone
too, so the runner stops rather than run beside a successor."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from runtime.postgres import houder, sessie
from runtime.settings import Settings

SLOT = 0x63617375  # "casu": the advisory lock key of the projection runner


class SlotLostError(RuntimeError):
    """The connection that held the runner's lock is gone; another runner may hold it now."""


@contextmanager
def enige_runner(
    settings: Settings, stop: threading.Event, wacht: Callable[[str | None], None], poll_seconds: float = 1.0
) -> Iterator[Callable[[], None] | None]:
    """Yields a check that raises SlotLostError once the lock is lost, when the lock is held; None
    when `stop` was set before it was. While it waits, `wacht` is told who holds the lock (any login
    can take an advisory lock: the operator must be able to tell a runner from an intruder), again
    whenever that changes. SQLite has one process by construction: no lock."""
    if settings.eventstore != "postgres":
        yield lambda: None
        return
    conn = sessie(settings, "casus-projecties", 5)
    try:
        gemeld: str | None = ""  # no holder described yet
        while not _neem(conn):
            if (wie := houder(conn, SLOT)) != gemeld:
                wacht(wie)
                gemeld = wie
            if stop.wait(poll_seconds):
                yield None
                return

        def check() -> None:
            try:
                conn.execute("SELECT 1")
            except psycopg.Error as e:
                raise SlotLostError(f"the projection runner lost its lock's connection ({e}); stopping") from e

        yield check
    finally:
        conn.close()  # closing the session releases the lock


def _neem(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    rij = conn.execute("SELECT pg_try_advisory_lock(%s)", (SLOT,)).fetchone()
    return bool(rij and rij[0])
