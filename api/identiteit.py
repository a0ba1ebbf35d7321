"""Who is asking: a Bearer JWT verified against the issuer's published keys, turned into a `Gebruiker`.

The party, person and role come from the token's claims, never from the request; `--als` is a check
that the token allows it (`controleer_als`)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Collection
from typing import Any

import httpx
import jwt
from pydantic import TypeAdapter, ValidationError

from api.fouten import IdentiteitError
from api.instellingen import Claimnamen, OidcInstellingen, lees_claim
from api.sleutels import JWK, Sleutelbron
from domain.partijen import Identificatie, Partij
from domain.toegang import ROLLEN, Gebruiker, Rol

_PARTIJ: TypeAdapter[str] = TypeAdapter(Partij)
_IDENTIFICATIE: TypeAdapter[str] = TypeAdapter(Identificatie)

__all__ = ["ROLLEN", "Gebruiker", "Rol", "Verificateur", "controleer_als", "gebruiker_uit", "token_uit_header", "vereis_rol"]


def token_uit_header(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer …` header (RFC 6750 §2.1)."""
    schema, _, token = (authorization or "").strip().partition(" ")
    if schema.lower() != "bearer" or not token.strip():
        raise IdentiteitError("token-ontbreekt", "send the token as `Authorization: Bearer <token>`; `casus login` gets one")
    return token.strip()


class Verificateur:
    """Checks tokens of the one configured issuer: an asymmetric signature by one of its published
    keys, then `iss`, `aud`, `exp`, `nbf` (and `iat`) within the clock leeway, then the claims.

    The key is looked up by `kid` in the issuer's JWKS only; `jwk`, `jku` and `x5u` in a token's
    header are never followed (they would let the token name its own key)."""

    def __init__(
        self, instellingen: OidcInstellingen, sleutels: Sleutelbron | None = None, *, client: httpx.Client | None = None,
        onbekende_partij: Callable[[str], str | None] | None = None,
    ) -> None:  # fmt: skip
        """`onbekende_partij` says why a caseworker's party is none of the agreements' (None: it is
        one); the API's own verifier has it (api/server.py), tests of token mechanics may go without."""
        self._onbekende_partij = onbekende_partij
        self._instellingen = instellingen
        self._claimnamen = instellingen.claimnamen
        self._sleutels = sleutels or Sleutelbron(
            instellingen.issuer,
            geldig_s=instellingen.jwks_geldig_s,
            herhaal_na_s=instellingen.jwks_herhaal_na_s,
            timeout_s=instellingen.http_timeout_s,
            client=client,
        )
        self._slot = threading.Lock()
        self._geverifieerd: dict[str, tuple[Gebruiker, float]] = {}

    @property
    def issuer(self) -> str:
        return self._instellingen.issuer

    def sluit(self) -> None:
        self._sleutels.sluit()

    def verifieer(self, token: str | None) -> Gebruiker:
        if not token:
            raise IdentiteitError("token-ontbreekt", "send the token as `Authorization: Bearer <token>`; `casus login` gets one")
        try:
            kop = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise IdentiteitError("token-onleesbaar", "a JWT is three base64url parts separated by dots") from None
        if "crit" in kop or "b64" in kop:  # RFC 7515 §4.1.11: an extension we do not understand is refused
            raise IdentiteitError("token-onleesbaar", "the token demands critical header extensions; casus understands none")
        alg = kop.get("alg")
        if alg not in self._instellingen.algoritmen:
            raise IdentiteitError("algoritme-geweigerd", f"only {', '.join(self._instellingen.algoritmen)} are accepted")
        kid = kop.get("kid")
        if not isinstance(kid, str) or not kid:
            raise IdentiteitError("sleutel-onbekend", "the token names no signing key (kid)")
        sleutel = _publieke_sleutel(self._sleutels.sleutel(kid), alg)
        claims = self._claims(token, sleutel, alg)
        gebruiker = gebruiker_uit(claims, self._claimnamen)
        if gebruiker.partij is not None and self._onbekende_partij and (onbekend := self._onbekende_partij(gebruiker.partij)):
            raise IdentiteitError("partij-onbekend", f"claim {self._claimnamen.partij!r}: {onbekend}")
        # Remembered until the token expires, and never longer than the issuer's keys are trusted:
        # a key withdrawn from the JWKS stops its tokens within that time, as without the memory.
        tot = min(float(claims["exp"]) + self._instellingen.klokspeling_s, time.time() + self._instellingen.jwks_geldig_s)
        with self._slot:
            if len(self._geverifieerd) >= GEHEUGEN:
                self._geverifieerd.clear()
            self._geverifieerd[_vingerafdruk(token)] = (gebruiker, tot)
        return gebruiker

    def bekend(self, token: str) -> Gebruiker | None:
        """The person of a token this verifier accepted before and whose acceptance still holds;
        None otherwise (then `verifieer` checks it whole). Cheap enough for the event loop."""
        with self._slot:
            gevonden = self._geverifieerd.get(_vingerafdruk(token))
        if gevonden is None or gevonden[1] <= time.time():
            return None
        return gevonden[0]

    def _claims(self, token: str, sleutel: jwt.PyJWK, alg: str) -> dict[str, Any]:
        i = self._instellingen
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=sleutel,
                algorithms=[alg],
                audience=i.audience,
                issuer=i.issuer,
                leeway=i.klokspeling_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as fout:
            raise _vertaal(fout, i) from None
        return claims


GEHEUGEN = 10_000
"""Accepted tokens remembered at most (a bound: past it the memory starts over)."""


