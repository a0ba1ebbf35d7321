"""Events attributable to the worker that appended them: each is signed (Ed25519) over its chain
hash by the worker's own key, a file held in a secret and never in the database, so a database
login alone (`casus_worker`, the table owner) can write chain-valid rows but not sign them.

Checked by `casus verifieer` against a set of trusted worker public keys
(CASUS_WORKER_PUBLIEKE_SLEUTELS): a signature that does not verify (`ondertekening:ongeldig`), one
by a key not trusted (`ondertekening:onbekend`), and an unsigned event appended after the first
signed event of the log (`ondertekening:ontbreekt`); events from before workers signed still verify
by their chain. The signed bytes are defined here and in `casus_verify` (which imports nothing of
this project): change them together.

The worker judges by the same rule what it finds in its place when it appends (`Ondertekenaar.bezwaar`,
called by `EventStore.append`): with its key configured it believes another decision's events only
when a trusted worker key signed them, or when they were stored before the log's first signed event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from eventstore.controlepuntlog import vingerafdruk
from eventstore.keten import Afwijking, Ondertekening, uitpakken
from eventstore.sleutelbestand import SleutelbestandError, lees_sleutel, schrijf_sleutel
from eventstore.store import ONDERTEKEND, EventStore

CONTEXT = b"casus-gebeurtenis/1\n"
"""Before the hash in the signed bytes: a worker's signature can never pass for a checkpoint's."""
MERK = ONDERTEKEND
"""Only the envelope itself can hold this unescaped: inside it the event's JSON is a string."""


class WorkerSleutelError(Exception):
    """The worker key is missing, unreadable, not Ed25519, or readable by others."""


class Ondertekenaar:
    """The worker's signing key (`eventstore.keten.Ondertekenaar`), and the worker keys it trusts
    (`eventstore.store.Keurder`): its own, and `vertrouwd` (CASUS_WORKER_PUBLIEKE_SLEUTELS: the other
    workers' keys, and a rotated-out key whose events are still in the store)."""

    def __init__(self, sleutel: Ed25519PrivateKey, vertrouwd: Mapping[str, Ed25519PublicKey] | None = None) -> None:
        self._sleutel = sleutel
        self.publiek = sleutel.public_key()
        self.vingerafdruk = vingerafdruk(self.publiek)
        self.vertrouwd: dict[str, Ed25519PublicKey] = {**(vertrouwd or {}), self.vingerafdruk: self.publiek}

    def teken(self, hash: str) -> str:
        return self._sleutel.sign(CONTEXT + hash.encode()).hex()

    def bezwaar(self, hash: str, ondertekening: Ondertekening) -> str | None:
        """Why the signature over `hash` is not a trusted worker's, or None when it is."""
        gevonden = _bezwaar(hash, ondertekening, self.vertrouwd)
        return gevonden[1] if gevonden else None


class Keurmeester:
    """The trusted worker keys without a private one (`eventstore.store.Keurder`): for what checks
    signatures but appends nothing itself (`casus herstel`)."""

    def __init__(self, vertrouwd: Mapping[str, Ed25519PublicKey]) -> None:
        self.vertrouwd = dict(vertrouwd)

    def bezwaar(self, hash: str, ondertekening: Ondertekening) -> str | None:
        gevonden = _bezwaar(hash, ondertekening, self.vertrouwd)
        return gevonden[1] if gevonden else None


def maak_worker_sleutel(pad: Path) -> Ed25519PublicKey:
    """Writes a new worker key only its owner may read; refuses to overwrite one. (Or:
    `openssl genpkey -algorithm ed25519 -out FILE`, and `openssl pkey -in FILE -pubout` for the public key.)"""
    return schrijf_sleutel(pad)


def laad_ondertekenaar(pad: Path, vertrouwd: Mapping[str, Ed25519PublicKey] | None = None) -> Ondertekenaar:
    """The worker's key from its file; `vertrouwd`: the other worker keys it trusts besides its own."""
    try:
        return Ondertekenaar(lees_sleutel(pad, "worker"), vertrouwd)
    except SleutelbestandError as e:
        raise WorkerSleutelError(f"CASUS_WORKER_SLEUTEL: {e}") from None


def vertrouwde_sleutels(bronnen: str | None, eigen: Path | None = None) -> dict[str, Ed25519PublicKey] | None:
    """The trusted worker public keys by fingerprint, from PEM files and directories of them
    (comma-separated); without any, the public half of the worker's own key if this process can
    read it (the embedded stack); None when there are none: signatures cannot be checked."""
    if not bronnen:
        return {(o := laad_ondertekenaar(eigen)).vingerafdruk: o.publiek} if eigen is not None and eigen.exists() else None
    sleutels: dict[str, Ed25519PublicKey] = {}
    for bron in (Path(b.strip()) for b in bronnen.split(",") if b.strip()):
        bestanden = sorted(p for p in bron.iterdir() if p.is_file() and not p.name.startswith(".")) if bron.is_dir() else [bron]
        for bestand in bestanden:
            try:
                sleutel = load_pem_public_key(bestand.read_bytes())
            except (OSError, ValueError) as e:
                raise WorkerSleutelError(f"CASUS_WORKER_PUBLIEKE_SLEUTELS: {bestand} is no public key ({e})") from None
            if not isinstance(sleutel, Ed25519PublicKey):
                raise WorkerSleutelError(f"CASUS_WORKER_PUBLIEKE_SLEUTELS: {bestand} holds no Ed25519 key")
            sleutels[vingerafdruk(sleutel)] = sleutel
    return sleutels


