"""Getting a token for `casus login`: the OAuth 2.0 device authorization grant (RFC 8628) against any
OpenID Connect issuer, or the development issuer's own login.

Only httpx, the standard library and the CLI's address rule (casus_cli/client.py `adres_bezwaar`:
the issuer and every endpoint the CLI posts to get what a token gets, https or this machine): the CLI
imports this and must start fast. The development issuer (api/uitgever_kern.py) names the same
grants; a test checks they agree."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from casus_cli.client import adres_bezwaar

APPARAAT_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ONTWIKKEL_GRANT = "urn:casus:params:oauth:grant-type:ontwikkeling"


class AanmeldError(Exception):
    """The login did not give a token: `geweigerd`, `verlopen`, `onbereikbaar`, `uitgever-fout` or
    `onveilig-adres` (an address a code or a token may not go to or come from)."""

    def __init__(self, reden: str, detail: str) -> None:
        super().__init__(f"{reden}: {detail}")
        self.reden = reden
        self.detail = detail


@dataclass(frozen=True)
class Apparaatcode:
    """What the person is shown: go to `verification_uri` and enter `user_code`."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float


@dataclass(frozen=True)
class Token:
    access_token: str
    token_type: str
    expires_in: int | None = None
    refresh_token: str | None = None
    id_token: str | None = None


