"""The event store: one stream per casus, appended idempotently, read back as domain events."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from itertools import takewhile
from typing import Any, NamedTuple, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, IntegrityError, StoredEvent, TrackingRecorder
from eventsourcing.utils import Environment
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from domain.casus_id import GEEN_CASUS_ID, getoond
from domain.casus_id import canoniek as casus_id_canoniek
from domain.gebeurtenissen import GEBEURTENIS, Gebeurtenis, MeldingOntvangen
from eventstore.infrastructure import factory
from eventstore.keten import BEGIN, Afwijking, Envelop, Ondertekenaar, Ondertekening, controleer, schakel, uitpakken, verpak
from eventstore.opnieuw import opnieuw
from eventstore.postgres_recorder import CasusPostgresRecorder
from eventstore.ruwe_log import RuweLog
from runtime.settings import Settings

ONDERTEKEND = b'"ondertekening":'
"""In a stored row's bytes only where the worker signed it (inside the envelope the event's JSON is a string)."""


class StreamConflictError(Exception):
    """The stream holds other events at the positions an append expected to fill."""


class NietOndertekendError(StreamConflictError):
    """An event found in place carries no valid signature by a trusted worker key, though it must."""


@runtime_checkable
class Keurder(Protocol):
    """A worker key that also judges the signature of an event it finds in its place
    (eventstore/ondertekening.py `Ondertekenaar`): why it is not by a trusted worker key, or None."""

    def bezwaar(self, hash: str, ondertekening: Ondertekening) -> str | None: ...


class InvalidCasusIdError(ValueError):
    pass


def stream_id(casus_id: str) -> UUID:
    try:
        return UUID(casus_id)
    except ValueError:
        raise InvalidCasusIdError(f"{getoond(casus_id)} {GEEN_CASUS_ID}") from None


def canoniek(casus_id: str) -> str:
    """The one form of a casus id (domain/casus_id.py) of any spelling; InvalidCasusIdError for a value that is none."""
    if (gevonden := casus_id_canoniek(casus_id)) is None:
        raise InvalidCasusIdError(f"{getoond(casus_id)} {GEEN_CASUS_ID}")
    return gevonden


def encode(e: Gebeurtenis) -> tuple[str, bytes]:
    return e.type, e.model_dump_json().encode()


def decode(state: bytes) -> Gebeurtenis:
    return GEBEURTENIS.validate_json(state)


def misplaatst(casus_id: str, versie: int, e: Gebeurtenis) -> str | None:
    """What makes an event out of place in its stream, or None: a stream begins with its own
    melding, and has only that one."""
    if versie == 1 and not (isinstance(e, MeldingOntvangen) and e.casus_id == str(stream_id(casus_id))):
        return "version 1 of a stream is the melding of that casus"
    if versie > 1 and type(e) is MeldingOntvangen:  # by type (domain/gebeurtenissen.py): it runs for every event read
        return "a stream has one melding, at version 1"
    return None


def lees(state: bytes) -> Gebeurtenis:
    """A stored event from its chain envelope."""
    return decode(uitpakken(state).gebeurtenis.encode())


@dataclass(frozen=True)
class Toevoeging:
    """The stream's version after an append, and how many events it newly stored (0 on a retry).

    `gebeurtenissen` is set when the stream already held events at the positions the append meant
    to fill: then they are the events as stored, which the caller must evolve from instead of what
    it built (a retried decision builds other `vastgelegd` moments). `eigen` says whether they are
    this decision's own (its key found) or another decision's, to catch up on before deciding again;
    `sleutels` gives each stored event's decision key."""

    versie: int
    nieuw: int
    hash: str = ""
    gebeurtenissen: tuple[Gebeurtenis, ...] | None = None
    sleutels: tuple[str | None, ...] = ()
    eigen: bool = True


class Opgeslagen(NamedTuple):
    """A stored event with its place in the casus stream and in the global log. A named tuple: one
    is made for every event a rebuild reads, in about half a frozen dataclass's time."""

    positie: int
    versie: int
    casus_id: str
    gebeurtenis: Gebeurtenis


