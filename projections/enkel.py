"""Exactly one active projection runner: on PostgreSQL a runner holds a session advisory lock for
as long as it runs; a second one waits for it. If the lock's connection is lost, the lock is gone
too, so the runner stops rather than run beside a successor."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from runtime.postgres import sessie
from runtime.settings import Settings

SLOT = 0x63617375  # "casu": the advisory lock key of the projection runner


class SlotLostError(RuntimeError):
    """The connection that held the runner's lock is gone; another runner may hold it now."""


@contextmanager
def enige_runner(settings: Settings, stop: threading.Event, wacht: Callable[[], None], poll_seconds: float = 1.0) -> Iterator[
    Callable[[], None] | None
]:  # fmt: skip
    """Yields a check that raises SlotLostError once the lock is lost, when the lock is held; None
    when `stop` was set before it was. SQLite has one process by construction: no lock."""
    if settings.eventstore != "postgres":
        yield lambda: None
        return
    conn = sessie(settings, "casus-projecties", 5)
    try:
        gemeld = False
        while not _neem(conn):
            if not gemeld:
                wacht()
                gemeld = True
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