def _vingerafdruk(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _publieke_sleutel(jwk: JWK, alg: str) -> jwt.PyJWK:
    # The key decides the algorithm, not the token's header: a key published for RS256 never checks
    # a token that says ES256, and a key without `alg` is used for the header's only if its type fits.
    sleutel_alg = jwk.get("alg", alg)
    if sleutel_alg != alg:
        raise IdentiteitError("algoritme-geweigerd", f"the signing key is for {sleutel_alg}, the token says {alg}")
    try:
        return jwt.PyJWK(jwk, algorithm=alg)
    except jwt.PyJWTError:
        raise IdentiteitError("algoritme-geweigerd", f"the signing key cannot check {alg}") from None


def _vertaal(fout: jwt.PyJWTError, i: OidcInstellingen) -> IdentiteitError:
    # Most specific first: ExpiredSignatureError and InvalidSignatureError are themselves subclasses.
    vertaling: list[tuple[type[jwt.PyJWTError], IdentiteitError]] = [
        (jwt.ExpiredSignatureError, IdentiteitError("token-verlopen", "get a new token with `casus login`")),
        (jwt.ImmatureSignatureError, IdentiteitError("token-nog-niet-geldig", "the token's nbf or iat lies in the future")),
        (jwt.InvalidIssuerError, IdentiteitError("verkeerde-uitgever", f"tokens are accepted from {i.issuer} only")),
        (jwt.InvalidAudienceError, IdentiteitError("verkeerd-publiek", f"the token's aud must include {i.audience!r}")),
        (jwt.MissingRequiredClaimError, IdentiteitError("claim-ontbreekt", f"the token lacks {getattr(fout, 'claim', '?')!r}")),
        (jwt.InvalidAlgorithmError, IdentiteitError("algoritme-geweigerd", "the algorithm does not fit the signing key")),
        (jwt.InvalidSignatureError, IdentiteitError("handtekening-ongeldig", "the token was altered or signed by another key")),
        (jwt.DecodeError, IdentiteitError("token-onleesbaar", "the token's parts are not valid base64url JSON")),
    ]
    for soort, vertaald in vertaling:
        if isinstance(fout, soort):
            return vertaald
    return IdentiteitError("claim-ongeldig", f"a registered claim has the wrong form ({type(fout).__name__})")


def gebruiker_uit(claims: dict[str, Any], namen: Claimnamen) -> Gebruiker:
    """The person of already verified claims, found under the configured claim names."""
    rol = _rol(lees_claim(claims, namen.rol), namen)
    subject = _tekst(claims, namen.subject, verplicht=True)
    assert subject is not None
    partij = None
    if rol == "medewerker":
        partij = _tekst(claims, namen.partij, verplicht=False)
        if partij is None:
            raise IdentiteitError("partij-ontbreekt", f"a caseworker's token names their party in claim {namen.partij!r}")
        try:
            partij = _PARTIJ.validate_python(partij)
        except ValidationError:
            raise IdentiteitError("claim-ongeldig", f"claim {namen.partij!r} is not a party id") from None
    naam = _tekst(claims, namen.naam, verplicht=False) or subject
    return Gebruiker(issuer=str(claims["iss"]), subject=subject, weergavenaam=naam, partij=partij, rol=rol)


def _tekst(claims: dict[str, Any], naam: str, *, verplicht: bool) -> str | None:
    waarde = lees_claim(claims, naam)
    if waarde is None:
        if verplicht:
            raise IdentiteitError("claim-ontbreekt", f"the token lacks claim {naam!r}")
        return None
    if isinstance(waarde, list) and len(waarde) == 1:  # a Keycloak attribute mapper may give a list
        waarde = waarde[0]
    try:
        return _IDENTIFICATIE.validate_python(waarde)
    except ValidationError:
        raise IdentiteitError("claim-ongeldig", f"claim {naam!r} is not a short text without control characters") from None


def _rol(waarde: Any, namen: Claimnamen) -> Rol:
    waarden = [waarde] if isinstance(waarde, str) else waarde if isinstance(waarde, list) else []
    gevonden: set[Rol] = set()
    for w in waarden:
        if isinstance(w, str) and w.startswith(namen.rol_voorvoegsel):
            kaal = w.removeprefix(namen.rol_voorvoegsel).lower()
            gevonden |= {r for r in ROLLEN if r == kaal}
    if len(gevonden) != 1:
        # Two casus roles at once would leave it to this code which one counts: refuse, least surprise.
        staat = "none" if not gevonden else f"{len(gevonden)} ({', '.join(sorted(gevonden))})"
        raise IdentiteitError("rol-onbekend", f"claim {namen.rol!r} must hold exactly one of {', '.join(ROLLEN)}; it holds {staat}")
    return gevonden.pop()


def controleer_als(gebruiker: Gebruiker, als: str) -> None:
    """`--als P`: only a caseworker of party P may act as P."""
    if gebruiker.rol != "medewerker":
        raise IdentiteitError("rol-mag-niet-handelen", f"role {gebruiker.rol} acts as no party; a caseworker's token of {als!r} does")
    if gebruiker.partij != als:
        raise IdentiteitError("partij-geweigerd", f"this token acts as {gebruiker.partij!r} only, not as {als!r}")


def vereis_rol(gebruiker: Gebruiker, toegestaan: Collection[Rol]) -> None:
    if gebruiker.rol not in toegestaan:
        raise IdentiteitError("rol-geweigerd", f"role {gebruiker.rol} may not do this; {', '.join(sorted(toegestaan))} may")
