"""An audit bundle for one casus: its events with their chain, each with an inclusion proof
against the latest signed checkpoint, the signed head and the public key, and each event's worker
signature with the trusted worker public keys that made them (when there are); what
`python -m casus_verify FILE` checks without our database (see casus_verify for the format).

Finding a leaf's index reads every signed leaf: acceptable for now (an index from casus to leaf
indices in the checkpoint log would make it proportional to the casus)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eventstore.controlepunt import ControlepuntSettings, publieke_sleutel
from eventstore.controlepuntlog import Blad, ControlepuntLog, handtekening_klopt, ruwe_sleutel
from eventstore.keten import schakel, uitpakken
from eventstore.merkle import Boom, insluitbewijs
from eventstore.store import EventStore, stream_id

FORMAAT = "casus-bundel/1"


class BundelError(Exception):
    """No bundle can be written: no checkpoint yet, or the store no longer holds what was signed."""


@dataclass(frozen=True)
class BundelVerslag:
    gebeurtenissen: int
    niet_gedekt: int
    """Events of the casus appended after the latest checkpoint: not in the bundle yet."""


def schrijf_bundel(
    store: EventStore, instellingen: ControlepuntSettings, casus_id: str, pad: Path, werkers: dict[str, Ed25519PublicKey] | None = None
) -> BundelVerslag:
    """`werkers`: the trusted worker public keys by fingerprint; those that signed an event of the
    casus go into the bundle, so an outsider checks each signature (against published fingerprints)."""
    casus_id = str(stream_id(casus_id))
    publiek = publieke_sleutel(instellingen)
    log = ControlepuntLog(instellingen.map)
    punten = log.lees()
    if not punten:
        raise BundelError("there is no signed checkpoint yet: run the checkpointer first")
    laatste = punten[-1]
    if not handtekening_klopt(publiek, laatste):
        raise BundelError(f"the latest checkpoint ({laatste.kop.tijd}) is not signed by the checkpoint key")
    boom, eigen = Boom(), list[tuple[int, Blad]]()
    for punt in punten:
        for blad in log.bladeren_van(punt):
            if blad.casus_id == casus_id:
                eigen.append((boom.grootte, blad))
            boom.voeg_toe(blad.blad_hash())
    if boom.grootte != laatste.kop.grootte or boom.wortel().hex() != laatste.kop.wortel:
        raise BundelError("the checkpoint log's leaves do not give its signed root")
    opgeslagen = {s.originator_version: s for s in store.recorder.select_events(stream_id(casus_id))}
    regels = [_regel(casus_id, index, blad, opgeslagen.get(blad.versie), boom, laatste.kop.grootte) for index, blad in eigen]
    bundel = {
        "formaat": FORMAAT,
        "casus_id": casus_id,
        "publieke_sleutel": ruwe_sleutel(publiek).hex(),
        "kop": laatste.kop.als_dict(),
        "handtekening": laatste.handtekening,
        "gebeurtenissen": regels,
    }
    getekend = {r["ondertekening"]["sleutel"] for r in regels if "ondertekening" in r}
    if werkers and getekend & werkers.keys():
        bundel["worker_sleutels"] = {v: ruwe_sleutel(werkers[v]).hex() for v in sorted(getekend & werkers.keys())}
    pad.write_text(json.dumps(bundel, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return BundelVerslag(
        gebeurtenissen=len(regels), niet_gedekt=sum(1 for v in opgeslagen if v > max((b.versie for _, b in eigen), default=0))
    )


def _regel(casus_id: str, index: int, blad: Blad, opgeslagen: Any, boom: Boom, grootte: int) -> dict[str, Any]:
    if opgeslagen is None:
        raise BundelError(f"casus {casus_id} version {blad.versie} at position {blad.positie}: signed, but gone from the store")
    envelop = uitpakken(opgeslagen.state)
    eigen = schakel(envelop.vorige, casus_id, blad.versie, opgeslagen.topic, envelop.gebeurtenis, envelop.sleutel)
    if envelop.hash != blad.hash or eigen != blad.hash:
        raise BundelError(f"casus {casus_id} version {blad.versie} at position {blad.positie}: the stored event is not the signed one")
    return {
        "positie": blad.positie,
        "versie": blad.versie,
        "topic": opgeslagen.topic,
        "vorige": envelop.vorige,
        "hash": envelop.hash,
        **({} if envelop.sleutel is None else {"sleutel": envelop.sleutel}),
        "gebeurtenis": envelop.gebeurtenis,
        **({} if (o := envelop.ondertekening) is None else {"ondertekening": {"sleutel": o.sleutel, "handtekening": o.handtekening}}),
        "index": index,
        "bewijs": [p.hex() for p in insluitbewijs(index, grootte, boom.knoop)],
    }
