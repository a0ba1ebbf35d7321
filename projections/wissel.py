"""Where a rebuild (projections/herbouw.py) puts its work: the workplaces' tables copied into fresh
tables beside the live ones and switched in one transaction, on PostgreSQL (wissel_postgres.py) or
SQLite (wissel_sqlite.py); what both share, and the commit points where the fault tests kill it."""

from __future__ import annotations

import contextlib
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from runtime.storingspunt import Storingspunt

NIEUW = "__nieuw"


class HerbouwBezigError(RuntimeError):
    """Another rebuild of these read models is running."""


class HerbouwMisluktError(RuntimeError):
    """A part of the rebuild failed; the live tables are as they were."""


class Gereed(NamedTuple):
    """What a part of the rebuild has ready: tables of its workplace newly written out for the switch
    (in the order of the rebuild's tables), and whether it has finished (every table ready)."""

    pad: Path
    tabellen: tuple[str, ...]
    af: bool


def punt(naam: str) -> None:
    """A commit point of the rebuild where the fault tests kill it (runtime/storingspunt.py)."""
    storing = Storingspunt.uit_omgeving()
    if storing is not None:
        storing.bereikt(naam, None)


def kolommen_van(werkplaats: sqlite3.Connection, tabel: str) -> list[str]:
    return [str(r[1]) for r in werkplaats.execute(f"PRAGMA table_info({tabel})")]


@contextlib.contextmanager
def lezen(paden: Sequence[Path]) -> Iterator[list[sqlite3.Connection]]:
    verbindingen = [sqlite3.connect(f"{pad.as_uri()}?mode=ro", uri=True) for pad in paden]
    try:
        yield verbindingen
    finally:
        for c in verbindingen:
            c.close()


class Doel(ABC):
    """The database of the live read models."""

    @abstractmethod
    def alleen(self) -> contextlib.AbstractContextManager[None]:
        """Held for the whole rebuild; raises HerbouwBezigError when another rebuild holds it."""

    @abstractmethod
    def wissel(self, klaar: Iterable[Gereed], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        """Copies the workplaces' tables beside the live ones and switches; the rows copied. `klaar`
        gives the tables of each workplace as its part has them ready, and ends when every part has
        finished."""

    @abstractmethod
    def klaarzetten(
        self, werkplaats: sqlite3.Connection, pad: Path, tabellen: Sequence[str], levend: Callable[[], None], gereed: Callable[[int], None]
    ) -> None:  # fmt: skip
        """Called in each part with its finished workplace: what the switch needs of it beyond the
        file. Calls `levend` as it goes, so that the rebuild can tell a long table from a hung part,
        and `gereed(n)` once the first n tables are ready for the switch."""

    @abstractmethod
    def werkmap(self) -> Path:
        """The workplaces' folder, one per database, so that the next rebuild clears what a killed one left."""

    @abstractmethod
    def mag(self, tabellen: Sequence[str]) -> None:
        """Raises HerbouwMisluktError when the switch could not be made: a view over a table (it
        would have to go with it), or a role that may not replace the tables."""
