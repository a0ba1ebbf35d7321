"""The caseworker, operator and auditor commands as clients of the casus API: one HTTP request each,
the token from `casus login` (casus_cli/tokens.py), a refusal (`application/problem+json`) turned into
the exit codes of CONTRACT.md.

No database, no master key and no Temporal on this side: this module imports httpx and the standard
library, never service/, eventstore/, projections/, workflows/, temporalio or psycopg (a test checks).

- CASUS_API_URL: where the API is (default http://127.0.0.1:8480, where `casus dev` serves it).
- 401, 403, 404, 409, 413, 422 and other 4xx: refused, exit 1, with the rule (`regel`, or the access
  reason `reden`) and the field (`veld`) the API names.
- 3xx: refused, exit 1, saying where the API sent the CLI; no redirect is followed (a token goes only
  where CASUS_API_URL says).
- 503, another 5xx, a connection refused or a timeout: exit 3, saying where the CLI looked.
- An answer that is not the casus API's (no JSON object, or a member missing or of another type):
  exit 3, asking whether CASUS_API_URL is the casus API (main.py turns what a command stumbles over
  into that, from GELEZEN)."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from casus_cli import tokens
from casus_cli.fouten import CliError, RefusedError, UnreachableError

if TYPE_CHECKING:
    import httpx

STANDAARD_API = "http://127.0.0.1:8480"
WACHTTIJD_S = 60.0
"""The API waits up to 30 s for a worker; the CLI waits longer than that for the API's answer."""
VERBINDEN_S = 10.0
PROBLEEM = "application/problem+json"
STARTEN = "`casus dev` (or `make dev`) starts a local stack; CASUS_API_URL says where the CLI looks"

MAX_WAARDE = 2000
"""The longest value sent in a query: the longest the API takes there (a reason, `reden`)."""
OPTIES = {"casus_id": "casus", "binnen_dagen": "binnen"}
"""Query parameters whose command-line option has another name (others: `_` as `-`)."""

TRANSPORT: httpx.BaseTransport | None = None
"""Replaces the network for every Api without a transport of its own (tests: httpx.MockTransport)."""
GELEZEN: list[tuple[str, str]] = []
"""The JSON answers read in this run, as (API, `GET /pad`): main.py names the last one when a command
stumbles over an answer of another shape (`vreemd_antwoord`), and empties the list before a command."""


def api_url() -> str:
    """$CASUS_API_URL (an empty one is the default), without a trailing slash."""
    return (os.environ.get("CASUS_API_URL", "").strip() or STANDAARD_API).rstrip("/")


def adres_bezwaar(adres: str) -> str | None:
    """Why a token may not go to `adres`, or None when it may: over TLS to any host, or in clear to
    this machine or a container's neighbour (a host name without dots, such as Compose's `api`), never
    in clear over a network to another host. The host is the one httpx connects to (its own parser);
    a user, a query or a fragment is refused outright: each lets one reader see another host than the
    next (`http://192.0.2.2#@127.0.0.1` goes to 192.0.2.2)."""
    import httpx

    try:
        url = httpx.URL(adres)
    except httpx.InvalidURL as e:
        return f"is no valid address ({e})"
    if url.scheme not in ("http", "https") or not url.host:
        return "is no http(s) address with a host"
    if "?" in adres or "#" in adres:
        return f"has a query or a fragment (`?`, `#`); it would go to {url.host}"
    if url.userinfo or "@" in adres.partition("://")[2].split("/", 1)[0]:
        return f"names a user before its host (`…@`); it would go to {url.host}"
    if url.scheme == "http" and not _deze_machine_of_buur(url.host):
        return f"is plain http to {url.host}, another machine"
    return None


def _deze_machine_of_buur(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host)
    except ValueError:
        try:  # `127.1`, `2130706433`, `0x7f000001`: the resolver reads these as IPv4 addresses too
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return "." not in host and ":" not in host and "%" not in host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def veilig_adres(basis: str, veld: str = "CASUS_API_URL") -> str:
    """`basis` as the CLI uses it (scheme and host in lower case, no trailing slash) when a token may
    go there (`adres_bezwaar`); else refused naming the setting."""
    import httpx

    if (bezwaar := adres_bezwaar(basis)) is not None:
        getoond = re.sub(r"//[^/?#]*@", "//…@", basis)  # a password in the address is not repeated
        raise RefusedError(
            f"{getoond} is no address a token may go to: it {bezwaar}; use https, or plain http only to this machine or a "
            "container's neighbour, without a user, query or fragment",
            veld=veld,
        )
    url = httpx.URL(basis)
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.raw_path.decode('ascii')}".rstrip("/")


