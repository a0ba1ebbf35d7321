"""Ed25519 private keys in files of their own: the checkpointer's and the worker's. Written once,
readable by their owner only, never overwritten; a key file others may read is refused."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, load_pem_private_key


class SleutelbestandError(Exception):
    """The key file is missing, unreadable, readable by others, or holds no Ed25519 key."""


def schrijf_sleutel(pad: Path) -> Ed25519PublicKey:
    """Writes a new private key that only its owner may read; refuses to overwrite one."""
    sleutel = Ed25519PrivateKey.generate()
    pad.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(sleutel.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return sleutel.public_key()


def lees_sleutel(pad: Path, wiens: str) -> Ed25519PrivateKey:
    """The private key in `pad`; `wiens` names whose key it is in the refusal."""
    try:
        if os.stat(pad).st_mode & 0o077:
            raise SleutelbestandError(f"{pad} is readable by others: chmod 600 it (the {wiens} key must be the {wiens}'s alone)")
        sleutel = load_pem_private_key(pad.read_bytes(), password=None)
    except (OSError, ValueError) as e:
        raise SleutelbestandError(f"{pad}: no {wiens} key ({e})") from None
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise SleutelbestandError(f"{pad} holds no Ed25519 key")
    return sleutel
