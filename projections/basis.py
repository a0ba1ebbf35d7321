"""What the runner and a rebuild share: a read model's shape, progress, and batches without the
cycle collector."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from eventstore.store import Opgeslagen
from eventstore.views import Sql

Voortgang = Callable[[int, int], None]
"""Called with the position every projection has reached and the log's head."""


class Projection(Protocol):
    name: str
    ddl: tuple[str, ...]
    tables: tuple[str, ...]

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        """Applies a batch of events in log order, inside the batch's transaction."""


@contextmanager
def zonder_cyclusopruiming() -> Iterator[None]:
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
