"""Personal data sealed per household (Wmo 2015 art. 5.3.4/5.3.5): free text is encrypted with a key
of the household before it leaves the client, so the event store, Temporal's history and every
copy hold only ciphertext. Forgetting a household destroys its key: its texts become unreadable
everywhere at once, while the pseudonymous record, the deadlines and the hash chain stay intact.

Household keys are kept in the event database, wrapped with a master key (CASUS_MASTER_KEY, or a
key file in the state dir for the embedded stack)."""

from __future__ import annotations

import base64
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from projections.views import ViewStore, tijdstip
from runtime.settings import Settings

VOORVOEGSEL = "vz1:"
VERGETEN = "[vergeten]"
DDL = (
    "CREATE TABLE IF NOT EXISTS huishouden_sleutels (huishouden TEXT PRIMARY KEY, sleutel TEXT, aangemaakt TEXT NOT NULL,"
    " vergeten_op TEXT, vergeten_door TEXT, reden TEXT)",
)


def meester_sleutel(settings: Settings) -> bytes:
    if settings.master_key.get_secret_value():
        sleutel = base64.b64decode(settings.master_key.get_secret_value())
    else:
        pad = settings.state_dir / "master.key"
        if not pad.exists():
            pad.parent.mkdir(parents=True, exist_ok=True)
            _schrijf_geheim(pad, base64.b64encode(AESGCM.generate_key(bit_length=256)))
        sleutel = base64.b64decode(pad.read_bytes())
    if len(sleutel) != 32:
        raise ValueError("CASUS_MASTER_KEY must be 32 bytes, base64-encoded")
    return sleutel


def _schrijf_geheim(pad: Path, inhoud: bytes) -> None:
    fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(inhoud)


def _versleutel(sleutel: bytes, tekst: bytes, context: str) -> str:
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + AESGCM(sleutel).encrypt(nonce, tekst, context.encode())).decode()


def _ontsleutel(sleutel: bytes, waarde: str, context: str) -> bytes:
    data = base64.b64decode(waarde)
    return AESGCM(sleutel).decrypt(data[:12], data[12:], context.encode())


class Kluis:
    def __init__(self, views: ViewStore, meester: bytes) -> None:
        self.views = views
        self.meester = meester
        views.create(DDL)

    def _sleutel(self, huishouden: str, maak: bool) -> bytes | None:
        rijen = self.views.query("SELECT sleutel, vergeten_op FROM huishouden_sleutels WHERE huishouden = %s", (huishouden,))
        if rijen:
            return None if rijen[0]["sleutel"] is None else _ontsleutel(self.meester, rijen[0]["sleutel"], huishouden)
        if not maak:
            return None
        nieuw = AESGCM.generate_key(bit_length=256)
        with self.views.transaction() as sql:
            sql.execute(
                "INSERT INTO huishouden_sleutels (huishouden, sleutel, aangemaakt) VALUES (%s, %s, %s) ON CONFLICT (huishouden) DO NOTHING",
                (huishouden, _versleutel(self.meester, nieuw, huishouden), tijdstip(datetime.now(UTC))),
            )
        return self._sleutel(huishouden, maak=False)

    def verzegel(self, huishouden: str, tekst: str) -> str:
        sleutel = self._sleutel(huishouden, maak=True)
        if sleutel is None:
            raise PermissionError(f"the personal data of household {huishouden} was forgotten; nothing new is sealed for it")
        return VOORVOEGSEL + _versleutel(sleutel, tekst.encode(), huishouden)

    def ontzegel(self, huishouden: str, waarde: str) -> str:
        if not waarde.startswith(VOORVOEGSEL):
            return waarde
        sleutel = self._sleutel(huishouden, maak=False)
        return VERGETEN if sleutel is None else _ontsleutel(sleutel, waarde.removeprefix(VOORVOEGSEL), huishouden).decode()

    def vergeet(self, huishouden: str, reden: str, door: str) -> bool:
        """Destroys the household's key, with who asked and why; True when there was one to destroy."""
        with self.views.transaction() as sql:
            sql.execute(
                "INSERT INTO huishouden_sleutels (huishouden, sleutel, aangemaakt) VALUES (%s, NULL, %s)"
                " ON CONFLICT (huishouden) DO NOTHING",
                (huishouden, tijdstip(datetime.now(UTC))),
            )
            sql.execute("SELECT sleutel FROM huishouden_sleutels WHERE huishouden = %s", (huishouden,))
            had_sleutel = sql.fetchall()[0]["sleutel"] is not None
            sql.execute(
                "UPDATE huishouden_sleutels SET sleutel = NULL, vergeten_op = %s, vergeten_door = %s, reden = %s WHERE huishouden = %s",
                (tijdstip(datetime.now(UTC)), door, reden, huishouden),
            )
        return had_sleutel
