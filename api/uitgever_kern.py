"""What the development issuer knows and decides, without HTTP: its key, the tokens it signs, and the
device authorization grants waiting for a person (RFC 8628). `api.uitgever` serves it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import TypeAdapter, ValidationError

from api.identiteit import ROLLEN, Rol
from api.instellingen import Claimnamen, zet_claim
from domain.partijen import Identificatie, Partij, onbekende_partij
from runtime.policies import team_ids

SLEUTELBESTAND = "oidc-uitgever-ed25519.pem"
# The grants it serves; `casus login` (casus_cli/aanmelden.py) asks for them by the same names.
APPARAAT_GRANT = "urn:ietf:params:oauth:grant-type:device_code"  # RFC 8628 §3.4
ONTWIKKEL_GRANT = "urn:casus:params:oauth:grant-type:ontwikkeling"
_GEEN_PARTIJ: tuple[Rol, ...] = tuple(r for r in ROLLEN if r != "medewerker")
# RFC 8628 §6.1: 20 consonants, no vowels (no words), no look-alikes; 8 characters ≈ 34 bits.
_CODETEKENS = "BCDFGHJKLMNPQRSTVWXZ"
_PARTIJ: TypeAdapter[str] = TypeAdapter(Partij)
_IDENTIFICATIE: TypeAdapter[str] = TypeAdapter(Identificatie)


class OAuthError(Exception):
    """An OAuth 2.0 error response (RFC 6749 §5.2, RFC 8628 §3.5)."""

    def __init__(self, fout: str, beschrijving: str) -> None:
        super().__init__(f"{fout}: {beschrijving}")
        self.fout = fout
        self.beschrijving = beschrijving


def laad_of_maak_sleutel(map: Path) -> Ed25519PrivateKey:
    """The issuer's key in `map`, made once, readable by its owner only."""
    map.mkdir(parents=True, exist_ok=True, mode=0o700)
    pad = map / SLEUTELBESTAND
    if not pad.exists():
        # Written aside and linked into place: a second `casus dev` starting at the same moment
        # finds either no file or a whole one, and both then use the same key.
        tijdelijk = map / f".{SLEUTELBESTAND}.{secrets.token_hex(8)}"
        fd = os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as bestand:
            bestand.write(
                Ed25519PrivateKey.generate().private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        try:
            os.link(tijdelijk, pad)
        except FileExistsError:
            pass
        finally:
            tijdelijk.unlink()
    if pad.stat().st_mode & 0o077:
        pad.chmod(0o600)
    sleutel = serialization.load_pem_private_key(pad.read_bytes(), password=None)
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise ValueError(f"{pad} holds no Ed25519 key; remove it and a new one is made")
    return sleutel


def publieke_jwk(sleutel: Ed25519PrivateKey) -> dict[str, str]:
    x = sleutel.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    leden = {"crv": "Ed25519", "kty": "OKP", "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode()}
    # RFC 7638: the kid is the key's thumbprint, so it changes exactly when the key does.
    duim = hashlib.sha256(json.dumps(leden, separators=(",", ":"), sort_keys=True).encode()).digest()
    return {**leden, "kid": base64.urlsafe_b64encode(duim).rstrip(b"=").decode(), "use": "sig", "alg": "EdDSA"}


@dataclass
class _Apparaatverzoek:
    user_code: str
    client_id: str
    verloopt: float
    interval: float
    laatst_gevraagd: float | None = None
    goedgekeurd: tuple[str, str | None] | None = None
    geweigerd: bool = False


class Uitgever:
    """Signs tokens for whoever asks as whom: for development on one machine only."""

    def __init__(
        self,
        sleutel: Ed25519PrivateKey,
        url: str,
        *,
        publiek: str = "casus-api",
        claimnamen: Claimnamen | None = None,
        token_geldig_s: int = 8 * 3600,
        apparaat_geldig_s: float = 600.0,
        interval_s: float = 5.0,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.publiek = publiek
        self._sleutel = sleutel
        self._jwk = publieke_jwk(sleutel)
        self._namen = claimnamen or Claimnamen()
        self._token_geldig_s = token_geldig_s
        self._apparaat_geldig_s = apparaat_geldig_s
        self._interval_s = interval_s
        self._klok = klok
        self._slot = threading.Lock()
        self._verzoeken: dict[str, _Apparaatverzoek] = {}

    def ontdekking(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": f"{self.url}/jwks",
            "token_endpoint": f"{self.url}/token",
            "device_authorization_endpoint": f"{self.url}/apparaat/autorisatie",
            "grant_types_supported": [APPARAAT_GRANT, ONTWIKKEL_GRANT],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["EdDSA"],
            "token_endpoint_auth_methods_supported": ["none"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._jwk]}

    def token(self, formulier: Mapping[str, str]) -> dict[str, Any]:
        """The token endpoint: the development login or a device code's poll."""
        soort = formulier.get("grant_type")
        client_id = formulier.get("client_id", "casus-cli")
        if soort == ONTWIKKEL_GRANT:
            return self.onderteken(formulier.get("als", ""), formulier.get("medewerker") or None, client_id)
        if soort == APPARAAT_GRANT:
            return self._apparaattoken(formulier.get("device_code", ""), client_id)
        raise OAuthError("unsupported_grant_type", f"this issuer grants {ONTWIKKEL_GRANT} and {APPARAAT_GRANT}")

    def onderteken(self, als: str, medewerker: str | None, client_id: str = "casus-cli") -> dict[str, Any]:
        rol, partij, naam = _identiteit(als, medewerker)
        nu = int(time.time())
        claims: dict[str, Any] = {"iss": self.url, "aud": self.publiek, "sub": f"{als}/{naam}", "azp": client_id}
        claims |= {"iat": nu, "nbf": nu, "exp": nu + self._token_geldig_s, "jti": secrets.token_urlsafe(16)}
        zet_claim(claims, self._namen.subject, claims["sub"])
        zet_claim(claims, self._namen.naam, naam)
        zet_claim(claims, self._namen.rol, [f"{self._namen.rol_voorvoegsel}{rol}"])
        if partij is not None:
            zet_claim(claims, self._namen.partij, partij)
        token = jwt.encode(claims, self._sleutel, algorithm="EdDSA", headers={"kid": self._jwk["kid"]})
        return {"access_token": token, "token_type": "Bearer", "expires_in": self._token_geldig_s}

    def start_apparaat(self, client_id: str) -> dict[str, Any]:
        """The device authorization endpoint (RFC 8628 §3.2)."""
        with self._slot:
            nu = self._klok()
            self._verzoeken = {d: v for d, v in self._verzoeken.items() if v.verloopt > nu}
            device_code = secrets.token_urlsafe(32)
            ruw = "".join(secrets.choice(_CODETEKENS) for _ in range(8))
            user_code = f"{ruw[:4]}-{ruw[4:]}"
            self._verzoeken[device_code] = _Apparaatverzoek(user_code, client_id, nu + self._apparaat_geldig_s, self._interval_s)
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": f"{self.url}/apparaat",
            "verification_uri_complete": f"{self.url}/apparaat?user_code={user_code}",
            "expires_in": int(self._apparaat_geldig_s),
            "interval": int(self._interval_s) if float(self._interval_s).is_integer() else self._interval_s,
        }

    def keur_goed(self, user_code: str, als: str, medewerker: str | None) -> None:
        """The person at the verification page says who they are (development: no password)."""
        _identiteit(als, medewerker)
        with self._slot:
            self._verzoek(user_code).goedgekeurd = (als, medewerker)

    def weiger(self, user_code: str) -> None:
        with self._slot:
            self._verzoek(user_code).geweigerd = True

    def _verzoek(self, user_code: str) -> _Apparaatverzoek:
        gezocht = "".join(c for c in user_code.upper() if c.isalnum())
        nu = self._klok()
        for verzoek in self._verzoeken.values():
            if verzoek.user_code.replace("-", "") == gezocht and verzoek.verloopt > nu:
                return verzoek
        raise OAuthError("invalid_request", "no pending login has this code; it may have expired")

    def _apparaattoken(self, device_code: str, client_id: str) -> dict[str, Any]:
        with self._slot:
            verzoek = self._verzoeken.get(device_code)
            if verzoek is None or verzoek.client_id != client_id:
                raise OAuthError("invalid_grant", "unknown or already used device_code")
            nu = self._klok()
            if nu >= verzoek.verloopt:
                del self._verzoeken[device_code]
                raise OAuthError("expired_token", "the device code expired; start the login again")
            if verzoek.geweigerd:
                del self._verzoeken[device_code]
                raise OAuthError("access_denied", "the login was refused")
            if verzoek.goedgekeurd is None:
                te_vroeg = verzoek.laatst_gevraagd is not None and nu - verzoek.laatst_gevraagd < 0.8 * verzoek.interval
                verzoek.laatst_gevraagd = nu
                if te_vroeg:
                    verzoek.interval += 5  # RFC 8628 §3.5: the client adds 5 seconds as well
                    raise OAuthError("slow_down", f"poll every {verzoek.interval} seconds")
                raise OAuthError("authorization_pending", "the code has not been entered yet")
            del self._verzoeken[device_code]
            als, medewerker = verzoek.goedgekeurd
        return self.onderteken(als, medewerker, client_id)


def _identiteit(als: str, medewerker: str | None) -> tuple[Rol, str | None, str]:
    try:
        naam = _IDENTIFICATIE.validate_python(medewerker) if medewerker is not None else None
        if als in _GEEN_PARTIJ:
            return als, None, naam or als
        partij = _PARTIJ.validate_python(als)
    except ValidationError:
        raise OAuthError("invalid_request", "`als` is a party id or a role, `medewerker` a name") from None
    if naam is None:
        raise OAuthError("invalid_request", f"acting as party {partij!r} takes a medewerker's name")
    if (onbekend := onbekende_partij(partij, team_ids())) is not None:
        raise OAuthError("invalid_request", f"`als`: {onbekend}; or a role: {', '.join(sorted(_GEEN_PARTIJ))}")
    return "medewerker", partij, naam
