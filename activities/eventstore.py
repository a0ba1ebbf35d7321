"""The append activity: the workflow's only way to record a fact."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.gebeurtenissen import Gebeurtenis
from eventstore.store import EventStore, StreamConflictError

CONFLICT = "StreamConflict"


class Toevoegen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    casus_id: str
    verwacht: int
    gebeurtenissen: tuple[Gebeurtenis, ...]


class Toegevoegd(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    versie: int


class EventStoreActivities:
    def __init__(self, store: EventStore) -> None:
        self.store = store

    @activity.defn(name="voeg_toe")
    def voeg_toe(self, invoer: Toevoegen) -> Toegevoegd:
        """Idempotent: a retry after a lost reply finds its events stored and stores nothing new."""
        try:
            versie = self.store.append(invoer.casus_id, invoer.verwacht, invoer.gebeurtenissen)
        except StreamConflictError as e:
            raise ApplicationError(str(e), type=CONFLICT, non_retryable=True) from e
        activity.logger.info("appended", extra={"casus_id": invoer.casus_id, "versie": versie})
        return Toegevoegd(versie=versie)
