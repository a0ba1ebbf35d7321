"""An admin command's walk over casussen: each in turn against Temporal, the event store open, both
from the composition root (service.samenstelling)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client

from casus_cli.fouten import UnreachableError
from eventstore.store import EventStore
from runtime.settings import Settings
from service.fouten import Onbereikbaar
from service.samenstelling import Samenstelling

T = TypeVar("T")


def per_casus(settings: Settings, casus_ids: list[str] | None, werk: Callable[[Client, EventStore, str], Awaitable[T]]) -> list[T]:
    """`werk` for each casus named, or (None) for every casus stream in the event store."""
    s = Samenstelling(settings)

    async def alles() -> list[T]:
        store = await asyncio.to_thread(lambda: s.store)
        client = await s.temporal()
        ids = casus_ids if casus_ids is not None else await asyncio.to_thread(s.lees, store.stream_ids, "list the casus streams")
        return [await werk(client, store, c) for c in ids]

    try:
        return asyncio.run(alles())
    except Onbereikbaar as e:
        raise UnreachableError(e.melding, regel=e.regel, veld=e.veld) from None
    finally:
        s.sluit()
