"""Why a token or an identity was refused: one exception with a reason code, ready to become an
RFC 7807 problem (`application/problem+json`) and, for a 401, an RFC 6750 challenge."""

from __future__ import annotations

from typing import Any, Literal

Reden = Literal[
    "token-ontbreekt",
    "token-onleesbaar",
    "algoritme-geweigerd",
    "sleutel-onbekend",
    "handtekening-ongeldig",
    "token-verlopen",
    "token-nog-niet-geldig",
    "verkeerde-uitgever",
    "verkeerd-publiek",
    "claim-ontbreekt",
    "claim-ongeldig",
    "rol-onbekend",
    "partij-ontbreekt",
    "partij-onbekend",
    "rol-geweigerd",
    "rol-mag-niet-handelen",
    "partij-geweigerd",
    "uitgever-onbereikbaar",
]

# 401: who is asking is not established, ask again with a (new) token. 403: who is asking is known,
# and may not do this. 503: the issuer's keys cannot be had, so nobody can be checked now.
_STATUS: dict[str, int] = {
    "rol-onbekend": 403,
    "partij-ontbreekt": 403,
    "partij-onbekend": 403,
    "rol-geweigerd": 403,
    "rol-mag-niet-handelen": 403,
    "partij-geweigerd": 403,
    "uitgever-onbereikbaar": 503,
}

_TITEL: dict[str, str] = {
    "token-ontbreekt": "No bearer token",
    "token-onleesbaar": "The token is not a readable JWT",
    "algoritme-geweigerd": "The token's signature algorithm is not accepted",
    "sleutel-onbekend": "The token was signed with a key the issuer does not publish",
    "handtekening-ongeldig": "The token's signature does not match",
    "token-verlopen": "The token has expired",
    "token-nog-niet-geldig": "The token is not valid yet",
    "verkeerde-uitgever": "The token comes from another issuer",
    "verkeerd-publiek": "The token is meant for another audience",
    "claim-ontbreekt": "The token lacks a required claim",
    "claim-ongeldig": "A claim of the token is not acceptable",
    "rol-onbekend": "The token carries no casus role",
    "partij-ontbreekt": "A caseworker's token names no party",
    "partij-onbekend": "A caseworker's token names a party these agreements do not know",
    "rol-geweigerd": "This role may not do this",
    "rol-mag-niet-handelen": "This role acts as no party",
    "partij-geweigerd": "The token does not allow acting as this party",
    "uitgever-onbereikbaar": "The identity provider cannot be reached",
}


class IdentiteitError(Exception):
    """A token or identity refused, with its reason code and a sentence saying what would be accepted."""

    def __init__(self, reden: Reden, detail: str) -> None:
        super().__init__(f"{reden}: {detail}")
        self.reden: Reden = reden
        self.detail = detail

    @property
    def status(self) -> int:
        return _STATUS.get(self.reden, 401)

    @property
    def titel(self) -> str:
        return _TITEL[self.reden]

    @property
    def www_authenticate(self) -> str | None:
        """The `WWW-Authenticate` header a 401 answers with (RFC 6750 §3), None otherwise."""
        if self.status != 401:
            return None
        if self.reden == "token-ontbreekt":
            return 'Bearer realm="casus"'
        return f'Bearer realm="casus", error="invalid_token", error_description="{self.reden}"'

    def als_probleem(self, type_basis: str = "urn:casus:probleem:") -> dict[str, Any]:
        """The RFC 7807 members; the API adds `instance`. The detail names no token content."""
        return {"type": f"{type_basis}{self.reden}", "title": self.titel, "status": self.status, "detail": self.detail, "reden": self.reden}
