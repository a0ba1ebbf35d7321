"""The caseworker, operator and auditor commands as clients of the casus API: one HTTP request each,
the token from `casus login` (casus_cli/tokens.py), a refusal (`application/problem+json`) turned into
the exit codes of CONTRACT.md.

No database, no master key and no Temporal on this side: this module imports httpx and the standard
library, never service/, eventstore/, projections/, workflows/, temporalio or psycopg (a test checks).

- CASUS_API_URL: where the API is (default http://127.0.0.1:8480, where `casus dev` serves it).
- 401, 403, 404, 409, 413, 422 and other 4xx: refused, exit 1, with the rule (`regel`, or the access
  reason `reden`) and the field (`veld`) the API names.
- 503, another 5xx, a connection refused or a timeout: exit 3, saying where the CLI looked."""

from __future__ import annotations

import os
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

TRANSPORT: httpx.BaseTransport | None = None
"""Replaces the network for every Api without a transport of its own (tests: httpx.MockTransport)."""


def api_url() -> str:
    """$CASUS_API_URL (an empty one is the default), without a trailing slash."""
    return (os.environ.get("CASUS_API_URL", "").strip() or STANDAARD_API).rstrip("/")


def veilig_adres(basis: str) -> str:
    """A token goes only over TLS, or in clear to this machine or a container's neighbour (a host
    name without dots, such as Compose's `api`): never in clear over a network to another host."""
    schema, _, rest = basis.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if schema == "https" and host:
        return basis
    if schema == "http" and (host in ("127.0.0.1", "::1", "localhost") or (host and "." not in host and ":" not in host)):
        return basis
    raise RefusedError(
        f"{basis} is no address a token may go to: use https (plain http only to this machine or a container's neighbour)",
        veld="CASUS_API_URL",
    )


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
        try:
            with httpx.Client(base_url=self.basis, timeout=timeout, transport=self._transport, follow_redirects=False) as http:
                antwoord = http.request(methode, pad, params=_params(params), json=body, headers=koppen)
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
        antwoord = self.vraag(methode, pad, **opties)
        try:
            return antwoord.json()
        except ValueError:
            raise UnreachableError(
                f"the casus API at {self.basis} answered {methode} {pad} without JSON (HTTP {antwoord.status_code}); "
                "is CASUS_API_URL the API?"
            ) from None


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
    if status >= 500:
        waar = f"the casus API at {basis} answered {status}"
        tekst = f"{detail} ({waar})" + (f"; {geen_antwoord}" if geen_antwoord else "")
        return UnreachableError(f"{tekst}; {STARTEN}", regel=regel, veld=veld)
    if status == 401:
        detail += "; log in (again): `casus login --als …`"
    return RefusedError(detail, regel=regel, veld=veld)
