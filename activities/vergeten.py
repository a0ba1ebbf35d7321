"""Recording a household's erasure in each of its casussen: the worker's activity, so the append is
made, and signed, on the side that holds the append right and the worker's key (the API that
destroyed the key holds neither)."""

from __future__ import annotations

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio import activity

from domain.partijen import Actor
from eventstore.keten import Ondertekenaar
from eventstore.store import EventStore
from eventstore.vergeten import leg_vast

log = structlog.get_logger()


class VergetenVastleggen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    huishouden: str
    generatie: int
    reden: str
    actor: Actor


class VergetenVastgelegd(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    nieuw: list[str]
    al: list[str]
    mislukt: dict[str, str]


class VergetenActivities:
    def __init__(self, store: EventStore, ondertekenaar: Ondertekenaar | None = None) -> None:
        self.store = store
        self.ondertekenaar = ondertekenaar

    @activity.defn(name="vergeten_vastleggen")
    def vergeten_vastleggen(self, invoer: VergetenVastleggen) -> VergetenVastgelegd:
        """Idempotent under the erasure's key (eventstore/vergeten.py): a retry records nothing twice."""
        uitslag = leg_vast(self.store, invoer.huishouden, invoer.generatie, invoer.reden, invoer.actor, ondertekenaar=self.ondertekenaar)
        log.info("erasure recorded", huishouden=invoer.huishouden, generatie=invoer.generatie, nieuw=len(uitslag.nieuw),
                 al=len(uitslag.al), mislukt=len(uitslag.mislukt))  # fmt: skip
        return VergetenVastgelegd(nieuw=uitslag.nieuw, al=uitslag.al, mislukt=uitslag.mislukt)
