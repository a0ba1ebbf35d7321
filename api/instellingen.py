"""How the API trusts an OpenID Connect issuer: its address, the audience, and where its tokens keep
who is acting (CASUS_OIDC_*). Defaults suit Keycloak; docs/IDENTITEIT.md gives Entra ID's names."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only signatures a public key can check: a symmetric algorithm would let anyone holding the
# issuer's public key (everyone) mint tokens, and `none` is no signature at all.
ASYMMETRISCH = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class Claimnamen(BaseModel):
    """Where a token keeps the person, the display name, the party and the role.

    A name is first looked up as given (Entra's `extn.partij` has a dot in it); when absent, a dotted
    name is followed into nested objects (Keycloak's `realm_access.roles`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = "sub"
    naam: str = "preferred_username"
    partij: str = "partij"
    rol: str = "realm_access.roles"
    rol_voorvoegsel: str = ""
    """Stripped from role values before they are matched (`casus-auditor` with `casus-`)."""


class OidcInstellingen(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASUS_OIDC_", extra="ignore", env_ignore_empty=True, frozen=True)

    issuer: str
    """Exactly the `iss` of the tokens and of the discovery document, e.g. https://sso.example.nl/realms/casus."""
    audience: str = "casus-api"
    algoritmen: tuple[str, ...] = ("RS256", "ES256", "EdDSA")
    klokspeling_s: float = Field(default=30.0, ge=0, le=300)
    """Leeway for `exp`, `nbf` and `iat` between the issuer's clock and ours."""
    jwks_geldig_s: float = Field(default=300.0, gt=0, le=86_400)
    """How long fetched keys are trusted before the JWKS is fetched again."""
    jwks_herhaal_na_s: float = Field(default=10.0, ge=0)
    """An unknown `kid` refetches the JWKS at most this often, so random kids cannot flood the issuer."""
    http_timeout_s: float = Field(default=5.0, gt=0)
    claim_subject: str = "sub"
    claim_naam: str = "preferred_username"
    claim_partij: str = "partij"
    claim_rol: str = "realm_access.roles"
    rol_voorvoegsel: str = ""

    @field_validator("issuer")
    @classmethod
    def _https_buiten_deze_machine(cls, waarde: str) -> str:
        # Keys fetched over plain HTTP from another machine could be swapped on the way.
        deel = urlsplit(waarde)
        if deel.scheme == "https" and deel.hostname:
            return waarde
        if deel.scheme == "http" and deel.hostname in _LOOPBACK:
            return waarde
        raise ValueError("CASUS_OIDC_ISSUER is an https URL (plain http only on 127.0.0.1 or localhost)")

    @field_validator("algoritmen")
    @classmethod
    def _alleen_asymmetrisch(cls, waarde: tuple[str, ...]) -> tuple[str, ...]:
        if not waarde or not set(waarde) <= ASYMMETRISCH:
            raise ValueError(f"CASUS_OIDC_ALGORITMEN takes asymmetric algorithms only, from {sorted(ASYMMETRISCH)}")
        return waarde

    @property
    def claimnamen(self) -> Claimnamen:
        return Claimnamen(
            subject=self.claim_subject,
            naam=self.claim_naam,
            partij=self.claim_partij,
            rol=self.claim_rol,
            rol_voorvoegsel=self.rol_voorvoegsel,
        )


_AFWEZIG = object()


def lees_claim(claims: dict[str, Any], naam: str) -> Any:
    """The claim's value, or None when the token has none."""
    if naam in claims:
        return claims[naam]
    waarde: Any = claims
    for deel in naam.split("."):
        waarde = waarde.get(deel, _AFWEZIG) if isinstance(waarde, dict) else _AFWEZIG
        if waarde is _AFWEZIG:
            return None
    return waarde


def zet_claim(claims: dict[str, Any], naam: str, waarde: Any) -> None:
    """Put a claim where `lees_claim` finds it (nested along the dots), as an issuer of that shape would."""
    *pad, laatste = naam.split(".")
    doel = claims
    for deel in pad:
        doel = doel.setdefault(deel, {})
    doel[laatste] = waarde
