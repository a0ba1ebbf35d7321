"""The one composition root: from settings to the event store, the read models, the vault, the
Temporal client and the projection runner. Each is opened once, when first needed, and closed by
`sluit`; the API holds one for its lifetime, an admin command one for its run."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar

import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import PersistenceError
from temporalio.client import Client

from eventstore.kluis import Kluis, meester_sleutel
from eventstore.opnieuw import opnieuw
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections.alle import alle
from projections.runner import Melder, ProjectionRunner
from runtime.settings import Settings
from runtime.temporal import ServiceUnavailableError, connect
from service.fouten import Geweigerd, Onbereikbaar

T = TypeVar("T")

OPSLAGFOUTEN = (PersistenceError, StoreOperationalError, OSError, sqlite3.Error, psycopg.Error)


class Samenstelling:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._slot = threading.Lock()
        self._store: EventStore | None = None
        self._views: ViewStore | None = None
        self._kluis: Kluis | None = None
        self._client: Client | None = None
        self._client_slot = asyncio.Lock()
        self._vingerafdruk: bytes | None = None
        self.huishoudens: dict[str, str] = {}
        """casus id -> household: it never changes, so the API asks the workflow once per casus."""
        self._eigen_opslag = True

    @classmethod
    def over(cls, store: EventStore, settings: Settings | None = None) -> Samenstelling:
        """Over an event store the caller opened and closes (the embedded stack's, a simulation's):
        its read models opened beside it; `sluit` leaves that store open."""
        s = cls(settings)
        s._store, s._views, s._eigen_opslag = store, open_views(store.infrastructure), False
        return s

    # The event store and the read models.

    def opslag(self) -> tuple[EventStore, ViewStore]:
        """The event store and the read models; a busy or briefly unreachable database is tried again."""
        with self._slot:
            if self._store is None or self._views is None:
                try:
                    self._store = opnieuw(partial(EventStore.open, self.settings), wat="open the event store")
                    self._views = opnieuw(partial(open_views, self._store.infrastructure), wat="open the read models")
                except OPSLAGFOUTEN as e:
                    self._sluit_opslag()
                    raise Onbereikbaar(
                        f"the event store ({self.settings.eventstore_description}) cannot be opened: {e}; "
                        "check CASUS_EVENTSTORE and its settings, or start PostgreSQL"
                    ) from None
            return self._store, self._views

    @property
    def store(self) -> EventStore:
        return self.opslag()[0]

    @property
    def views(self) -> ViewStore:
        return self.opslag()[1]

    def lees(self, doe: Callable[[], T], wat: str) -> T:
        """A read of the store, tried again on a transient error; a lasting one is said, not raised raw."""
        try:
            return opnieuw(doe, wat=wat)
        except OPSLAGFOUTEN as e:
            raise Onbereikbaar(f"the event store cannot be read ({wat}): {e}") from None

    def kluis(self) -> Kluis:
        """The household keys: only the trusted side (API, worker, admin commands) opens them."""
        views = self.views
        with self._slot:
            if self._kluis is None:
                try:
                    self._kluis = Kluis(views, meester_sleutel(self.settings))
                except ValueError as e:
                    raise Onbereikbaar(f"{e}; nothing was sealed or read", veld="CASUS_MASTER_KEY") from None
            return self._kluis

    def vingerafdruk_geheim(self) -> bytes:
        """The secret of the requests' fingerprints (service/sturen.py), derived from the master key:
        the same on every API replica, and no use to anyone without it."""
        if self._vingerafdruk is None:
            try:
                meester = meester_sleutel(self.settings)
            except ValueError as e:
                raise Onbereikbaar(f"{e}; nothing was sent", veld="CASUS_MASTER_KEY") from None
            self._vingerafdruk = hmac.new(meester, b"casus-vingerafdruk-v1", hashlib.sha256).digest()
        return self._vingerafdruk

    def projectie_runner(self, namen: Sequence[str] = (), melder: Melder | None = None) -> ProjectionRunner:
        """The projection runner over the read models named (default: all), wired here only."""
        store, views = self.opslag()
        gekozen = [p for p in alle() if not namen or p.name in namen]
        if melder is None:
            return ProjectionRunner(store, views, gekozen, batch=self.settings.projection_batch)
        return ProjectionRunner(store, views, gekozen, batch=self.settings.projection_batch, melder=melder)

    def wacht_op_projecties(self, namen: Sequence[str], seconden: float) -> ViewStore:
        """The read models named, once they hold every stored event (tables made when missing)."""
        store, views = self.opslag()
        for p in alle():
            if p.name in namen:
                self.lees(partial(views.create, p.ddl), wat=f"create {p.name}")
        einde = time.monotonic() + seconden
        head = self.lees(store.head, wat="read the log's head")
        while (positie := self.lees(lambda: min(views.position(n) for n in namen), wat="read the positions")) < head:
            if time.monotonic() >= einde:
                raise Onbereikbaar(
                    f"the projections {', '.join(namen)} are at event {positie} of {head}; "
                    "is the projection runner running (`make dev` / `casus dev` / `casus projecties draai`)?"
                )
            time.sleep(0.05)
        return views

    # Temporal.

    async def temporal(self) -> Client:
        async with self._client_slot:
            if self._client is None:
                try:
                    self._client = await connect(self.settings)
                except ServiceUnavailableError as e:
                    raise Onbereikbaar(f"{e}; nothing was sent") from None
            return self._client

    def sluit(self) -> None:
        with self._slot:
            self._sluit_opslag()

    def _sluit_opslag(self) -> None:
        if self._store is not None and self._eigen_opslag:
            self._store.close()
        self._store, self._views, self._kluis, self._eigen_opslag = None, None, None, True


def geweigerd_door_kluis(e: PermissionError) -> Geweigerd:
    return Geweigerd(str(e), regel="Wmo 2015 art. 5.3.5")
