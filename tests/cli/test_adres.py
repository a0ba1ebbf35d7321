"""A token never goes in clear over a network to another host (casus_cli/client.py `veilig_adres`)."""

from __future__ import annotations

import httpx
import pytest

from casus_cli import client as cli_client
from casus_cli.client import veilig_adres
from casus_cli.fouten import CliError, RefusedError


@pytest.mark.parametrize(
    "adres",
    ["https://casus.example.nl", "https://casus.example.nl:8443/api", "http://127.0.0.1:8480", "http://localhost:8480",
     "http://[::1]:8480", "http://api:8480"],
)  # fmt: skip
def test_tls_or_this_machine_or_a_containers_neighbour_is_accepted(adres: str) -> None:
    assert veilig_adres(adres) == adres


@pytest.mark.parametrize(
    "adres",
    ["http://casus.gemeente.example.nl", "http://10.0.0.5:8480", "http://[2001:db8::1]:8480", "ftp://casus.example.nl",
     "casus.example.nl", "http://user@casus.example.nl"],
)  # fmt: skip
def test_plain_http_to_another_host_is_refused_naming_the_setting(adres: str) -> None:
    with pytest.raises(RefusedError) as e:
        veilig_adres(adres)
    assert e.value.veld == "CASUS_API_URL"


@pytest.mark.storing
def test_the_cli_never_sends_a_token_in_clear_to_another_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: CASUS_API_URL points at `http://casus.gemeente.example.nl` (a typo of https, a stale
    setting, or an attacker's suggestion). Today the CLI sends `Authorization: Bearer <token>` over
    plain HTTP to that host, where anyone on the path can take the token and act as the caseworker
    until it expires; the API side insists on https for its issuer for this very reason. Expected:
    the CLI refuses (exit 1 or 2, naming CASUS_API_URL) before anything is sent; plain http only to a
    loopback address."""
    verzonden: list[httpx.Request] = []

    def behandel(verzoek: httpx.Request) -> httpx.Response:
        verzonden.append(verzoek)
        return httpx.Response(200, json={"casussen": [], "caseload": [], "pagina": {}})

    monkeypatch.setattr(cli_client, "TRANSPORT", httpx.MockTransport(behandel))
    monkeypatch.setenv("CASUS_API_URL", "http://casus.gemeente.example.nl")
    monkeypatch.setenv("CASUS_TOKEN", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbm5hIn0.handtekening")
    with pytest.raises(CliError):
        cli_client.Api().json("GET", "/casussen")
    assert not [v for v in verzonden if "authorization" in v.headers], "the token went out over plain http"