def handtekening_klopt(publiek: Ed25519PublicKey, hash: str, handtekening: str) -> bool:
    try:
        publiek.verify(bytes.fromhex(handtekening), CONTEXT + hash.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Rij:
    positie: int
    versie: int
    hash: str | None
    """None: the row is no envelope (the chain check reports it)."""
    ondertekening: Ondertekening | None


@dataclass
class Logoverzicht:
    """What one pass over the log found, per casus: its signature findings, and the last version
    stored at or before position `tot` (how much of the stream a read model at `tot` has seen)."""

    vertrouwd: dict[str, Ed25519PublicKey] | None
    tot: int = 0
    eerste_ondertekend: int | None = None
    afwijkingen: dict[str, list[Afwijking]] = field(default_factory=dict)
    gezien: dict[str, int] = field(default_factory=dict)


def _casus(sid: str) -> str:
    try:
        return str(UUID(sid))
    except ValueError:
        return sid


def overzicht(
    store: EventStore, vertrouwd: dict[str, Ed25519PublicKey] | None, casus_ids: Iterable[str] | None = None, tot: int = 0,
    partij: int = 5000,
) -> Logoverzicht:  # fmt: skip
    """One pass over the log, in order, so where signing began is known at each row; the rows of the
    casussen asked for (every one with None) are checked. Memory: one entry per casus."""
    gevraagd = None if casus_ids is None else set(casus_ids)
    uitslag, na = Logoverzicht(vertrouwd, tot), 0
    while rijen := store.log_ruw(na, partij):
        for positie, sid, versie, _, state in rijen:
            ruw, casus_id = bytes(state), _casus(sid)
            if uitslag.eerste_ondertekend is None and MERK in ruw:
                uitslag.eerste_ondertekend = positie
            if gevraagd is not None and casus_id not in gevraagd:
                continue
            rij = _rij(positie, versie, ruw)
            if positie <= tot:
                uitslag.gezien[casus_id] = max(uitslag.gezien.get(casus_id, 0), rij.versie)
            if gevonden := controleer_ondertekening([rij], uitslag.eerste_ondertekend, vertrouwd):
                uitslag.afwijkingen.setdefault(casus_id, []).extend(gevonden)
        na = rijen[-1][0]
    return uitslag


def _rij(positie: int, versie: object, ruw: bytes) -> Rij:
    nummer = versie if isinstance(versie, int) else int(str(versie))
    try:
        envelop = uitpakken(ruw)
    except (ValueError, KeyError, TypeError):
        return Rij(positie, nummer, None, None)
    return Rij(positie, nummer, envelop.hash, envelop.ondertekening)


def controleer_ondertekening(
    rijen: Iterable[Rij], eerste_ondertekend: int | None, vertrouwd: dict[str, Ed25519PublicKey] | None
) -> list[Afwijking]:
    """Each event's signature; with no trusted keys only whether it is there where it must be."""
    afwijkingen: list[Afwijking] = []
    for r in rijen:
        plek, o = f"position {r.positie}", r.ondertekening
        if r.hash is None:
            continue
        if o is None:
            if eerste_ondertekend is not None and r.positie > eerste_ondertekend:
                afwijkingen.append(Afwijking(r.versie, "ondertekening:ontbreekt", f"{plek}: unsigned, though appended after the log's "
                                             f"first signed event (position {eerste_ondertekend}): no worker appended it"))  # fmt: skip
        elif vertrouwd is not None and (gevonden := _bezwaar(r.hash, o, vertrouwd)):
            afwijkingen.append(Afwijking(r.versie, gevonden[0], f"{plek}: {gevonden[1]}"))
    return afwijkingen


def _bezwaar(hash: str, o: Ondertekening, vertrouwd: Mapping[str, Ed25519PublicKey]) -> tuple[str, str] | None:
    """What is wrong with a signature (its kind and why), or None: by a trusted key, and it verifies."""
    if not o.sleutel or len(o.handtekening) != 128:
        return "ondertekening:ongeldig", "its signature is malformed"
    if (publiek := vertrouwd.get(o.sleutel)) is None:
        return "ondertekening:onbekend", f"signed by key {o.sleutel}, no trusted worker key"
    if not handtekening_klopt(publiek, hash, o.handtekening):
        return "ondertekening:ongeldig", f"its signature by worker key {o.sleutel} does not verify"
    return None
