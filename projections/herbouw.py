"""A rebuild beside the running system (blue/green). The live read models keep serving and the
runner keeps following the log while a rebuild:

1. notes the log's head H (appends commit in order, so every event up to H is there);
2. follows the log from the first event up to H into a workplace of its own: a temporary SQLite
   file holding the same tables, where each read model applies its batches with its own SQL (the
   same statements it runs on the embedded store, so the rows are the rows the runner makes);
3. copies every table into a fresh table beside the live one (`<table>__nieuw`), with `COPY` on
   PostgreSQL (each part writes its tables in COPY's text form as it finishes, side by side, and
   the switch streams each as soon as it is written; the live table's indexes are built on the
   first finished part's rows and kept up as the others' come in) and one `INSERT ... SELECT` from
   the attached workplace on SQLite, which builds the indexes after;
4. switches: under the swap lock, drops each live table, gives the fresh one its name (its indexes
   and, on PostgreSQL, its grants) and sets each read model's position to H, in one transaction.

The runner takes the same lock for each batch and checks inside it that its position is still the
one it read (projections/runner.py): a batch begun before a switch is abandoned and the runner
goes on from the new tables' position. On PostgreSQL the lock is a transaction-level advisory lock
(shared for the runner, exclusive for the switch) and steps 3 and 4 are one transaction, so a
rebuild that dies anywhere leaves the live tables as they were; on SQLite every writing
transaction already holds the database's write lock. One rebuild at a time: a session advisory
lock on PostgreSQL, a lock on a file beside the database on SQLite. A part that shows no sign of life
for `STIL_S` is taken to hang: the rebuild stops every part and fails."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from eventstore.store import EventStore
from eventstore.views import WISSEL_DDL, PostgresViewStore, SQLiteViewStore, ViewStore
from projections import quarantaine, wissel
from projections.basis import Projection, Voortgang
from projections.herbouw_delen import STIL_S, Delen, Werk
from projections.wissel import NIEUW, HerbouwBezigError, HerbouwMisluktError
from projections.wissel_postgres import PostgresDoel
from projections.wissel_sqlite import SQLiteDoel

log = structlog.get_logger()

MAX_DELEN = 4
"""At most this many processes read and apply the log side by side (PostgreSQL; one per core)."""


@dataclass(frozen=True)
class Uitkomst:
    positie: int
    """The log's head the new tables were built up to: the runner follows on from here."""
    tabellen: tuple[str, ...]
    rijen: int


def tabellen_van(projecties: Sequence[Projection]) -> tuple[str, ...]:
    """Every table the chosen read models write. The quarantine travels with `caseload` (its
    `tables`): a rebuild of only some other read model leaves it, and the verdicts the read models
    not rebuilt were kept by, as they are."""
    return tuple(dict.fromkeys(t for p in projecties for t in p.tables))


class Herbouw:
    def __init__(
        self, store: EventStore, views: ViewStore, projecties: Sequence[Projection], batch: int = 5000, delen: int | None = None,
        stil_s: float = STIL_S,
    ) -> None:  # fmt: skip
        self.store = store
        self.stil_s = stil_s
        self.views = views
        self.projecties = tuple(projecties)
        self.batch = batch
        if isinstance(views, PostgresViewStore):
            self.doel: wissel.Doel = PostgresDoel(views)
            self.delen = delen or min(os.cpu_count() or 1, MAX_DELEN)
        elif isinstance(views, SQLiteViewStore):
            self.doel = SQLiteDoel(views)
            self.delen = 1
        else:
            raise TypeError(f"no rebuild beside the live tables for {type(views).__name__}")

    def run(self, voortgang: Voortgang | None = None) -> Uitkomst:
        with self.doel.alleen():
            for ddl in (WISSEL_DDL, quarantaine.DDL, *(p.ddl for p in self.projecties)):
                self.views.create(ddl)
            tabellen = tabellen_van(self.projecties)
            self.doel.mag(tabellen)  # before the log is followed, not after
            tot = self.store.head()
            map_ = self.doel.werkmap()
            # Under the rebuild's lock: what a killed rebuild left (a copy of the read models) goes first.
            shutil.rmtree(map_, ignore_errors=True)
            map_.mkdir(mode=0o700, parents=True)
            try:
                paden = [map_ / f"werkplaats-{k}.db" for k in range(self.delen)]
                werk = Werk(self.projecties, tot, self.batch, tabellen, self.doel.klaarzetten)
                # The parts start first; the switch takes each workplace as its part finishes it.
                with Delen(self.store, paden, werk, self.stil_s) as delen, contextlib.closing(delen.klaar(voortgang)) as klaar:
                    rijen = self.doel.wissel(klaar, tabellen, [p.name for p in self.projecties], tot)
            finally:
                shutil.rmtree(map_, ignore_errors=True)
        log.info("read models rebuilt beside the runner and switched", positie=tot, tabellen=tabellen, rijen=rijen, delen=self.delen)
        return Uitkomst(tot, tabellen, rijen)


__all__ = ["NIEUW", "Herbouw", "HerbouwBezigError", "HerbouwMisluktError", "Uitkomst", "tabellen_van"]