class EventStore(RuweLog):
    def __init__(self, infrastructure: InfrastructureFactory[TrackingRecorder]) -> None:
        self.infrastructure = infrastructure
        self.recorder: ApplicationRecorder = infrastructure.application_recorder()
        # The global position of the log's first signed event, once found (the log is append-only).
        self._eerste_ondertekend: int | None = None

    @classmethod
    def open(cls, settings: Settings) -> EventStore:
        return cls(factory(settings))

    def close(self) -> None:
        self.infrastructure.close()

    def opnieuw_geopend(self) -> EventStore:
        """The same store with connections of its own (for a forked process, which may not use its
        parent's), reading only: it creates no table (side by side, PostgreSQL's catalog would refuse
        the second of two at once)."""
        env = self.infrastructure.env
        return EventStore(InfrastructureFactory.construct(Environment(env.name, {**env, "CREATE_TABLE": "no"})))

    def append(
        self,
        casus_id: str,
        verwacht: int,
        gebeurtenissen: Sequence[Gebeurtenis],
        vorige_hash: str | None = None,
        sleutel: str | None = None,
        ondertekenaar: Ondertekenaar | None = None,
    ) -> Toevoeging:
        """Appends after version `verwacht`; an append already done is recognised, not repeated.
        `vorige_hash`, the hash the previous append returned, saves reading it back. `sleutel`
        names the decision (the same on every retry of it) and is stored with its events; the
        worker's `ondertekenaar` signs each (eventstore/ondertekening.py), and, when it is a `Keurder`
        (the worker's key always is), events found in place are believed only when signed by a
        trusted worker key or stored before the log's first signed event (`_ondertekend`)."""
        sid = stream_id(casus_id)
        if not gebeurtenissen:
            return Toevoeging(versie=verwacht, nieuw=0)
        # PostgreSQL's append function refuses a gap itself; on SQLite the previous event is read.
        if vorige_hash and verwacht and isinstance(self.recorder, CasusPostgresRecorder):
            vorige = vorige_hash
        else:
            vorige = opnieuw(partial(self._laatste_hash, sid, verwacht), wat="append")
        stored, stream = [], str(sid)
        for versie, e in enumerate(gebeurtenissen, start=verwacht + 1):
            state, vorige = verpak(vorige, stream, versie, e.type, e.model_dump_json(), sleutel, ondertekenaar)
            stored.append(StoredEvent(originator_id=sid, originator_version=versie, topic=e.type, state=state))
        try:
            # A lost connection or a busy SQLite file is tried again; an insert that committed before
            # its connection was lost meets its own rows on the retry and is recognised below.
            opnieuw(partial(self.recorder.insert_events, stored), wat="append")
        except IntegrityError:
            keurder = ondertekenaar if isinstance(ondertekenaar, Keurder) else None
            return self._al_opgeslagen(casus_id, verwacht, stored, sleutel, keurder)
        return Toevoeging(versie=verwacht + len(stored), nieuw=len(stored), hash=vorige)

    def _al_opgeslagen(
        self, casus_id: str, verwacht: int, stored: Sequence[StoredEvent], sleutel: str | None, keurder: Keurder | None = None
    ) -> Toevoeging:
        """The stream holds events after `verwacht` already: this decision's own (its key, or the
        very bytes), or another decision's that the caller has not seen. Only events that verify
        are believed: a row that does not decode, does not match its hash, does not follow its
        predecessor or does not belong in its stream is a conflict, never state to evolve from;
        with a `keurder` (the worker's key) so is one a database login could have written without
        the key: unsigned after signing began, or not signed by a trusted worker key."""
        aanwezig = opnieuw(partial(self.recorder.select_events, stream_id(casus_id), gt=verwacht), wat="append")
        enveloppen = self._geverifieerd(casus_id, verwacht, aanwezig)
        if keurder is not None:
            self._ondertekend(casus_id, aanwezig, enveloppen, keurder)
        if sleutel is not None and enveloppen and enveloppen[0].sleutel == sleutel:
            eigen = len(list(takewhile(lambda x: x.sleutel == sleutel, enveloppen)))
            return self._toevoeging(verwacht, aanwezig[:eigen], enveloppen[:eigen], eigen=True)
        if [(s.topic, s.state) for s in aanwezig[: len(stored)]] == [(s.topic, s.state) for s in stored]:
            return Toevoeging(versie=verwacht + len(stored), nieuw=0, hash=enveloppen[len(stored) - 1].hash)
        if sleutel is None or not aanwezig:
            raise StreamConflictError(f"casus {casus_id}: versions {verwacht + 1}..{verwacht + len(stored)} hold other events")
        return self._toevoeging(verwacht, aanwezig, enveloppen, eigen=False)

    def controleer_ondertekend(self, casus_id: str, keurder: Keurder) -> None:
        """The whole stream by the rule the worker believes found events by (`_ondertekend`): for
        `casus herstel`, which must not start a workflow from events no trusted worker appended.
        Raises `StreamConflictError` (`NietOndertekendError` for a signature)."""
        aanwezig = opnieuw(partial(self.recorder.select_events, stream_id(casus_id)), wat="read the casus")
        if aanwezig:
            self._ondertekend(casus_id, aanwezig, self._geverifieerd(casus_id, 0, aanwezig), keurder)

    def _geverifieerd(self, casus_id: str, verwacht: int, aanwezig: Sequence[StoredEvent]) -> list[Envelop]:
        vorige = self._laatste_hash(stream_id(casus_id), verwacht)
        enveloppen: list[Envelop] = []
        for s in aanwezig:
            plaats = f"casus {casus_id} version {s.originator_version}"
            try:
                e = uitpakken(s.state)
                gebeurtenis = decode(e.gebeurtenis.encode())
            except (ValueError, KeyError, TypeError):
                raise StreamConflictError(f"{plaats}: the stored event does not decode; nothing is built on it") from None
            eigen = schakel(e.vorige, str(stream_id(casus_id)), s.originator_version, s.topic, e.gebeurtenis, e.sleutel)
            fout = misplaatst(casus_id, s.originator_version, gebeurtenis)
            if eigen != e.hash or e.vorige != vorige or s.originator_version != verwacht + len(enveloppen) + 1 or fout:
                raise StreamConflictError(f"{plaats}: the stored event does not verify ({fout or 'hash or chain'}); nothing is built on it")
            vorige = e.hash
            enveloppen.append(e)
        return enveloppen

    def _ondertekend(self, casus_id: str, aanwezig: Sequence[StoredEvent], enveloppen: Sequence[Envelop], keurder: Keurder) -> None:
        """Each found event signed by a trusted worker key, or unsigned but stored before the log's
        first signed event (from before workers signed): the rule `casus verifieer` reports by, so
        the workflow never builds on what `verifieer` calls forged. Raises `NietOndertekendError`."""
        posities: dict[int, int] | None = None
        for s, e in zip(aanwezig, enveloppen, strict=True):
            plaats = f"casus {casus_id} version {s.originator_version}"
            if e.ondertekening is not None:
                if fout := keurder.bezwaar(e.hash, e.ondertekening):
                    raise NietOndertekendError(f"{plaats}: {fout}; nothing is built on it")
                continue
            if (eerste := self.eerste_ondertekend()) is None:
                continue  # nothing in the log is signed yet: from before workers signed
            if posities is None:
                posities = opnieuw(partial(self._posities, stream_id(casus_id), aanwezig[0].originator_version - 1), wat="append")
            positie = posities.get(s.originator_version)
            if positie is None or positie > eerste:
                raise NietOndertekendError(
                    f"{plaats}: unsigned, though stored after the log's first signed event (position {eerste}): no worker "
                    "appended it; nothing is built on it"
                )

    def eerste_ondertekend(self) -> int | None:
        """The global position of the log's first event a worker signed; None: none is (yet)."""
        if self._eerste_ondertekend is None:
            rijen = opnieuw(
                partial(self._lees, "SELECT {positie} FROM {tabel} WHERE {bevat} > 0 ORDER BY {positie} LIMIT 1", ONDERTEKEND),
                wat="append",
            )
            self._eerste_ondertekend = int(rijen[0][0]) if rijen else None
        return self._eerste_ondertekend

    def _posities(self, sid: UUID, na: int) -> dict[int, int]:
        """Version → global position of a stream's events after version `na`."""
        stream = sid if isinstance(self.recorder, CasusPostgresRecorder) else sid.hex
        vraag = "SELECT originator_version, {positie} FROM {tabel} WHERE originator_id = %s AND originator_version > %s"
        return {int(v): int(p) for v, p in self._lees(vraag, stream, na)}

    def _lees(self, vraag: str, *parameters: object) -> list[tuple[Any, ...]]:
        """A read of the event table in either dialect: in `vraag`, {tabel} is the table, {positie}
        a row's global position, {bevat} where the row's bytes hold the first parameter, %s a parameter."""
        if isinstance(self.recorder, CasusPostgresRecorder):
            tabel = Identifier(self.recorder.datastore.schema, self.recorder.events_table_name)
            sql = SQL(vraag).format(tabel=tabel, positie=SQL("notification_id"), bevat=SQL("position(%s::bytea in state)"))
            with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
                curs.execute(sql, parameters)
                return curs.fetchall()
        tabel_naam = getattr(self.recorder, "events_table_name", "stored_events")
        with self.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(vraag.format(tabel=tabel_naam, positie="rowid", bevat="instr(state, %s)").replace("%s", "?"), parameters)
            return [tuple(r) for r in c.fetchall()]

    @staticmethod
    def _toevoeging(verwacht: int, aanwezig: Sequence[StoredEvent], enveloppen: Sequence[Envelop], eigen: bool) -> Toevoeging:
        return Toevoeging(
            versie=verwacht + len(aanwezig),
            nieuw=0,
            hash=enveloppen[-1].hash,
            gebeurtenissen=tuple(decode(x.gebeurtenis.encode()) for x in enveloppen),
            sleutels=tuple(x.sleutel for x in enveloppen),
            eigen=eigen,
        )

    def _laatste_hash(self, sid: UUID, verwacht: int) -> str:
        if verwacht == 0:
            return BEGIN
        laatste = self.recorder.select_events(sid, lte=verwacht, desc=True, limit=1)
        if not laatste or laatste[0].originator_version != verwacht:
            raise StreamConflictError(f"casus {sid}: an append after version {verwacht} finds no event {verwacht}")
        return uitpakken(laatste[0].state).hash

    def read(self, casus_id: str) -> list[Gebeurtenis]:
        return [lees(s.state) for s in self.recorder.select_events(stream_id(casus_id))]

    def read_met_sleutels(self, casus_id: str) -> list[tuple[Gebeurtenis, str | None]]:
        """The stream with each event's decision key (None for events stored before keys were)."""
        enveloppen = [uitpakken(s.state) for s in self.recorder.select_events(stream_id(casus_id))]
        return [(decode(x.gebeurtenis.encode()), x.sleutel) for x in enveloppen]

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
        """Every casus stream, in order of its first event (read from the log, not a read model).
        Rows written past the application under an id that is no casus id are left out here; the
        projection runner quarantines them and `casus verifieer` reports them."""
        gezien: dict[str, None] = {}
        positie = 0
        while rijen := self.log_ruw(positie, 5000):
            for _, sid, _, _, _ in rijen:
                with suppress(InvalidCasusIdError):
                    gezien.setdefault(str(stream_id(sid)), None)
            positie = rijen[-1][0]
        return list(gezien)

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0
