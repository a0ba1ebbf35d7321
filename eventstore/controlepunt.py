"""The checkpointer: anchors the global log outside the database (RFC 9162's signed tree heads).

Each checkpoint extends the Merkle tree of the previous one with the events appended since (its
frontier is stored with it, so only the new events are read), checks that the signed prefix is
still there, signs the new head with an Ed25519 key that no database role holds, and appends it to
the checkpoint log. A prefix that changed gets no signature: the checkpointer refuses and names
what changed. An insider who rewrites a stream with recomputed hashes, drops its tail or replaces
signed events is caught by anyone holding a later head (`controleer_streams`); events appended
after the latest head are covered from the next checkpoint on.

The functions to call: `maak_controlepunt` (the runner, every interval, until `nieuw` is 0),
`controleer_streams` (`casus verifieer`), `maak_sleutel` (once, at setup)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from eventstore.controlepuntlog import Controlepunt, ControlepuntLog, Kop, handtekening_klopt, vingerafdruk
from eventstore.ketenlog import Bevinding, LogBlad, aantal_tot, bladeren, hash_van
from eventstore.kopcontrole import Verslag, controleer_log
from eventstore.merkle import Grens, Uitbreiding, consistentiebewijs, verifieer_consistentie
from eventstore.sleutelbestand import SleutelbestandError, lees_sleutel, schrijf_sleutel
from eventstore.store import EventStore

MAXIMAAL = 100_000
"""Events per checkpoint at most: a first checkpoint over a large log becomes a series of them."""


def _xdg(variabele: str, standaard: str) -> Path:
    return Path(os.environ.get(variabele) or str(Path.home() / standaard)) / "casus"


class ControlepuntSettings(BaseSettings):
    """Where the checkpointer's key and log live: never in the database, nor where its roles reach."""

    model_config = SettingsConfigDict(env_prefix="CASUS_CONTROLEPUNT_", extra="ignore", env_ignore_empty=True)

    sleutel: Path = Field(default_factory=lambda: _xdg("XDG_CONFIG_HOME", ".config") / "controlepunt.ed25519")
    """The Ed25519 private key (PEM, PKCS #8), readable by the checkpointer alone (mode 0600)."""
    map: Path = Field(default_factory=lambda: _xdg("XDG_STATE_HOME", ".local/state") / "controlepunten")
    """The checkpoint log: a directory only ever appended to (a WORM bucket's mount in production)."""
    publiek: Path | None = None
    """The public key (PEM) for those who check but do not sign; default: derived from `sleutel`."""


class SleutelError(Exception):
    """The checkpoint key is missing, unreadable, not Ed25519, or readable by others."""


class ControlepuntGeweigerdError(Exception):
    """The log's signed prefix changed, or the checkpoint log does not hold together: no signature."""

    def __init__(self, bevindingen: list[Bevinding]) -> None:
        self.bevindingen = bevindingen
        meer = f"; and {len(bevindingen) - 5} more" if len(bevindingen) > 5 else ""
        super().__init__("no checkpoint signed: " + "; ".join(str(b) for b in bevindingen[:5]) + meer)


@dataclass(frozen=True)
class Uitkomst:
    punt: Controlepunt | None
    """The latest checkpoint (the new one, or the previous when nothing was appended since)."""
    nieuw: int
    """Events this checkpoint added (0: nothing new; the runner may stop for this interval)."""
    bevindingen: list[Bevinding]
    """What is wrong with the events it added: signed anyway, so they cannot quietly go."""


def maak_sleutel(pad: Path) -> Ed25519PublicKey:
    """Writes a new checkpoint key that only its owner may read; refuses to overwrite one."""
    return schrijf_sleutel(pad)


def laad_sleutel(pad: Path) -> Ed25519PrivateKey:
    try:
        return lees_sleutel(pad, "checkpointer")
    except SleutelbestandError as e:
        raise SleutelError(f"{e}; a new one is made with `casus controlepunt sleutel`") from None


def publieke_sleutel(instellingen: ControlepuntSettings) -> Ed25519PublicKey:
    if instellingen.publiek is None:
        return laad_sleutel(instellingen.sleutel).public_key()
    try:
        sleutel = load_pem_public_key(instellingen.publiek.read_bytes())
    except (OSError, ValueError) as e:
        raise SleutelError(f"{instellingen.publiek}: no public checkpoint key ({e})") from None
    if not isinstance(sleutel, Ed25519PublicKey):
        raise SleutelError(f"{instellingen.publiek} holds no Ed25519 key")
    return sleutel


def controleer_streams(store: EventStore, instellingen: ControlepuntSettings) -> Verslag:
    """Every stream against the signed heads (reads the whole log once)."""
    return controleer_log(store, ControlepuntLog(instellingen.map), publieke_sleutel(instellingen))


def maak_controlepunt(
    store: EventStore, instellingen: ControlepuntSettings, *, volledig: bool = False, maximaal: int = MAXIMAAL, nu: datetime | None = None
) -> Uitkomst:
    """Signs a head over the log up to the newest event (at most `maximaal` new ones). `volledig`
    first checks every signed event against the store, not only the cheap guards."""
    sleutel = laad_sleutel(instellingen.sleutel)
    log = ControlepuntLog(instellingen.map)
    with log.alleen():
        return _maak(store, log, sleutel, volledig, maximaal, nu)


