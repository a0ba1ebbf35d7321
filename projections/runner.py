"""Follows the global log into the read models; each batch and its position in one transaction,
so a restart resumes exactly where the last commit left off (no gap, no duplicate)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


@contextmanager
def _zonder_cyclusopruiming() -> Iterator[None]:
    """A batch allocates thousands of short-lived objects that hold no reference cycles; the cycle
    collector's passes over them cost a third of a rebuild. Paused for the batch, it runs as usual
    afterwards (reference counting still frees everything at once)."""
    aan = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if aan:
            gc.enable()


class ProjectionRunner:
    def __init__(self, store: EventStore, views: ViewStore, projections: Sequence[Projection], batch: int = 500) -> None:
        self.store = store
        self.views = views
        self.projections = tuple(projections)
        self.batch = batch
        for p in self.projections:
            views.create(p.ddl)

    def step(self) -> int:
        """One batch of the log, read once and applied to every projection that has not seen it,
        each projection in its own transaction with its position; the number of events read."""
        posities = {p.name: self.views.position(p.name) for p in self.projections}
        with _zonder_cyclusopruiming():
            items = self.store.log(min(posities.values(), default=0), self.batch)
            self._apply(items, posities)
        return len(items)

    def _apply(self, items: Sequence[Opgeslagen], posities: dict[str, int]) -> None:
        for p in self.projections:
            eigen = [i for i in items if i.positie > posities[p.name]]
            if not eigen:
                continue
            # An error aborts the transaction: the position never passes an event not applied.
            with self.views.transaction() as sql:
                p.apply(sql, eigen)
                self.views.track(sql, p.name, eigen[-1].positie)
            posities[p.name] = eigen[-1].positie

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
        gewoon, self.batch = self.batch, max(self.batch, 5000)  # from zero, larger batches mean fewer round trips
        try:
            return self.catch_up(voortgang)
        finally:
            self.batch = gewoon

    def run(self, stop: threading.Event, poll_seconds: float = 0.2, check: Callable[[], None] = lambda: None) -> None:
        """Follows the log until `stop`; `check` runs before every batch and stops the runner by raising."""
        while not stop.is_set():
            check()
            if not self.step():
                stop.wait(poll_seconds)

    def lag(self) -> int:
        head = self.store.head()
        return max((head - self.views.position(p.name) for p in self.projections), default=0)
