"""Poison events: a row of the event table that does not decode or does not verify (written past
the application by anyone with insert rights) is not believed. It is set aside with its reason in
the read model `quarantaine`, and every later event of its casus is held back there too, so the
read models stop for that casus alone while the events of every other casus keep flowing. A
read model that fails on an event that did verify still stops the runner: that is a bug to fix,
not a row to distrust.

A casus stays in quarantine until its rows are repaired and the read models rebuilt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.persistence import PersistenceError

from domain.gebeurtenissen import Gebeurtenis
from eventstore.keten import BEGIN, schakel, uitpakken
from eventstore.ruwe_log import Rij
from eventstore.store import EventStore, Opgeslagen, decode, misplaatst
from eventstore.views import Sql, ViewStore, tijdstip

TABEL = "quarantaine"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABEL} (positie BIGINT PRIMARY KEY, casus_id TEXT NOT NULL, versie BIGINT,"
    " soort TEXT NOT NULL, reden TEXT NOT NULL, at TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABEL}_casus ON {TABEL} (casus_id)",
)
ACHTERGEHOUDEN = "achtergehouden"
"""The soort of an event that may be sound but follows a poison event of its casus."""


@dataclass(frozen=True)
class Verdacht:
    positie: int
    casus_id: str
    versie: int | None
    soort: str
    reden: str


class OngeldigeRijError(ValueError):
    def __init__(self, soort: str, reden: str) -> None:
        super().__init__(reden)
        self.soort = soort


def _casus_id(ruw: str) -> str:
    try:
        return str(UUID(ruw))
    except ValueError:
        raise OngeldigeRijError("onleesbaar", f"the stream id {ruw[:60]!r} is not a UUID") from None


def _versie(ruw: object) -> int:
    if isinstance(ruw, int) and not isinstance(ruw, bool) and ruw > 0:
        return ruw
    raise OngeldigeRijError("onleesbaar", f"the version {ruw!r} is not a positive whole number")


class Keuring:
    """Checks each row of the log before the read models believe it: its envelope decodes, its hash
    matches its bytes, type and place, it follows the event before it in its casus, and its event
    decodes. Remembers the last hash per casus, so the link costs a lookup only after a restart."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.laatste: dict[str, tuple[int, str]] = {}
        self._ids: dict[str, str] = {}
        self.geblokkeerd: dict[str, int] = {}
        """casus id -> the position of its first poison event; its later events are held back."""

    def laad(self, views: ViewStore) -> None:
        rijen = views.query(f"SELECT casus_id, MIN(positie) AS positie FROM {TABEL} WHERE soort <> %s GROUP BY casus_id", (ACHTERGEHOUDEN,))
        self.geblokkeerd = {r["casus_id"]: int(r["positie"]) for r in rijen}

    def vergeet(self) -> None:
        self._ids.clear()
        self.laatste.clear()
        self.geblokkeerd.clear()

    def keur(self, rijen: Sequence[Rij]) -> tuple[list[Opgeslagen], list[Verdacht]]:
        goed: list[Opgeslagen] = []
        verdacht: list[Verdacht] = []
        for positie, ruw_id, ruwe_versie, topic, state in rijen:
            casus_id = ruw_id
            versie = ruwe_versie if isinstance(ruwe_versie, int) else None
            try:
                casus_id = self._ids.get(ruw_id) or self._ids.setdefault(ruw_id, _casus_id(ruw_id))
                versie = ruwe_versie if type(ruwe_versie) is int and ruwe_versie > 0 else _versie(ruwe_versie)
                blok = self.geblokkeerd.get(casus_id)
                if blok is not None and positie > blok:
                    verdacht.append(Verdacht(positie, casus_id, versie, ACHTERGEHOUDEN, f"casus in quarantine since event {blok}"))
                    continue
                goed.append(Opgeslagen(positie, versie, casus_id, self._geloof(casus_id, versie, topic, state)))
            except OngeldigeRijError as e:
                if casus_id not in self.geblokkeerd or positie < self.geblokkeerd[casus_id]:
                    self.geblokkeerd[casus_id] = positie
                verdacht.append(Verdacht(positie, casus_id, versie, e.soort, str(e)))
        return goed, verdacht

    def _geloof(self, casus_id: str, versie: int, topic: str, state: bytes | str) -> Gebeurtenis:
        try:
            envelop = uitpakken(state if isinstance(state, (bytes, str)) else bytes(state))
            if not (isinstance(envelop.vorige, str) and isinstance(envelop.hash, str) and isinstance(envelop.gebeurtenis, str)):
                raise TypeError("a field of the envelope is not text")
        except (ValueError, KeyError, TypeError) as e:
            raise OngeldigeRijError("onleesbaar", f"the stored bytes are not an event envelope ({type(e).__name__}: {e})"[:300]) from None
        if schakel(envelop.vorige, casus_id, versie, topic, envelop.gebeurtenis, envelop.sleutel) != envelop.hash:
            raise OngeldigeRijError("gewijzigd", "the event's content, type or position does not match its hash")
        vorige = self._vorige_hash(casus_id, versie)
        if vorige is None:
            raise OngeldigeRijError("ontbreekt", f"version {versie - 1}, which this event follows, is not stored")
        if envelop.vorige != vorige:
            raise OngeldigeRijError("volgorde", "the event does not follow the event stored before it")
        try:
            gebeurtenis = decode(envelop.gebeurtenis.encode())
        except ValueError as e:
            raise OngeldigeRijError("ongeldig", f"the event does not decode: {e}"[:300]) from None
        if (fout := misplaatst(casus_id, versie, gebeurtenis)) is not None:
            raise OngeldigeRijError("misplaatst", fout)
        self.laatste[casus_id] = (versie, envelop.hash)
        return gebeurtenis

    def _vorige_hash(self, casus_id: str, versie: int) -> str | None:
        if versie == 1:
            return BEGIN
        bekend = self.laatste.get(casus_id)
        if bekend is not None and bekend[0] == versie - 1:
            return bekend[1]
        eerder = self.store.recorder.select_events(UUID(casus_id), gt=versie - 2, lte=versie - 1)
        if not eerder:
            return None
        try:
            return uitpakken(eerder[0].state).hash
        except (ValueError, KeyError, TypeError):
            return ""  # the event before is unreadable itself: nothing can follow it


def noteer(sql: Sql, verdacht: Sequence[Verdacht]) -> None:
    """Records the set-aside events in the transaction of a batch (again for each read model: the
    first one records, the others find the rows)."""
    nu = tijdstip(datetime.now(UTC))
    sql.executemany(
        f"INSERT INTO {TABEL} (positie, casus_id, versie, soort, reden, at) VALUES (%s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (positie) DO NOTHING",
        [(v.positie, v.casus_id, v.versie, v.soort, v.reden, nu) for v in verdacht],
    )


def in_quarantaine(views: ViewStore, casus_id: str | None = None) -> list[Verdacht]:
    """What the runner set aside (for one casus, or all), in log order; none when the table was
    never made (no runner ran here yet)."""
    try:
        views.query(f"SELECT 1 FROM {TABEL} WHERE 1 = 0")
    except PersistenceError:  # both databases' "no such table", as eventsourcing raises it
        return []
    waar, params = (" WHERE casus_id = %s", (casus_id,)) if casus_id else ("", ())
    rijen = views.query(f"SELECT positie, casus_id, versie, soort, reden FROM {TABEL}{waar} ORDER BY positie", params)
    return [Verdacht(int(r["positie"]), r["casus_id"], r["versie"], r["soort"], r["reden"]) for r in rijen]
