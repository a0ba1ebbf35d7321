"""An admin command's walk over casussen: each in turn against Temporal, the event store open."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client

from casus_cli.acties import met_temporal
from casus_cli.inzage import open_store
from eventstore.store import EventStore
from runtime.settings import Settings

T = TypeVar("T")


def per_casus(settings: Settings, casus_ids: list[str] | None, werk: Callable[[Client, EventStore, str], Awaitable[T]]) -> list[T]:
    """`werk` for each casus named, or (None) for every casus stream in the event store."""
    store, _ = open_store(settings)

    async def alles(client: Client) -> list[T]:
        ids = casus_ids if casus_ids is not None else await asyncio.to_thread(store.stream_ids)
        return [await werk(client, store, c) for c in ids]

    try:
        return asyncio.run(met_temporal(settings, alles, zonder_wachttijd=True))
    finally:
        store.close()
