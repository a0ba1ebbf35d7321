"""The tokens `casus login` got, in a file of the user's own (mode 0600), one per `--als` value; the
last login is the active one.

Which token a command sends: `CASUS_TOKEN` (a raw JWT) when set; else, with `--als P`, the token
stored for P, and none at all when P has none (another party's token never stands in for the one
named); else the active token. `--als` only chooses among one's own tokens: the API checks it
against the token, which alone says who acts, but a read does not name P to the API; so a token whose
party claim (read unverified) names another party than `--als P` is not sent at all. A stored token goes only to the API it was got for
(`casus login` notes it): pointed at another API, the CLI sends nothing and says to log in there.

Standard library only: the CLI imports this on every request."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casus_cli.fouten import NietAangemeldError, RefusedError

SPELING_S = 30
"""A token this close to its expiry still goes out: the API allows as much clock skew."""


def token_bestand() -> Path:
    """$CASUS_TOKEN_BESTAND, else $XDG_CONFIG_HOME/casus/tokens.json (default ~/.config/casus/tokens.json)."""
    if pad := os.environ.get("CASUS_TOKEN_BESTAND"):
        return Path(pad).expanduser()
    basis = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(basis).expanduser() / "casus" / "tokens.json"


@dataclass(frozen=True)
class Gekozen:
    """The token a request carries and where it came from (`CASUS_TOKEN` or the `als` it is stored under)."""

    token: str
    bron: str
    als: str | None


def lees(bestand: Path | None = None) -> dict[str, Any]:
    """The stored tokens: {"actief": als or None, "tokens": {als: {...}}}; none when the file is absent."""
    bestand = bestand or token_bestand()
    try:
        tekst = bestand.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"actief": None, "tokens": {}}
    except OSError as e:
        raise RefusedError(f"the token file {bestand} cannot be read: {e.strerror}", veld="CASUS_TOKEN_BESTAND") from None
    try:
        data = json.loads(tekst)
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), dict):
            raise ValueError
    except ValueError:
        raise RefusedError(
            f"the token file {bestand} is not one `casus login` wrote; remove it (`casus logout`) and log in again",
            veld="CASUS_TOKEN_BESTAND",
        ) from None
    return {"actief": data.get("actief"), "tokens": data["tokens"]}


def schrijf(data: dict[str, Any], bestand: Path | None = None) -> Path:
    """Replaces the file at once (a reader sees the old or the new one), mode 0600 from its first byte."""
    bestand = bestand or token_bestand()
    bestand.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tijdelijk = bestand.with_name(f".{bestand.name}.{os.getpid()}.tmp")
    fd = os.open(tijdelijk, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tijdelijk, bestand)
    except BaseException:
        with contextlib.suppress(OSError):
            tijdelijk.unlink()
        raise
    return bestand


def bewaar(als: str, access_token: str, *, issuer: str | None, api: str | None, medewerker: str | None = None) -> Path:
    """Stores the token under `als` and makes it the active one."""
    data = lees()
    claims = claims_van(access_token)
    data["tokens"][als] = {
        "access_token": access_token,
        "issuer": issuer,
        "api": api,
        "medewerker": medewerker,
        "verloopt": claims.get("exp") if isinstance(claims.get("exp"), int | float) else None,
        "opgeslagen": int(time.time()),
    }
    data["actief"] = als
    return schrijf(data)


def verwijder(als: str | None = None) -> list[str]:
    """Removes the token stored for `als`, or (None) every token and the file; returns what was removed."""
    bestand = token_bestand()
    data = lees(bestand)
    weg = sorted(data["tokens"]) if als is None else [als] if als in data["tokens"] else []
    for naam in weg:
        del data["tokens"][naam]
    if not data["tokens"]:
        with contextlib.suppress(FileNotFoundError):
            bestand.unlink()
        return weg
    if data["actief"] not in data["tokens"]:
        data["actief"] = None
    schrijf(data, bestand)
    return weg


ROLLEN = frozenset({"medewerker", "auditor", "operator", "beheerder"})
"""`--als` naming a role, not a party (domain/toegang.py): a role's token names no party to compare."""
PARTIJCLAIMS = ("partij", "extn.casusPartij")
"""Where a token names its party: the API's default claim and Entra ID's (docs/IDENTITEIT.md)."""


def kies(als: str | None, *, api: str | None = None, nu: float | None = None) -> Gekozen:
    """The token a command sends to the API at `api` (see the module's doc); none is exit 1 saying
    how to log in. Without `api` (showing a token, not sending it) any stored token is chosen."""
    gekozen = _kies(als, api=api, nu=nu)
    if api is not None and als is not None:
        _voor_partij(gekozen, als)
    return gekozen