def _maak(
    store: EventStore, log: ControlepuntLog, sleutel: Ed25519PrivateKey, volledig: bool, maximaal: int, nu: datetime | None
) -> Uitkomst:
    vorig = log.laatste()
    if vorig is not None:
        _bewaak(store, log, vorig, sleutel.public_key(), volledig)
    grens = vorig.grens_boom() if vorig is not None else Grens()
    nieuw = list(islice(bladeren(store, vorig.kop.positie if vorig else 0), maximaal))
    if vorig is not None and not nieuw:
        return Uitkomst(vorig, 0, [])
    oud, hashes = grens.kopie(), [r.blad.blad_hash() for r in nieuw]
    for h in hashes:
        grens.voeg_toe(h)
    consistentie = consistentiebewijs(oud.grootte, grens.grootte, Uitbreiding(oud, hashes).knoop)
    if not verifieer_consistentie(oud.grootte, grens.grootte, oud.wortel(), grens.wortel(), consistentie):
        raise ControlepuntGeweigerdError([Bevinding("controlepunt", "", 0, 0, "the new tree does not extend the signed one")])
    kop = Kop(
        grootte=grens.grootte,
        wortel=grens.wortel().hex(),
        tijd=(nu or datetime.now(UTC)).isoformat(),
        positie=nieuw[-1].blad.positie if nieuw else 0,
        sleutel=vingerafdruk(sleutel.public_key()),
    )
    naam = log.schrijf_bladeren(oud.grootte, [r.blad for r in nieuw])
    punt = Controlepunt(
        kop=kop,
        handtekening=sleutel.sign(kop.te_ondertekenen()).hex(),
        grens=tuple(k.hex() for k in grens.knopen),
        consistentie=tuple(c.hex() for c in consistentie),
        bladeren=naam,
    )
    log.voeg_toe(punt)
    return Uitkomst(punt, len(nieuw), _controleer_nieuw(store, nieuw))


def _bewaak(store: EventStore, log: ControlepuntLog, vorig: Controlepunt, publiek: Ed25519PublicKey, volledig: bool) -> None:
    """Refuses when the signed prefix changed. The cheap guards (the head's signature and frontier,
    the number of events up to its position, its last event) run every time; an event rewritten in
    place further back is found by the full check, which also names what the guards saw."""
    kop, gezien = vorig.kop, []
    if not handtekening_klopt(publiek, vorig):
        gezien.append(Bevinding("controlepunt", "", 0, kop.positie, f"the checkpoint of {kop.tijd} is not signed by this key"))
    elif vorig.grens_boom().wortel().hex() != kop.wortel:
        gezien.append(
            Bevinding("controlepunt", "", 0, kop.positie, f"the frontier stored with the checkpoint of {kop.tijd} is not its tree")
        )
    elif (aantal := aantal_tot(store, kop.positie)) != kop.grootte:
        gezien.append(
            Bevinding(
                "voorvoegsel", "", 0, kop.positie, f"the log holds {aantal} events up to position {kop.positie}, signed {kop.grootte}"
            )
        )
    elif kop.grootte:
        gezien += _laatste_gelijk(store, log, vorig)
    if gezien or volledig:
        verslag = controleer_log(store, log, publiek)
        onder = [b for b in verslag.bevindingen if b.positie <= kop.positie or not b.casus_id]
        if onder or gezien:
            raise ControlepuntGeweigerdError(onder or gezien)


def _laatste_gelijk(store: EventStore, log: ControlepuntLog, punt: Controlepunt) -> list[Bevinding]:
    """The last signed event is still the one the store holds at its position."""
    try:
        laatste = log.laatste_blad(punt)
    except (OSError, ValueError, TypeError):
        return [Bevinding("controlepunt", "", 0, punt.kop.positie, f"the leaves of the checkpoint of {punt.kop.tijd} cannot be read")]
    rij = next(bladeren(store, punt.kop.positie - 1, punt.kop.positie, partij=1), None)
    if rij is None or rij.fout or rij.blad != laatste:
        return [Bevinding("herschreven", laatste.casus_id, laatste.versie, laatste.positie, "the last signed event changed")]
    return []


def _controleer_nieuw(store: EventStore, nieuw: list[LogBlad]) -> list[Bevinding]:
    """Each new event sound by itself and following the event its stream stored before it."""
    bevindingen: list[Bevinding] = []
    vorige: dict[str, str] = {}
    for r in nieuw:
        b = r.blad
        plek = (b.casus_id, b.versie, b.positie)
        if r.fout:
            bevindingen.append(Bevinding("gewijzigd", *plek, r.fout))
        elif (verwacht := vorige.get(b.casus_id) or hash_van(store, b.casus_id, b.versie - 1)) is None:
            bevindingen.append(Bevinding("ontbreekt", *plek, f"version {b.versie - 1} of this casus is not in the store"))
        elif r.vorige != verwacht:
            bevindingen.append(Bevinding("volgorde", *plek, "does not follow the event its stream stored before it"))
        vorige[b.casus_id] = b.hash
    return bevindingen
