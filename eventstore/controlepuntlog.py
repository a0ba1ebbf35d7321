"""The checkpoint log outside the database: a directory that is only ever appended to.

`koppen.jsonl` holds one signed tree head per line, with the frontier of its tree and the
consistency proof from the head before it; `bladeren/` holds, per checkpoint, the leaves it added
(one JSON line per event: position, casus, version, chain hash). A leaf file is written and fsynced
before the head that covers it; a head is appended with one write and fsynced. A crash in between
leaves a leaf file no head refers to, which the next checkpoint writes again.

The signed bytes of a head, and the bytes of a leaf, are defined here and in `casus_verify` (which
imports nothing of this project): change them together."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eventstore.merkle import Grens, blad_hash

HANDTEKENING_CONTEXT = b"casus-controlepunt/1\n"


@dataclass(frozen=True)
class Blad:
    """One event of the global log as the tree holds it: its chain hash bound to its place."""

    positie: int
    casus_id: str
    versie: int
    hash: str

    def gegevens(self) -> bytes:
        return f"{self.positie}\n{self.casus_id}\n{self.versie}\n{self.hash}".encode()

    def blad_hash(self) -> bytes:
        return blad_hash(self.gegevens())


@dataclass(frozen=True)
class Kop:
    """A tree head: the first `grootte` events of the global log, up to global position `positie`,
    have Merkle root `wortel`; signed at `tijd` by the key with fingerprint `sleutel`."""

    grootte: int
    wortel: str
    tijd: str
    positie: int
    sleutel: str

    def als_dict(self) -> dict[str, Any]:
        return {"grootte": self.grootte, "wortel": self.wortel, "tijd": self.tijd, "positie": self.positie, "sleutel": self.sleutel}

    def te_ondertekenen(self) -> bytes:
        return HANDTEKENING_CONTEXT + json.dumps(self.als_dict(), sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Controlepunt:
    """A line of `koppen.jsonl`: the signed head and what the next checkpoint continues from."""

    kop: Kop
    handtekening: str
    grens: tuple[str, ...]
    consistentie: tuple[str, ...]
    """The proof that the previous head's tree is a prefix of this one (empty for the first)."""
    bladeren: str
    """The leaf file, relative to the directory, with the leaves since the previous head."""

    def grens_boom(self) -> Grens:
        return Grens(self.kop.grootte, [bytes.fromhex(k) for k in self.grens])

    def als_regel(self) -> bytes:
        data = {"kop": self.kop.als_dict(), "handtekening": self.handtekening, "grens": list(self.grens),
                "consistentie": list(self.consistentie), "bladeren": self.bladeren}  # fmt: skip
        return (json.dumps(data, separators=(",", ":")) + "\n").encode()

    @classmethod
    def uit_regel(cls, regel: str) -> Controlepunt:
        data = json.loads(regel)
        return cls(
            kop=Kop(**data["kop"]),
            handtekening=data["handtekening"],
            grens=tuple(data["grens"]),
            consistentie=tuple(data["consistentie"]),
            bladeren=data["bladeren"],
        )


def ruwe_sleutel(publiek: Ed25519PublicKey) -> bytes:
    return publiek.public_bytes(Encoding.Raw, PublicFormat.Raw)


def vingerafdruk(publiek: Ed25519PublicKey) -> str:
    """What a head names its key by, and what an auditor compares with the published key."""
    return hashlib.sha256(ruwe_sleutel(publiek)).hexdigest()


def handtekening_klopt(publiek: Ed25519PublicKey, punt: Controlepunt) -> bool:
    if punt.kop.sleutel != vingerafdruk(publiek):
        return False
    try:
        publiek.verify(bytes.fromhex(punt.handtekening), punt.kop.te_ondertekenen())
    except (InvalidSignature, ValueError):
        return False
    return True


def _fsync_map(map_: Path) -> None:
    fd = os.open(map_, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ControlepuntLog:
    def __init__(self, map_: Path) -> None:
        self.map = map_
        self.koppen = map_ / "koppen.jsonl"
        self.onleesbaar: list[int] = []

    @contextmanager
    def alleen(self) -> Iterator[None]:
        """One checkpointer at a time: two that both continued the same head would fork the log."""
        self.map.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.map / ".slot", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def lees(self) -> list[Controlepunt]:
        """Every checkpoint in order. A line that is not a checkpoint (a write cut short by a
        crash, or anything else) is left out and its number kept in `onleesbaar`: the heads are
        signed, so nothing unsigned can pass for one."""
        self.onleesbaar = []
        if not self.koppen.exists():
            return []
        punten = []
        for nummer, regel in enumerate(self.koppen.read_text(encoding="utf-8").split("\n"), start=1):
            if not regel.strip():
                continue
            try:
                punten.append(Controlepunt.uit_regel(regel))
            except (ValueError, KeyError, TypeError):
                self.onleesbaar.append(nummer)
        return punten

    def laatste(self) -> Controlepunt | None:
        punten = self.lees()
        return punten[-1] if punten else None

    def schrijf_bladeren(self, vanaf: int, bladeren: list[Blad]) -> str:
        """Writes the leaves from index `vanaf` to a file of their own, durably; its relative name."""
        naam = f"bladeren/{vanaf:012d}-{vanaf + len(bladeren):012d}.jsonl"
        pad = self.map / naam
        pad.parent.mkdir(parents=True, exist_ok=True)
        tijdelijk = pad.with_suffix(".tmp")
        with tijdelijk.open("w", encoding="utf-8") as f:
            for b in bladeren:
                f.write(json.dumps({"positie": b.positie, "casus_id": b.casus_id, "versie": b.versie, "hash": b.hash}) + "\n")
            f.flush()
            os.fsync(f.fileno())
        tijdelijk.replace(pad)
        _fsync_map(pad.parent)
        return naam

    def voeg_toe(self, punt: Controlepunt) -> None:
        self.map.mkdir(parents=True, exist_ok=True)
        nieuw = not self.koppen.exists()
        fd = os.open(self.koppen, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            regel = punt.als_regel()
            if not nieuw and self._eindigt_half():
                regel = b"\n" + regel  # keeps a line cut short by a crash a line of its own
            os.write(fd, regel)
            os.fsync(fd)
        finally:
            os.close(fd)
        if nieuw:
            _fsync_map(self.map)

    def _eindigt_half(self) -> bool:
        with self.koppen.open("rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return False
            f.seek(-1, os.SEEK_END)
            return f.read(1) != b"\n"

    def laatste_blad(self, punt: Controlepunt) -> Blad:
        """The last leaf checkpoint `punt` added, read from the end of its file."""
        with (self.map / punt.bladeren).open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            regels = [r for r in f.read().split(b"\n") if r.strip()]
        if not regels:
            raise ValueError(f"{punt.bladeren} holds no leaves")
        return Blad(**json.loads(regels[-1]))

    def bladeren_van(self, punt: Controlepunt) -> Iterator[Blad]:
        """The leaves checkpoint `punt` added, in order."""
        with (self.map / punt.bladeren).open(encoding="utf-8") as f:
            for regel in f:
                yield Blad(**json.loads(regel))
