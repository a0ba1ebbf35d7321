"""The append activity: the workflow's only way to record a fact."""

from __future__ import annotations

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.gebeurtenissen import Gebeurtenis
from eventstore.keten import Ondertekenaar
from eventstore.store import EventStore, NietOndertekendError, StreamConflictError
from runtime.storingspunt import Storingspunt

CONFLICT = "StreamConflict"
log = structlog.get_logger()


class Toevoegen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    casus_id: str
    verwacht: int
    gebeurtenissen: tuple[Gebeurtenis, ...]
    vorige_hash: str | None = None
    # The decision's key, the same on every retry of it: an update's id, a deadline's tick, the melding.
    sleutel: str | None = None


class Toegevoegd(BaseModel):
    """What the stream holds after the append. `gebeurtenissen` is set only when the stream already
    held events where this append meant to write (see `eventstore.store.Toevoeging`): then the
    workflow evolves from those, never from what it built again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    versie: int
    nieuw: int
    hash: str | None = None
    gebeurtenissen: tuple[Gebeurtenis, ...] | None = None
    sleutels: tuple[str | None, ...] = ()
    eigen: bool = True


class EventStoreActivities:
    def __init__(self, store: EventStore, storingspunt: Storingspunt | None = None, ondertekenaar: Ondertekenaar | None = None) -> None:
        self.store = store
        self.storingspunt = storingspunt
        # The worker's own key: every event it appends is signed, so a database login alone cannot forge
        # one; and an event found in place is believed only when a trusted worker key signed it.
        self.ondertekenaar = ondertekenaar

    @activity.defn(name="voeg_toe")
    def voeg_toe(self, invoer: Toevoegen) -> Toegevoegd:
        """Idempotent: a retry after a lost reply finds its events stored and stores nothing new."""
        with structlog.contextvars.bound_contextvars(casus_id=invoer.casus_id):
            try:
                toevoeging = self.store.append(
                    invoer.casus_id, invoer.verwacht, invoer.gebeurtenissen, invoer.vorige_hash, invoer.sleutel, self.ondertekenaar
                )
            except NietOndertekendError as e:
                # Chain-valid, but no trusted worker signed it: written past the worker, not believed.
                log.error("stream conflict: an event in place is not signed by a trusted worker key", fout=str(e))
                raise ApplicationError(str(e), type=CONFLICT, non_retryable=True) from e
            except StreamConflictError as e:
                log.error("stream conflict", fout=str(e))
                raise ApplicationError(str(e), type=CONFLICT, non_retryable=True) from e
            if self.storingspunt is not None and toevoeging.nieuw:
                self.storingspunt.bereikt("na-append", invoer.sleutel)
            activity.metric_meter().create_counter("casus_gebeurtenissen_toegevoegd_total", "events newly stored in the event store").add(
                toevoeging.nieuw
            )
            log.info(
                "events appended",
                versie=toevoeging.versie,
                nieuw=toevoeging.nieuw,
                eigen=toevoeging.eigen,
                sleutel=invoer.sleutel,
                poging=activity.info().attempt,
            )
        return Toegevoegd(
            versie=toevoeging.versie,
            nieuw=toevoeging.nieuw,
            hash=toevoeging.hash,
            gebeurtenissen=toevoeging.gebeurtenissen,
            sleutels=toevoeging.sleutels,
            eigen=toevoeging.eigen,
        )
