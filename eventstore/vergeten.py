"""Forgetting a household is itself a fact of record (Wmo 2015 art. 5.3.5): `HuishoudenVergeten` is
appended to every casus stream of the household, so each casus's audit shows who had its personal
data destroyed, when and why, under the same hash chain and checkpoints as every other fact.

The append runs outside the casus workflow, under the key `vergeet:<huishouden>:<generatie>`, the
same on every retry: a stream that holds the key already is left alone. A workflow whose next
decision meets this event in its place catches up on it (another decision's key, `eigen` False in
`EventStore.append`) and decides again, so the two writers never fork a stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.gebeurtenissen import HuishoudenVergeten, MeldingOntvangen
from domain.partijen import Actor
from eventstore.keten import Ondertekenaar
from eventstore.store import EventStore, InvalidCasusIdError, Keurder, StreamConflictError, lees, stream_id

REGEL = "Wmo 2015 art. 5.3.5"
RONDES = 5
"""How often an append that meets the workflow's newer events reads the stream again."""


def sleutel(huishouden: str, generatie: int) -> str:
    return f"vergeet:{huishouden}:{generatie}"


@dataclass
class Vastgelegd:
    """Per casus of the household: newly recorded, found recorded already (a retry), or refused."""

    nieuw: list[str] = field(default_factory=list)
    al: list[str] = field(default_factory=list)
    mislukt: dict[str, str] = field(default_factory=dict)


def casussen_van(store: EventStore, huishouden: str) -> list[str]:
    """Every casus of the household, read from the log itself (the record of truth, not a read
    model that may lag or have been altered). Only each stream's first event is decoded."""
    gevonden: list[str] = []
    positie = 0
    while rijen := store.log_ruw(positie, 5000):
        for _, sid, versie, _, state in rijen:
            if versie != 1:
                continue
            try:
                e = lees(state)
                stream_id(sid)
            except (ValueError, KeyError, TypeError):
                continue  # set aside by the projection runner and reported by `casus verifieer`
            if isinstance(e, MeldingOntvangen) and e.huishouden == huishouden and e.casus_id == str(stream_id(sid)):
                gevonden.append(e.casus_id)
        positie = rijen[-1][0]
    return gevonden


def leg_vast(
    store: EventStore, huishouden: str, generatie: int, reden: str, actor: Actor, nu: datetime | None = None,
    ondertekenaar: Ondertekenaar | None = None,
) -> Vastgelegd:  # fmt: skip
    """Appends the erasure to each casus of the household, idempotently; signed by `ondertekenaar`
    (the worker's key, eventstore/ondertekening.py) when the command holds it."""
    moment = (nu or datetime.now(UTC)).replace(microsecond=0)
    e = HuishoudenVergeten(op=moment, vastgelegd=moment, actor=actor, regel=REGEL, huishouden=huishouden, generatie=generatie, reden=reden)
    uitslag = Vastgelegd()
    for casus_id in casussen_van(store, huishouden):
        try:
            if _voeg_toe(store, casus_id, e, sleutel(huishouden, generatie), ondertekenaar):
                uitslag.nieuw.append(casus_id)
            else:
                uitslag.al.append(casus_id)
        except (StreamConflictError, InvalidCasusIdError) as fout:
            uitslag.mislukt[casus_id] = str(fout)
    return uitslag


def _voeg_toe(store: EventStore, casus_id: str, e: HuishoudenVergeten, besluit: str, ondertekenaar: Ondertekenaar | None) -> bool:
    if isinstance(ondertekenaar, Keurder):
        # An erasure found recorded is believed only if a worker appended it (and everything before it).
        store.controleer_ondertekend(casus_id, ondertekenaar)
    for _ in range(RONDES):
        stroom = store.read_met_sleutels(casus_id)
        if any(s == besluit for _, s in stroom):
            return False
        toevoeging = store.append(casus_id, len(stroom), [e], sleutel=besluit, ondertekenaar=ondertekenaar)
        if toevoeging.nieuw:
            return True
        if toevoeging.eigen:
            return False  # another run of the same erasure stored it a moment ago
    raise StreamConflictError(f"casus {casus_id}: the stream kept moving; run the erasure again to record it")