def _params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters: None and False left out, True as `true`, moments as ISO 8601."""
    uit: dict[str, str] = {}
    for naam, waarde in (params or {}).items():
        if waarde is None or waarde is False:
            continue
        if waarde is True:
            uit[naam] = "true"
        elif hasattr(waarde, "isoformat"):
            uit[naam] = waarde.isoformat()
        else:
            uit[naam] = str(waarde)
        if len(uit[naam]) > MAX_WAARDE:  # httpx would raise InvalidURL past 64 KiB, a server refuse far sooner
            optie = OPTIES.get(naam, naam.replace("_", "-"))
            raise RefusedError(
                f"--{optie} is {len(uit[naam])} characters long; at most {MAX_WAARDE} are sent (nothing was sent)", veld=optie
            )
    return uit


class Api:
    """One command's connection to the API. `als` chooses the stored token (`--als`); `transport`
    replaces the network (tests)."""

    def __init__(
        self, als: str | None = None, *, basis: str | None = None, token: str | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.als = als
        self.basis = veilig_adres((basis or api_url()).rstrip("/"))
        self._token = token
        self._transport = transport if transport is not None else TRANSPORT

    def token(self) -> str:
        if self._token is None:
            self._token = tokens.kies(self.als, api=self.basis).token
        return self._token

    def vraag(
        self,
        methode: str,
        pad: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        sleutel: str | None = None,
        accept: str = "application/json",
        geen_antwoord: str = "",
        met_token: bool = True,
    ) -> httpx.Response:
        """One request; an answer other than 2xx is raised as the CliError it means. `geen_antwoord`
        says what is true of the request when it went out but no answer came back."""
        import httpx

        koppen = {"Accept": f"{accept}, {PROBLEEM}", "User-Agent": "casus-cli"}
        if met_token:
            koppen["Authorization"] = f"Bearer {self.token()}"
        if sleutel is not None:
            koppen["Idempotency-Key"] = sleutel
        if (wacht := os.environ.get("CASUS_WACHT_OP_WORKER_S")) and wacht.replace(".", "", 1).isdigit():
            # RFC 7240: how long this caller waits for a worker; the API waits no longer than its own setting.
            koppen["Prefer"] = f"wait={max(1, round(float(wacht)))}"
        timeout = httpx.Timeout(WACHTTIJD_S, connect=VERBINDEN_S)
        query = _params(params)
        try:
            with httpx.Client(base_url=self.basis, timeout=timeout, transport=self._transport, follow_redirects=False) as http:
                antwoord = http.request(methode, pad, params=query, json=body, headers=koppen)
        except httpx.InvalidURL as e:  # a path too long, such as a household's SLEUTEL of 70,000 characters
            getoond = pad if len(pad) <= 80 else f"{pad[:80]}…"
            raise RefusedError(f"{methode} {getoond} is no request the CLI can make ({e}); nothing was sent") from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as e:
            raise UnreachableError(
                f"the casus API at {self.basis} cannot be reached ({_oorzaak(e)}); nothing was sent. {STARTEN}"
            ) from None
        except httpx.TimeoutException:
            raise UnreachableError(
                f"no answer from the casus API at {self.basis} within {WACHTTIJD_S:.0f} s" + (f"; {geen_antwoord}" if geen_antwoord else "")
            ) from None
        except httpx.TransportError as e:
            raise UnreachableError(
                f"the connection to the casus API at {self.basis} failed ({_oorzaak(e)})" + (f"; {geen_antwoord}" if geen_antwoord else "")
            ) from None
        if antwoord.is_success:
            return antwoord
        raise fout_uit(antwoord, self.basis, geen_antwoord)

    def json(self, methode: str, pad: str, **opties: Any) -> Any:
        """The answer's JSON object; anything else is not the casus API's answer (exit 3)."""
        antwoord = self.vraag(methode, pad, **opties)
        GELEZEN.append((self.basis, f"{methode} {pad}"))
        try:
            inhoud = antwoord.json()
        except (ValueError, RecursionError):  # not JSON, or nested beyond reading
            inhoud = None
        if not isinstance(inhoud, dict):
            raise vreemd_antwoord(self.basis, f"{methode} {pad}", f"HTTP {antwoord.status_code} without a JSON object")
        return inhoud


def vreemd_antwoord(basis: str, verzoek: str, wat: str) -> UnreachableError:
    """The server at CASUS_API_URL answered, but not as the casus API does (`wat`: how not)."""
    return UnreachableError(
        f"the server at CASUS_API_URL ({basis}) did not answer {verzoek} as the casus API does ({wat}); "
        f"is CASUS_API_URL the casus API? {STARTEN}",
        veld="CASUS_API_URL",
    )


def _oorzaak(e: Exception) -> str:
    tekst = str(e).strip()
    return f"{type(e).__name__}: {tekst}" if tekst else type(e).__name__


def probleem_van(antwoord: httpx.Response) -> dict[str, Any]:
    """The problem details of an error answer (RFC 9457), or {} when it carries none."""
    try:
        inhoud = antwoord.json()
    except ValueError:
        return {}
    return inhoud if isinstance(inhoud, dict) else {}


def fout_uit(antwoord: httpx.Response, basis: str, geen_antwoord: str = "") -> CliError:
    """An error answer as the CLI's error: 5xx unreachable (exit 3), every 4xx refused (exit 1)."""
    probleem = probleem_van(antwoord)
    status = antwoord.status_code
    detail = str(probleem.get("detail") or probleem.get("title") or antwoord.text.strip()[:300] or f"HTTP {status}")
    regel = probleem.get("regel") or probleem.get("reden")
    veld = probleem.get("veld")
    regel = str(regel) if regel is not None else None
    veld = str(veld).removeprefix("velden.") if veld is not None else None
    if 300 <= status < 400:
        return _omleiding(antwoord, basis)
    if status >= 500:
        waar = f"the casus API at {basis} answered {status}"
        tekst = f"{detail} ({waar})" + (f"; {geen_antwoord}" if geen_antwoord else "")
        return UnreachableError(f"{tekst}; {STARTEN}", regel=regel, veld=veld)
    if status == 401:
        detail += "; log in (again): `casus login --als …`"
    return RefusedError(detail, regel=regel, veld=veld)


