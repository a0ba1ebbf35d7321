"""The global log read as the leaves of the checkpoint tree, each row checked against its own chain
hash on the way: a leaf binds the stored hash, and the hash binds the content only if it is
recomputed from the row."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from eventstore.controlepuntlog import Blad
from eventstore.keten import BEGIN, schakel, uitpakken
from eventstore.postgres_recorder import CasusPostgresRecorder
from eventstore.store import EventStore, stream_id

PARTIJ = 5000


@dataclass(frozen=True)
class LogBlad:
    blad: Blad
    vorige: str | None
    """The envelope's `vorige` (None when the row is no envelope)."""
    fout: str | None
    """What is wrong with the row by itself: its bytes no longer match its hash, or it is unreadable."""


def _casus(sid: str) -> str:
    try:
        return str(UUID(sid))
    except ValueError:
        return sid


def als_blad(positie: int, sid: str, versie: object, topic: str, state: bytes) -> LogBlad:
    casus_id = _casus(sid)
    nummer = versie if isinstance(versie, int) else int(str(versie))
    try:
        envelop = uitpakken(bytes(state))
    except (ValueError, KeyError, TypeError):
        rauw = "rauw:" + hashlib.sha256(bytes(state)).hexdigest()
        return LogBlad(Blad(positie, casus_id, nummer, rauw), None, "the stored bytes are not an event envelope")
    fout = None
    if schakel(envelop.vorige, casus_id, nummer, topic, envelop.gebeurtenis, envelop.sleutel) != envelop.hash:
        fout = "the event's content, type or position no longer matches its hash"
    return LogBlad(Blad(positie, casus_id, nummer, envelop.hash), envelop.vorige, fout)


def bladeren(store: EventStore, na: int, tot: int | None = None, partij: int = PARTIJ) -> Iterator[LogBlad]:
    """The log after position `na` (up to and including `tot`), in order, as leaves."""
    while rijen := store.log_ruw(na, partij):
        for positie, sid, versie, topic, state in rijen:
            if tot is not None and positie > tot:
                return
            yield als_blad(positie, sid, versie, topic, state)
        na = rijen[-1][0]


def aantal_tot(store: EventStore, positie: int) -> int:
    """How many rows the log holds up to and including `positie`."""
    recorder = store.recorder
    if isinstance(recorder, CasusPostgresRecorder):
        tabel = Identifier(recorder.datastore.schema, recorder.events_table_name)
        vraag = SQL("SELECT count(*) FROM {tabel} WHERE notification_id <= %s").format(tabel=tabel)
        with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(vraag, (positie,))
            rij = curs.fetchone()
            return int(rij[0]) if rij else 0
    tabel_naam = getattr(recorder, "events_table_name", "stored_events")
    with recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        c.execute(f"SELECT count(*) FROM {tabel_naam} WHERE rowid <= ?", (positie,))
        return int(c.fetchone()[0])


def hash_van(store: EventStore, casus_id: str, versie: int) -> str | None:
    """The stored chain hash of one event of a stream (BEGIN before the first), None if it is gone."""
    if versie == 0:
        return BEGIN
    try:
        sid = stream_id(casus_id)
    except ValueError:
        return None
    rijen = store.recorder.select_events(sid, gt=versie - 1, lte=versie)
    if not rijen:
        return None
    try:
        return uitpakken(rijen[0].state).hash
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Bevinding:
    """Something the store or the checkpoint log holds that the signed heads contradict."""

    soort: str
    casus_id: str
    versie: int
    positie: int
    melding: str

    def __str__(self) -> str:
        if not self.casus_id:
            return f"checkpoint log: {self.melding}"
        return f"casus {self.casus_id} version {self.versie} at position {self.positie}: {self.melding}"
