"""The event store: one stream per casus, appended idempotently, read back as domain events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, IntegrityError, StoredEvent, TrackingRecorder

from domain.gebeurtenissen import GEBEURTENIS, Gebeurtenis
from eventstore.infrastructure import factory
from eventstore.keten import BEGIN, Afwijking, controleer, uitpakken, verpak
from eventstore.postgres_recorder import CasusPostgresRecorder
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


def lees(state: bytes) -> Gebeurtenis:
    """A stored event from its chain envelope."""
    return decode(uitpakken(state).gebeurtenis.encode())


@dataclass(frozen=True)
class Toevoeging:
    """The stream's version after an append, and how many events it newly stored (0 on a retry)."""

    versie: int
    nieuw: int
    hash: str = ""


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

    def append(self, casus_id: str, verwacht: int, gebeurtenissen: Sequence[Gebeurtenis], vorige_hash: str | None = None) -> Toevoeging:
        """Appends after version `verwacht`; an append already done is recognised, not repeated.
        `vorige_hash`, the hash the previous append returned, saves reading it back."""
        sid = stream_id(casus_id)
        if not gebeurtenissen:
            return Toevoeging(versie=verwacht, nieuw=0)
        vorige = vorige_hash if vorige_hash and verwacht else self._laatste_hash(sid, verwacht)
        stored, sleutel = [], str(sid)
        for versie, e in enumerate(gebeurtenissen, start=verwacht + 1):
            state, vorige = verpak(vorige, sleutel, versie, e.type, e.model_dump_json())
            stored.append(StoredEvent(originator_id=sid, originator_version=versie, topic=e.type, state=state))
        try:
            self.recorder.insert_events(stored)
        except IntegrityError:
            aanwezig = self.recorder.select_events(sid, gt=verwacht, lte=verwacht + len(stored))
            if [(s.topic, s.state) for s in aanwezig] != [(s.topic, s.state) for s in stored]:
                raise StreamConflictError(
                    f"casus {casus_id}: versions {verwacht + 1}..{verwacht + len(stored)} hold other events"
                ) from None
            return Toevoeging(versie=verwacht + len(stored), nieuw=0, hash=vorige)
        return Toevoeging(versie=verwacht + len(stored), nieuw=len(stored), hash=vorige)

    def _laatste_hash(self, sid: UUID, verwacht: int) -> str:
        if verwacht == 0:
            return BEGIN
        laatste = self.recorder.select_events(sid, lte=verwacht, desc=True, limit=1)
        if not laatste or laatste[0].originator_version != verwacht:
            raise StreamConflictError(f"casus {sid}: an append after version {verwacht} finds no event {verwacht}")
        return uitpakken(laatste[0].state).hash

    def read(self, casus_id: str) -> list[Gebeurtenis]:
        return [lees(s.state) for s in self.recorder.select_events(stream_id(casus_id))]

    def verify(self, casus_id: str) -> list[Afwijking]:
        return controleer(str(stream_id(casus_id)), self.recorder.select_events(stream_id(casus_id)))

    def version(self, casus_id: str) -> int:
        laatste = self.recorder.select_events(stream_id(casus_id), desc=True, limit=1)
        return laatste[0].originator_version if laatste else 0

    def log(self, na: int, limit: int = 500) -> list[Opgeslagen]:
        """The global log after position `na`, in order (what projections follow)."""
        if isinstance(self.recorder, CasusPostgresRecorder):
            return [
                Opgeslagen(positie=positie, versie=versie, casus_id=str(sid), gebeurtenis=lees(state))
                for positie, sid, versie, state in self.recorder.log_rijen(na, limit)
            ]
        return [
            Opgeslagen(positie=n.id, versie=n.originator_version, casus_id=str(n.originator_id), gebeurtenis=lees(n.state))
            for n in self.recorder.select_notifications(start=na, limit=limit, inclusive_of_start=False)
        ]

    def stream_ids(self) -> list[str]:
        """Every casus stream, in order of its first event (read from the log, not a read model)."""
        gezien: dict[str, None] = {}
        positie = 0
        while notities := self.recorder.select_notifications(start=positie, limit=5000, inclusive_of_start=False):
            for n in notities:
                gezien.setdefault(str(n.originator_id), None)
            positie = notities[-1].id
        return list(gezien)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0
