"""The hash chain of a casus stream: each stored event carries the hash of the one before it and
its own, over its position, its type and its exact stored bytes, so that `casus audit --verify`
can show that nothing was altered, removed or moved."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import pydantic_core
from eventsourcing.persistence import StoredEvent

BEGIN = "0" * 64


@dataclass(frozen=True)
class Ondertekening:
    """The appending worker's Ed25519 signature over the event's chain hash (eventstore/ondertekening.py),
    with the fingerprint of its key: who appended the event, which a database login cannot forge."""

    sleutel: str
    handtekening: str


class Ondertekenaar(Protocol):
    vingerafdruk: str

    def teken(self, hash: str) -> str: ...


class Envelop(NamedTuple):
    """An event's chain envelope as stored. A named tuple: one is unpacked for every event read."""

    vorige: str
    hash: str
    gebeurtenis: str
    # The decision that appended the event (an update's id, a deadline's tick, the melding): the
    # same on every retry of that decision. Outside the hash; envelopes from before it carry none.
    sleutel: str | None = None
    # Over the hash, so outside it; envelopes written before workers signed, or by none, carry none.
    ondertekening: Ondertekening | None = None


@dataclass(frozen=True)
class Afwijking:
    versie: int
    soort: str
    melding: str


def schakel(vorige: str, casus_id: str, versie: int, topic: str, gebeurtenis: str, sleutel: str | None = None) -> str:
    """The event's hash; an event stored with its decision's key has the key under the hash too
    (on a line of its own before the event's JSON, which always begins with `{`)."""
    delen = (vorige, casus_id, str(versie), topic, gebeurtenis) if sleutel is None else (
        vorige, casus_id, str(versie), topic, f"sleutel:{sleutel}", gebeurtenis
    )  # fmt: skip
    inhoud = "\n".join(delen)
    return hashlib.sha256(inhoud.encode()).hexdigest()


def verpak(
    vorige: str, casus_id: str, versie: int, topic: str, gebeurtenis: str, sleutel: str | None = None,
    ondertekenaar: Ondertekenaar | None = None,
) -> tuple[bytes, str]:  # fmt: skip
    """The stored bytes of an event in its envelope, and its hash (the next event's `vorige`)."""
    eigen = schakel(vorige, casus_id, versie, topic, gebeurtenis, sleutel)
    # Byte for byte what json.dumps({"vorige", "hash", ["sleutel",] ["ondertekening",] "gebeurtenis"},
    # separators=(",", ":")) writes, without building and walking a dict: hashes, fingerprints and
    # signatures are hex. Ed25519 is deterministic: a retry writes the very same bytes.
    kop = f'{{"vorige":"{vorige}","hash":"{eigen}",'
    if sleutel is not None:
        kop += f'"sleutel":{json.dumps(sleutel)},'
    if ondertekenaar is not None:
        kop += f'"ondertekening":{{"sleutel":"{ondertekenaar.vingerafdruk}","handtekening":"{ondertekenaar.teken(eigen)}"}},'
    return f'{kop}"gebeurtenis":{json.dumps(gebeurtenis)}}}'.encode(), eigen


def uitpakken(state: bytes | str) -> Envelop:
    # pydantic's JSON parser: a quarter of json.loads's time on an envelope, bytes or text alike.
    # It refuses a lone surrogate escape, which no event written through the application holds.
    data = pydantic_core.from_json(state)
    sleutel = data.get("sleutel")
    return Envelop(
        vorige=data["vorige"],
        hash=data["hash"],
        gebeurtenis=data["gebeurtenis"],
        sleutel=sleutel if isinstance(sleutel, str) else None,
        ondertekening=_ondertekening(data["ondertekening"]) if "ondertekening" in data else None,
    )


def _ondertekening(waarde: object) -> Ondertekening:
    """A malformed signature is kept as an empty one: present, so it is reported, never ignored."""
    if not isinstance(waarde, dict):
        return Ondertekening("", "")
    sleutel, handtekening = waarde.get("sleutel"), waarde.get("handtekening")
    return Ondertekening(sleutel if isinstance(sleutel, str) else "", handtekening if isinstance(handtekening, str) else "")


def controleer(casus_id: str, opgeslagen: Sequence[StoredEvent]) -> list[Afwijking]:
    """Every break in the chain: an event whose bytes no longer match its hash, a version missing,
    or an event that does not follow the one stored before it."""
    afwijkingen: list[Afwijking] = []
    vorige, verwacht = BEGIN, 1
    for s in sorted(opgeslagen, key=lambda x: x.originator_version):
        if s.originator_version != verwacht:
            afwijkingen.append(Afwijking(verwacht, "ontbreekt", f"versions {verwacht}..{s.originator_version - 1} are missing"))
        try:
            envelop = uitpakken(s.state)
        except (ValueError, KeyError, TypeError):
            afwijkingen.append(Afwijking(s.originator_version, "onleesbaar", "the stored bytes are not an event envelope"))
            vorige, verwacht = "", s.originator_version + 1
            continue
        if schakel(envelop.vorige, casus_id, s.originator_version, s.topic, envelop.gebeurtenis, envelop.sleutel) != envelop.hash:
            afwijkingen.append(
                Afwijking(s.originator_version, "gewijzigd", "the event's content, type or position no longer matches its hash")
            )
        elif envelop.vorige != vorige and s.originator_version == verwacht:
            afwijkingen.append(Afwijking(s.originator_version, "volgorde", "the event does not follow the event stored before it"))
        vorige, verwacht = envelop.hash, s.originator_version + 1
    return afwijkingen
