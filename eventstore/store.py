"""The event store: one stream per casus, appended idempotently, read back as domain events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, IntegrityError, StoredEvent, TrackingRecorder

from domain.gebeurtenissen import GEBEURTENIS, Gebeurtenis
from eventstore.infrastructure import factory
from runtime.settings import Settings


class StreamConflictError(Exception):
    """The stream holds other events at the positions an append expected to fill."""


class InvalidCasusIdError(ValueError):
    pass


def stream_id(casus_id: str) -> UUID:
    try:
        return UUID(casus_id)
    except ValueError:
        raise InvalidCasusIdError(f"'{casus_id}' is not a casus id (a UUID such as 3f2b…-…)") from None


def encode(e: Gebeurtenis) -> tuple[str, bytes]:
    return e.type, e.model_dump_json().encode()


def decode(state: bytes) -> Gebeurtenis:
    return GEBEURTENIS.validate_json(state)


@dataclass(frozen=True)
class Toevoeging:
    """The stream's version after an append, and how many events it newly stored (0 on a retry)."""

    versie: int
    nieuw: int


@dataclass(frozen=True)
class Opgeslagen:
    """A stored event with its place in the casus stream and in the global log."""

    positie: int
    versie: int
    casus_id: str
    gebeurtenis: Gebeurtenis


class EventStore:
    def __init__(self, infrastructure: InfrastructureFactory[TrackingRecorder]) -> None:
        self.infrastructure = infrastructure
        self.recorder: ApplicationRecorder = infrastructure.application_recorder()

    @classmethod
    def open(cls, settings: Settings) -> EventStore:
        return cls(factory(settings))

    def close(self) -> None:
        self.infrastructure.close()

    def append(self, casus_id: str, verwacht: int, gebeurtenissen: Sequence[Gebeurtenis]) -> Toevoeging:
        """Appends after version `verwacht`; an append already done is recognised, not repeated."""
        sid = stream_id(casus_id)
        stored = [
            StoredEvent(originator_id=sid, originator_version=verwacht + i, topic=topic, state=state)
            for i, (topic, state) in enumerate(map(encode, gebeurtenissen), start=1)
        ]
        if not stored:
            return Toevoeging(versie=verwacht, nieuw=0)
        try:
            self.recorder.insert_events(stored)
        except IntegrityError:
            aanwezig = self.recorder.select_events(sid, gt=verwacht, lte=verwacht + len(stored))
            if [(s.topic, s.state) for s in aanwezig] != [(s.topic, s.state) for s in stored]:
                raise StreamConflictError(
                    f"casus {casus_id}: versions {verwacht + 1}..{verwacht + len(stored)} hold other events"
                ) from None
            return Toevoeging(versie=verwacht + len(stored), nieuw=0)
        return Toevoeging(versie=verwacht + len(stored), nieuw=len(stored))

    def read(self, casus_id: str) -> list[Gebeurtenis]:
        return [decode(s.state) for s in self.recorder.select_events(stream_id(casus_id))]

    def version(self, casus_id: str) -> int:
        laatste = self.recorder.select_events(stream_id(casus_id), desc=True, limit=1)
        return laatste[0].originator_version if laatste else 0

    def log(self, na: int, limit: int = 500) -> list[Opgeslagen]:
        """The global log after position `na`, in order (what projections follow)."""
        return [
            Opgeslagen(positie=n.id, versie=n.originator_version, casus_id=str(n.originator_id), gebeurtenis=decode(n.state))
            for n in self.recorder.select_notifications(start=na, limit=limit, inclusive_of_start=False)
        ]

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0