def _voor_partij(gekozen: Gekozen, als: str) -> None:
    """`--als P` with a token for another party is refused before anything is sent: a read does not
    name P to the API, which would answer for the token's party as if P had been asked for. A role
    (`--als auditor`) takes a token that names no party; a party, a token that names it."""
    claims = claims_van(gekozen.token)
    partij = partij_van(claims)
    if als in ROLLEN:
        if partij is None:
            return
        geweigerd = f"is a token of a caseworker of {partij} (its party claim, unverified), not of the role {als}"
    elif partij == als or not claims:
        return  # the party named; or no readable claims at all (not a JWT): the API decides
    elif partij is None:
        geweigerd = f"names no party (a role's token, its claims unverified), not {als}"
    else:
        geweigerd = f"is a token for {partij} (its party claim, unverified), not for {als}"
    raad = [f"give --als {partij}"] if partij is not None else []
    if gekozen.bron == "CASUS_TOKEN":
        waar = "CASUS_TOKEN"
        raad.append(f"unset CASUS_TOKEN and run `casus login --als {als}`")
    else:
        waar = f"the token stored for {als}"
        raad.append(f"run `casus login --als {als}` again")
    raise RefusedError(f"{waar} {geweigerd}; nothing was sent: {', or '.join(raad)}", regel="partij-geweigerd", veld="als")


def _kies(als: str | None, *, api: str | None, nu: float | None) -> Gekozen:
    if ruw := os.environ.get("CASUS_TOKEN", "").strip():
        return Gekozen(token=ruw, bron="CASUS_TOKEN", als=None)
    data = lees()
    tokens: dict[str, Any] = data["tokens"]
    opgeslagen_namen = f" (stored: {', '.join(sorted(tokens))})" if tokens else ""
    if als is not None and als not in tokens:
        raise NietAangemeldError(f"not logged in as {als}{opgeslagen_namen}: run `casus login --als {als}`")
    naam = als if als is not None else data["actief"] if data["actief"] in tokens else None
    if naam is None and tokens:
        raise NietAangemeldError(f"no active token: give --als{opgeslagen_namen}, or run `casus login --als …`")
    if naam is None:
        raise NietAangemeldError("not logged in: run `casus login --als …`")
    opgeslagen = tokens[naam]
    token = opgeslagen.get("access_token") if isinstance(opgeslagen, dict) else None
    if not isinstance(token, str) or not token:
        raise NietAangemeldError(f"the token stored for {naam} is unreadable: run `casus login --als {naam}`")
    if api is not None and (voor := opgeslagen.get("api")) != api:
        # A bearer token works for whoever holds it: it never goes to a server it was not got for.
        raise NietAangemeldError(
            f"the token stored for {naam} was got for the API at {voor or 'an unnamed API'}, not {api}; nothing was sent:"
            f" run `casus login --als {naam}` with CASUS_API_URL={api}"
        )
    verloopt = opgeslagen.get("verloopt")
    if isinstance(verloopt, int | float) and verloopt + SPELING_S < (time.time() if nu is None else nu):
        moment = time.strftime("%Y-%m-%d %H:%M", time.localtime(verloopt))
        raise NietAangemeldError(f"the token for {naam} expired at {moment}: run `casus login --als {naam}`")
    return Gekozen(token=token, bron=str(token_bestand()), als=naam)


def claims_van(token: str) -> dict[str, Any]:
    """The payload of a JWT, decoded WITHOUT checking its signature: for showing only (the API checks)."""
    delen = token.split(".")
    if len(delen) != 3:
        return {}
    try:
        ruw = base64.urlsafe_b64decode(delen[1] + "=" * (-len(delen[1]) % 4))
        claims = json.loads(ruw)
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def partij_van(claims: dict[str, Any]) -> str | None:
    """The party a token's claims name, looked up as the API does: under $CASUS_OIDC_CLAIM_PARTIJ
    when set here too, else PARTIJCLAIMS; a name as written first, then along its dots (nested)."""
    eigen = os.environ.get("CASUS_OIDC_CLAIM_PARTIJ", "").strip()
    for naam in (eigen, *PARTIJCLAIMS) if eigen else PARTIJCLAIMS:
        waarde: Any = claims.get(naam)
        if waarde is None:
            waarde = claims
            for deel in naam.split("."):
                waarde = waarde.get(deel) if isinstance(waarde, dict) else None
        if isinstance(waarde, list) and len(waarde) == 1:  # a Keycloak attribute mapper may give a list
            waarde = waarde[0]
        if isinstance(waarde, str) and waarde:
            return waarde
    return None


def beschrijving(gekozen: Gekozen) -> dict[str, Any]:
    """What `casus login --toon` shows of a token: who, which role and party, until when (unverified)."""
    claims = claims_van(gekozen.token)
    rollen = claims.get("realm_access", {}).get("roles") if isinstance(claims.get("realm_access"), dict) else claims.get("roles")
    verloopt = claims.get("exp")
    return {
        "als": gekozen.als,
        "bron": gekozen.bron,
        "issuer": claims.get("iss"),
        "subject": claims.get("sub"),
        "naam": claims.get("preferred_username") or claims.get("name"),
        "partij": partij_van(claims),
        "rollen": rollen,
        "verloopt": (time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(verloopt)) if isinstance(verloopt, int | float) else None),
        "verlopen": isinstance(verloopt, int | float) and verloopt < time.time(),
    }
