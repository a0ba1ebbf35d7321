"""Personal data sealed per household (Wmo 2015 art. 5.3.4/5.3.5): free text is encrypted with a key
of the household before it leaves the client, so the event store, Temporal's history and every
copy hold only ciphertext. Forgetting a household destroys its key: its texts become unreadable
everywhere at once, while the pseudonymous record, the deadlines and the hash chain stay intact.

Household keys are kept in the event database, wrapped with a master key (CASUS_MASTER_KEY, or a
key file in the state dir for the embedded stack). A household's key has generations: forgetting
destroys the live one for good (eventstore/sleutelbewaking.py), and the next text sealed for the
household gets a new one. A sealed text names its generation ("vz<n>:"), and the unsealer refuses a
generation whose destruction is recorded even if its key's bytes reappear."""

from __future__ import annotations

import base64
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventstore import sleutelbewaking
from eventstore.sleutelbewaking import SLEUTELS, VERNIETIGD
from eventstore.views import ViewStore, tijdstip
from runtime.settings import Settings

VOORVOEGSEL = "vz1:"
"""The form of generation 1; a text sealed under generation n begins with "vz<n>:"."""
VERGETEN = "[vergeten]"
_GESLOTEN = re.compile(r"vz(\d{1,5}):")


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


def _context(huishouden: str, generatie: int) -> str:
    """What a key and a text are bound to. Generation 1 is bound to the household alone, as every key
    and text sealed before generations were; a later one to its generation too, so a key copied from
    one generation does not open as another."""
    return huishouden if generatie == 1 else f"{huishouden}#{generatie}"


@dataclass(frozen=True)
class Vergeten:
    """What forgetting did: the generation destroyed (the highest, when there were more), whether a
    key existed, whether this call recorded it (False: it was forgotten already, a retry), and
    whether the freed bytes were cleared from the database file (VACUUM or the SQLite checkpoint)."""

    huishouden: str
    generatie: int
    had_sleutel: bool
    nieuw: bool
    opgeruimd: bool = False


