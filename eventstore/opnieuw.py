"""Transient database errors, tried again: SQLite answering "database is locked" or "busy" while
another process writes, a PostgreSQL connection that was lost, a pool that had no connection free.
Bounded exponential backoff with jitter; anything else is raised at once (a missing table, a
refused privilege, a conflict), and so is the transient error once the attempts are spent."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import psycopg
import structlog
from eventsourcing.persistence import ConnectionUnavailableError

log = structlog.get_logger()

T = TypeVar("T")

_SQLITE_BEZET = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


@dataclass(frozen=True)
class Terugval:
    """How often and how long: attempt n waits about eerste·2^(n-1) seconds, never more than hoogste."""

    pogingen: int = 8
    eerste: float = 0.05
    hoogste: float = 2.0

    def wachttijd(self, poging: int) -> float:
        plafond = min(self.hoogste, self.eerste * 2 ** (poging - 1))
        # Jitter spreads the writers that collided, so they do not collide again on the same beat.
        return random.uniform(plafond / 2, plafond)  # noqa: S311 - timing, not security


STANDAARD = Terugval()


def _keten(fout: BaseException) -> Iterator[BaseException]:
    gezien: set[int] = set()
    huidig: BaseException | None = fout
    while huidig is not None and id(huidig) not in gezien:
        gezien.add(id(huidig))
        yield huidig
        huidig = huidig.__cause__ or huidig.__context__


def voorbijgaand(fout: BaseException) -> bool:
    """True when a later attempt may well succeed: the error, or one it was raised from, is SQLite
    busy or locked, any PostgreSQL OperationalError (connection lost or refused, server shutting
    down, serialization failure, pool timeout), or eventsourcing's pool having no connection free."""
    for e in _keten(fout):
        if isinstance(e, sqlite3.OperationalError):
            code = getattr(e, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF in _SQLITE_BEZET) or any(w in str(e) for w in ("locked", "busy")):
                return True
        if isinstance(e, psycopg.OperationalError | ConnectionUnavailableError):
            return True
    return False


def opnieuw(
    doe: Callable[[], T], *, wat: str, terugval: Terugval = STANDAARD, slaap: Callable[[float], None] = time.sleep
) -> T:  # fmt: skip
    """`doe()`, tried again after a transient database error (see `voorbijgaand`); `wat` names the
    operation in the log. Only for operations that are safe to repeat: a read, a transaction that
    rolled back whole, or an insert whose retry is recognised (an append by its versions)."""
    poging = 1
    while True:
        try:
            return doe()
        except Exception as e:
            if poging >= terugval.pogingen or not voorbijgaand(e):
                raise
            wacht = terugval.wachttijd(poging)
            log.warning("transient database error; trying again", wat=wat, poging=poging, wacht=round(wacht, 3), fout=str(e))
            slaap(wacht)
            poging += 1