def ontdek(issuer: str, client: httpx.Client) -> dict[str, Any]:
    """The issuer's discovery document, checked to be the issuer's own, with the endpoints the CLI
    posts to at addresses a token may come from."""
    _veilig("the issuer", issuer)
    document = _json(client, "GET", f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    if document.get("issuer") != issuer:
        raise AanmeldError("uitgever-fout", f"the discovery document at {issuer} names issuer {document.get('issuer')!r}")
    for eindpunt in ("token_endpoint", "device_authorization_endpoint"):
        if isinstance(adres := document.get(eindpunt), str):
            _veilig(f"the issuer's {eindpunt}", adres)
    if not isinstance(document.get("grant_types_supported", []), list):
        document["grant_types_supported"] = []
    return document


def _token_endpoint(document: dict[str, Any]) -> str:
    if not isinstance(eindpunt := document.get("token_endpoint"), str):
        raise AanmeldError("uitgever-fout", f"the discovery document of {document.get('issuer')} names no token_endpoint")
    return eindpunt


def _veilig(wat: str, adres: str) -> None:
    if (bezwaar := adres_bezwaar(adres)) is not None:
        raise AanmeldError("onveilig-adres", f"{wat} {adres} is no address a login may use: it {bezwaar}")


def apparaat_aanmelden(
    issuer: str,
    client_id: str,
    *,
    toon: Callable[[Apparaatcode], None],
    scope: str = "openid",
    client: httpx.Client | None = None,
    slaap: Callable[[float], None] = time.sleep,
    klok: Callable[[], float] = time.monotonic,
) -> Token:
    """Ask for a device code, `toon` it to the person, and poll the token endpoint until they approve."""
    with _client(client) as http:
        document = ontdek(issuer, http)
        token_eindpunt = _token_endpoint(document)
        eindpunt = document.get("device_authorization_endpoint")
        if not isinstance(eindpunt, str):
            raise AanmeldError("uitgever-fout", f"{issuer} offers no device authorization grant")
        antwoord = _json(http, "POST", eindpunt, {"client_id": client_id, "scope": scope})
        try:
            device_code = str(antwoord["device_code"])
            code = Apparaatcode(
                user_code=str(antwoord["user_code"]),
                verification_uri=str(antwoord["verification_uri"]),
                verification_uri_complete=antwoord.get("verification_uri_complete"),
                expires_in=float(antwoord["expires_in"]),
                interval=float(antwoord.get("interval", 5)),
            )
        except (KeyError, TypeError, ValueError):
            raise AanmeldError("uitgever-fout", "the device authorization response lacks a required member") from None
        toon(code)
        formulier = {"grant_type": APPARAAT_GRANT, "device_code": device_code, "client_id": client_id}
        return _wacht(http, token_eindpunt, formulier, code, slaap, klok)


def _wacht(
    http: httpx.Client,
    eindpunt: str,
    formulier: dict[str, str],
    code: Apparaatcode,
    slaap: Callable[[float], None],
    klok: Callable[[], float],
) -> Token:
    interval, einde = code.interval, klok() + code.expires_in
    while True:
        slaap(interval)
        try:
            antwoord = http.post(eindpunt, data=formulier, headers={"Accept": "application/json"})
        except httpx.TransportError:
            interval *= 2  # RFC 8628 §3.5: back off on a connection timeout
        else:
            fout = _fout_of_token(antwoord)
            if isinstance(fout, Token):
                return fout
            if fout == "slow_down":
                interval += 5
            elif fout in {"access_denied", "authorization_declined"}:  # the latter: Entra ID's word for it
                raise AanmeldError("geweigerd", "the login was refused at the issuer")
            elif fout == "expired_token":
                raise AanmeldError("verlopen", "the code was not entered in time; log in again")
            elif fout != "authorization_pending":
                raise AanmeldError("uitgever-fout", f"the token endpoint answered {fout}")
        if klok() >= einde:
            raise AanmeldError("verlopen", "the code was not entered in time; log in again")


def biedt_ontwikkeling(issuer: str, *, client: httpx.Client | None = None) -> bool:
    """Whether the issuer offers the development login (anyone may be anyone): the development
    issuer of `casus dev` and of the tests says so in its discovery document; a real one never does."""
    with _client(client) as http:
        return ONTWIKKEL_GRANT in ontdek(issuer, http).get("grant_types_supported", [])


def ontwikkel_aanmelden(
    issuer: str, als: str, medewerker: str | None = None, *, client_id: str = "casus-cli", client: httpx.Client | None = None
) -> Token:
    """The development issuer's login: a token for party `als` (with `medewerker`) or role `als`."""
    with _client(client) as http:
        document = ontdek(issuer, http)
        if ONTWIKKEL_GRANT not in document.get("grant_types_supported", []):
            raise AanmeldError("uitgever-fout", f"{issuer} is not the development issuer; log in with the device flow")
        formulier = {"grant_type": ONTWIKKEL_GRANT, "client_id": client_id, "als": als, "medewerker": medewerker or ""}
        antwoord = http.post(_token_endpoint(document), data=formulier)
        token = _fout_of_token(antwoord)
        if not isinstance(token, Token):
            raise AanmeldError("geweigerd", f"the development issuer answered {token}")
        return token


def _fout_of_token(antwoord: httpx.Response) -> Token | str:
    try:
        inhoud = antwoord.json()
    except ValueError:
        return f"HTTP {antwoord.status_code} without JSON"
    if not isinstance(inhoud, dict):
        return f"HTTP {antwoord.status_code} without a JSON object"
    if antwoord.status_code == 200 and isinstance(inhoud.get("access_token"), str):
        return Token(
            access_token=inhoud["access_token"],
            token_type=str(inhoud.get("token_type", "Bearer")),
            expires_in=inhoud.get("expires_in"),
            refresh_token=inhoud.get("refresh_token"),
            id_token=inhoud.get("id_token"),
        )
    fout = inhoud.get("error")
    beschrijving = inhoud.get("error_description")
    return str(fout) if beschrijving is None or fout in _POLLFOUTEN else f"{fout} ({beschrijving})"


_POLLFOUTEN = frozenset({"authorization_pending", "slow_down", "access_denied", "authorization_declined", "expired_token"})


def _json(client: httpx.Client, methode: str, url: str, formulier: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        antwoord = client.request(methode, url, data=formulier, headers={"Accept": "application/json"})
        antwoord.raise_for_status()
        inhoud = antwoord.json()
    except httpx.HTTPStatusError as fout:
        raise AanmeldError("uitgever-fout", f"{url} answered HTTP {fout.response.status_code}") from None
    except httpx.TransportError as fout:
        raise AanmeldError("onbereikbaar", f"{url} cannot be reached ({type(fout).__name__})") from None
    except ValueError:
        raise AanmeldError("uitgever-fout", f"{url} did not answer with JSON") from None
    if not isinstance(inhoud, dict):
        raise AanmeldError("uitgever-fout", f"{url} did not answer with a JSON object")
    return inhoud


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    """The caller's client as it is, or a new one closed afterwards."""
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=10.0, follow_redirects=False) as eigen:
        yield eigen
