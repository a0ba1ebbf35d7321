"""Follows the global log into the read models; each batch and its position in one transaction,
so a restart resumes exactly where the last commit left off (no gap, no duplicate)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from eventstore.store import EventStore, Opgeslagen
from projections.views import Sql, ViewStore

Voortgang = Callable[[int, int], None]
"""Called with the position every projection has reached and the log's head."""


class Projection(Protocol):
    name: str
    ddl: tuple[str, ...]
    tables: tuple[str, ...]

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        """Applies a batch of events in log order, inside the batch's transaction."""


class ProjectionRunner:
    def __init__(self, store: EventStore, views: ViewStore, projections: Sequence[Projection], batch: int = 500) -> None:
        self.store = store
        self.views = views
        self.projections = tuple(projections)
        self.batch = batch
        for p in self.projections:
            views.create(p.ddl)

    def step(self) -> int:
        """One batch for each projection; the number of events processed."""
        total = 0
        for p in self.projections:
            items = self.store.log(self.views.position(p.name), self.batch)
            if not items:
                continue
            # An error aborts the transaction: the position never passes an event not applied.
            with self.views.transaction() as sql:
                p.apply(sql, items)
                self.views.track(sql, p.name, items[-1].positie)
            total += len(items)
        return total

    def catch_up(self, voortgang: Voortgang | None = None) -> int:
        total = 0
        while n := self.step():
            total += n
            if voortgang is not None:
                voortgang(min(self.views.position(p.name) for p in self.projections), self.store.head())
        return total

    def rebuild(self, voortgang: Voortgang | None = None) -> int:
        """Empties the read models and their positions in one transaction, then follows the log
        from the first event: the same rows the incremental runner has."""
        with self.views.transaction() as sql:
            for p in self.projections:
                for table in p.tables:
                    sql.execute(f"DELETE FROM {table}")
                self.views.forget(sql, p.name)
        return self.catch_up(voortgang)

    def run(self, stop: threading.Event, poll_seconds: float = 0.2) -> None:
        while not stop.is_set():
            if not self.step():
                stop.wait(poll_seconds)

    def lag(self) -> int:
        head = self.store.head()
        return max((head - self.views.position(p.name) for p in self.projections), default=0)