def _omleiding(antwoord: httpx.Response, basis: str) -> RefusedError:
    """A redirect is not followed (the token would go along): say where it points, and the
    CASUS_API_URL that would reach the API there."""
    import httpx

    verzoek = antwoord.request
    wat = f"the casus API at {basis} answered {verzoek.method} {verzoek.url.path} with a redirect (HTTP {antwoord.status_code})"
    if not (kop := antwoord.headers.get("Location", "").strip()):
        return RefusedError(f"{wat} without saying where; nothing was followed: is CASUS_API_URL the casus API?", veld="CASUS_API_URL")
    try:
        doel = verzoek.url.join(kop)
    except httpx.InvalidURL:
        return RefusedError(f"{wat} to an invalid address ({kop[:200]!r}); nothing was followed", veld="CASUS_API_URL")
    # The address the CLI would need: the target without the path the command asked for.
    gevraagd = verzoek.url.path.removeprefix(httpx.URL(basis).path.rstrip("/"))
    pad = doel.path.removesuffix(gevraagd) if gevraagd not in ("", "/") and doel.path.endswith(gevraagd) else doel.path
    voorstel = f"{doel.scheme}://{doel.netloc.decode('ascii')}{pad}".rstrip("/")
    bezwaar = adres_bezwaar(voorstel)
    return RefusedError(
        f"{wat} to {str(doel)[:300]}; nothing was followed (a token goes only where CASUS_API_URL says): if the casus API is "
        f"there, set CASUS_API_URL={voorstel}" + (f" (but a token may not go there: it {bezwaar})" if bezwaar else ""),
        veld="CASUS_API_URL",
    )
