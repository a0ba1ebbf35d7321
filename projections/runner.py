"""Follows the global log into the read models; each batch and its position in one transaction,
so a restart resumes exactly where the last commit left off (no gap, no duplicate)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from eventstore.store import EventStore, Opgeslagen
from projections.views import Sql, ViewStore


class Projection(Protocol):
    name: str
    ddl: tuple[str, ...]

    def apply(self, sql: Sql, item: Opgeslagen) -> None: ...


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
                for item in items:
                    p.apply(sql, item)
                self.views.track(sql, p.name, items[-1].positie)
            total += len(items)
        return total

    def catch_up(self) -> int:
        total = 0
        while n := self.step():
            total += n
        return total

    def run(self, stop: threading.Event, poll_seconds: float = 0.2) -> None:
        while not stop.is_set():
            if not self.step():
                stop.wait(poll_seconds)

    def lag(self) -> int:
        head = self.store.head()
        return max((head - self.views.position(p.name) for p in self.projections), default=0)