class Kluis:
    def __init__(self, views: ViewStore, meester: bytes) -> None:
        self.views = views
        self.meester = meester
        sleutelbewaking.richt_in(views)

    def _sleutel(self, huishouden: str, generatie: int) -> bytes | None:
        """The key of one generation; None when its destruction is recorded, whatever the key table holds."""
        with self.views.transaction(commit=False) as sql:
            sql.execute(f"SELECT 1 AS x FROM {VERNIETIGD} WHERE huishouden = %s AND generatie = %s", (huishouden, generatie))
            if sql.fetchall():
                return None
            sql.execute(f"SELECT sleutel FROM {SLEUTELS} WHERE huishouden = %s AND generatie = %s", (huishouden, generatie))
            rijen = sql.fetchall()
        if not rijen or rijen[0]["sleutel"] is None:
            return None
        return self._open(huishouden, generatie, rijen[0]["sleutel"])

    def _open(self, huishouden: str, generatie: int, ingepakt: str) -> bytes:
        """A generation's key, unwrapped with the master key; one not made for it by casus is refused."""
        try:
            return _ontsleutel(self.meester, ingepakt, _context(huishouden, generatie))
        except InvalidTag:
            raise PermissionError(
                f"key generation {generatie} of household {huishouden} does not open with this master key: it was not"
                " made for this generation by casus (put in the table by hand, or another master key); nothing is read or sealed with it"
            ) from None

    def _huidige(self, huishouden: str) -> tuple[int, bytes]:
        """The household's live generation and its key; a new generation when it has none (its first
        text, or the first after it was forgotten)."""
        for _ in range(3):
            # One statement: the newest generation with a key, unless its destruction, or a later
            # generation's, is recorded (then a new generation above every destroyed one is made).
            rijen = self.views.query(
                f"SELECT s.generatie, s.sleutel FROM {SLEUTELS} s WHERE s.huishouden = %s AND s.sleutel IS NOT NULL"
                f" AND NOT EXISTS (SELECT 1 FROM {VERNIETIGD} v WHERE v.huishouden = s.huishouden AND v.generatie >= s.generatie)"
                " ORDER BY s.generatie DESC LIMIT 1",
                (huishouden,),
            )
            if rijen:
                generatie = rijen[0]["generatie"]
                return generatie, self._open(huishouden, generatie, rijen[0]["sleutel"])
            self._maak(huishouden)
        raise PermissionError(f"no key generation of household {huishouden} could be made; nothing is sealed for it")

    def _maak(self, huishouden: str) -> None:
        nieuw = AESGCM.generate_key(bit_length=256)
        with self.views.transaction() as sql:
            sql.execute(
                f"SELECT MAX(generatie) AS n FROM (SELECT generatie FROM {SLEUTELS} WHERE huishouden = %s"
                f" UNION ALL SELECT generatie FROM {VERNIETIGD} WHERE huishouden = %s) g",
                (huishouden, huishouden),
            )
            generatie = (sql.fetchall()[0]["n"] or 0) + 1
            # Two sealers at once pick the same number: one inserts it, the other reads it back.
            sql.execute(
                f"INSERT INTO {SLEUTELS} (huishouden, generatie, sleutel, aangemaakt) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (huishouden, generatie) DO NOTHING",
                (huishouden, generatie, _versleutel(self.meester, nieuw, _context(huishouden, generatie)), tijdstip(datetime.now(UTC))),
            )

    def verzegel(self, huishouden: str, tekst: str) -> str:
        generatie, sleutel = self._huidige(huishouden)
        return f"vz{generatie}:" + _versleutel(sleutel, tekst.encode(), _context(huishouden, generatie))

    def ontzegel(self, huishouden: str, waarde: str) -> str:
        gesloten = _GESLOTEN.match(waarde)
        if gesloten is None:
            return waarde
        generatie = int(gesloten.group(1))
        sleutel = self._sleutel(huishouden, generatie)
        return VERGETEN if sleutel is None else _ontsleutel(sleutel, waarde[gesloten.end() :], _context(huishouden, generatie)).decode()

    def vergeet(self, huishouden: str, reden: str, door: str) -> Vergeten:
        """Destroys the household's live key generations, recording who asked and why first (the
        triggers allow no other order). A household forgotten already answers with the generation
        destroyed then, so a retry of an interrupted erasure finishes the same erasure."""
        with self.views.transaction() as sql:
            sql.execute(f"SELECT generatie FROM {SLEUTELS} WHERE huishouden = %s AND sleutel IS NOT NULL", (huishouden,))
            levend = sorted(r["generatie"] for r in sql.fetchall())
            sql.execute(f"SELECT MAX(generatie) AS n FROM {VERNIETIGD} WHERE huishouden = %s", (huishouden,))
            laatste = sql.fetchall()[0]["n"]
            if not levend and laatste is not None:
                return Vergeten(huishouden, laatste, had_sleutel=False, nieuw=False)
            generaties = levend or [1]  # none ever made: generation 1 is never made now
            nu = tijdstip(datetime.now(UTC))
            sql.executemany(
                f"INSERT INTO {VERNIETIGD} (huishouden, generatie, vergeten_op, vergeten_door, reden) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (huishouden, generatie) DO NOTHING",
                [(huishouden, g, nu, door, reden) for g in generaties],
            )
            sql.execute(
                f"UPDATE {SLEUTELS} SET sleutel = NULL WHERE huishouden = %s AND generatie <= %s AND sleutel IS NOT NULL",
                (huishouden, generaties[-1]),
            )
        opgeruimd = sleutelbewaking.ruim_op(self.views)
        return Vergeten(huishouden, generaties[-1], had_sleutel=bool(levend), nieuw=True, opgeruimd=opgeruimd)
