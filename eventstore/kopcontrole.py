"""Every stream against the signed checkpoints: the signed leaves (from the checkpoint log, checked
against every signed root) and the store's rows are walked side by side in position order, so an
event rewritten with a recomputed chain, removed, or slipped into signed history is named by its
casus and position; rows after the latest head must continue what it signed.

Reads the whole log once; memory is one frontier and one entry per casus."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eventstore.controlepuntlog import Blad, Controlepunt, ControlepuntLog, Kop, handtekening_klopt
from eventstore.ketenlog import Bevinding, LogBlad, bladeren
from eventstore.merkle import Grens, verifieer_consistentie
from eventstore.store import EventStore


@dataclass
class Verslag:
    kop: Kop | None
    """The latest signed head (None: no checkpoint yet, nothing could be checked)."""
    bevindingen: list[Bevinding] = field(default_factory=list)
    gecontroleerd: int = 0
    overgeslagen: list[int] = field(default_factory=list)
    """Lines of the checkpoint log that are no checkpoint (a write a crash cut short): unsigned,
    so they can pass for nothing, and are left out."""


def _log(melding: str, positie: int = 0) -> Bevinding:
    return Bevinding("controlepunt", "", 0, positie, melding)


def _geldig(log: ControlepuntLog, punten: list[Controlepunt], verslag: Verslag) -> list[Controlepunt]:
    """The checkpoints whose stored leaves give their signed roots, each extending the one before,
    up to the first that does not (whose leaves cannot be trusted to name anything)."""
    grens, geldig = Grens(), list[Controlepunt]()
    for punt in punten:
        oud = grens.kopie()
        try:
            for blad in log.bladeren_van(punt):
                grens.voeg_toe(blad.blad_hash())
        except (OSError, ValueError, TypeError) as e:
            verslag.bevindingen.append(_log(f"the leaves of the checkpoint of {punt.kop.tijd} cannot be read ({e})"))
            break
        if grens.grootte != punt.kop.grootte or grens.wortel().hex() != punt.kop.wortel:
            verslag.bevindingen.append(_log(f"the stored leaves do not give the signed root of the checkpoint of {punt.kop.tijd}"))
            break
        bewijs = [bytes.fromhex(c) for c in punt.consistentie]
        if geldig and not verifieer_consistentie(oud.grootte, grens.grootte, oud.wortel(), grens.wortel(), bewijs):
            verslag.bevindingen.append(_log(f"the checkpoint of {punt.kop.tijd} does not extend the one before it"))
        geldig.append(punt)
    return geldig


def _getekend(log: ControlepuntLog, punten: list[Controlepunt]) -> Iterator[tuple[Blad, str]]:
    """The signed leaves in order, each with the time of the head that first signed it."""
    for punt in punten:
        for blad in log.bladeren_van(punt):
            yield blad, punt.kop.tijd


def _vergelijk(getekend: Blad, tijd: str, rij: LogBlad | None) -> Bevinding | None:
    plek = (getekend.casus_id, getekend.versie, getekend.positie)
    if rij is None:
        return Bevinding("verdwenen", *plek, f"the event signed in the checkpoint of {tijd} is gone from the store")
    if rij.fout:
        return Bevinding("gewijzigd", *plek, rij.fout)
    if rij.blad != getekend:
        return Bevinding(
            "herschreven",
            *plek,
            f"the stored event is not the one signed in the checkpoint of {tijd} (replaced, or rewritten with its chain recomputed)",
        )
    return None


def controleer_log(store: EventStore, log: ControlepuntLog, publiek: Ed25519PublicKey) -> Verslag:
    punten = log.lees()
    verslag = Verslag(kop=punten[-1].kop if punten else None, overgeslagen=list(log.onleesbaar))
    if not punten:
        return verslag
    for punt in punten:
        if not handtekening_klopt(publiek, punt):
            verslag.bevindingen.append(_log(f"the checkpoint of {punt.kop.tijd} is not signed by the checkpoint key", punt.kop.positie))
    punten = _geldig(log, punten, verslag)
    if not punten:
        return verslag
    tot = punten[-1].kop.positie
    rijen = bladeren(store, 0)
    rij = next(rijen, None)
    staat: dict[str, Blad] = {}
    for getekend, tijd in _getekend(log, punten):
        while rij is not None and rij.blad.positie < getekend.positie:
            verslag.bevindingen.append(_ingevoegd(rij))
            rij = next(rijen, None)
        gelijk = rij if rij is not None and rij.blad.positie == getekend.positie else None
        if (b := _vergelijk(getekend, tijd, gelijk)) is not None:
            verslag.bevindingen.append(b)
        if gelijk is not None:
            rij = next(rijen, None)
        staat[getekend.casus_id] = getekend
        verslag.gecontroleerd += 1
    while rij is not None:
        if rij.blad.positie <= tot:
            verslag.bevindingen.append(_ingevoegd(rij))
        elif (b := _vervolg(rij, staat, punten[-1].kop.tijd)) is not None:
            verslag.bevindingen.append(b)
        staat[rij.blad.casus_id] = rij.blad
        rij = next(rijen, None)
    return verslag


def _ingevoegd(rij: LogBlad) -> Bevinding:
    b = rij.blad
    return Bevinding("ingevoegd", b.casus_id, b.versie, b.positie, "the event sits inside signed history but no checkpoint signed it")


def _vervolg(rij: LogBlad, staat: dict[str, Blad], tijd: str) -> Bevinding | None:
    """A row after the latest head: sound by itself, and continuing what its stream had before."""
    b = rij.blad
    plek = (b.casus_id, b.versie, b.positie)
    if rij.fout:
        return Bevinding("gewijzigd", *plek, rij.fout)
    eerder = staat.get(b.casus_id)
    if eerder is None:
        return None if b.versie == 1 else Bevinding("ontbreekt", *plek, f"versions 1..{b.versie - 1} of this casus were never signed")
    if b.versie <= eerder.versie:
        return Bevinding(
            "vervalst",
            *plek,
            f"added after the checkpoint of {tijd}, but version {eerder.versie} of this casus is at position {eerder.positie}",
        )
    if b.versie != eerder.versie + 1 or rij.vorige != eerder.hash:
        return Bevinding("volgorde", *plek, f"does not follow version {eerder.versie} of this casus at position {eerder.positie}")
    return None
