"""The issuer's public keys, found through its discovery document and kept for a bounded time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from api.fouten import IdentiteitError

JWK = dict[str, Any]


class Sleutelbron:
    """The signing keys of one issuer by `kid`, fetched from its `jwks_uri`.

    Keys are trusted for `geldig_s`; a `kid` not among them fetches the set again (a rotated key),
    at most once per `herhaal_na_s`. Symmetric (`oct`) and encryption keys are never kept."""

    def __init__(
        self,
        issuer: str,
        *,
        geldig_s: float = 300.0,
        herhaal_na_s: float = 10.0,
        timeout_s: float = 5.0,
        client: httpx.Client | None = None,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        self._issuer = issuer
        self._geldig_s = geldig_s
        self._herhaal_na_s = herhaal_na_s
        self._eigen_client = client is None
        self._client = client or httpx.Client(timeout=timeout_s, follow_redirects=False)
        self._klok = klok
        self._slot = threading.Lock()
        self._sleutels: dict[str, JWK] = {}
        self._opgehaald: float | None = None

    def sluit(self) -> None:
        if self._eigen_client:
            self._client.close()

    def sleutel(self, kid: str) -> JWK:
        with self._slot:
            nu = self._klok()
            leeftijd = float("inf") if self._opgehaald is None else nu - self._opgehaald
            if leeftijd >= self._geldig_s or (kid not in self._sleutels and leeftijd >= self._herhaal_na_s):
                self._haal_op(nu)
            if kid not in self._sleutels:
                raise IdentiteitError("sleutel-onbekend", f"the issuer publishes no signing key with kid {kid[:64]!r}")
            return self._sleutels[kid]

    def _haal_op(self, nu: float) -> None:
        ontdekking = self._json(f"{self._issuer.rstrip('/')}/.well-known/openid-configuration")
        # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        if ontdekking.get("issuer") != self._issuer:
            raise IdentiteitError("uitgever-onbereikbaar", "the discovery document names another issuer than CASUS_OIDC_ISSUER")
        jwks_uri = ontdekking.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise IdentiteitError("uitgever-onbereikbaar", "the discovery document has no jwks_uri")
        sleutels = self._json(jwks_uri).get("keys")
        if not isinstance(sleutels, list):
            raise IdentiteitError("uitgever-onbereikbaar", "the JWKS has no list of keys")
        self._sleutels = {k["kid"]: k for k in sleutels if _ondertekensleutel(k)}
        self._opgehaald = nu

    def _json(self, url: str) -> dict[str, Any]:
        try:
            antwoord = self._client.get(url, headers={"Accept": "application/json"})
            antwoord.raise_for_status()
            inhoud = antwoord.json()
        except (httpx.HTTPError, ValueError) as fout:
            raise IdentiteitError("uitgever-onbereikbaar", f"{url} did not answer with JSON ({type(fout).__name__})") from None
        if not isinstance(inhoud, dict):
            raise IdentiteitError("uitgever-onbereikbaar", f"{url} did not answer with a JSON object")
        return inhoud


def _ondertekensleutel(jwk: Any) -> bool:
    return (
        isinstance(jwk, dict)
        and isinstance(jwk.get("kid"), str)
        and jwk.get("kty") in {"RSA", "EC", "OKP"}
        and jwk.get("use", "sig") == "sig"
    )
