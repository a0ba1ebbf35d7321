"""A token never goes in clear over a network to another host (casus_cli/client.py `veilig_adres`)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from casus_cli import aanmelden
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


@pytest.mark.parametrize(
    ("adres", "host"),
    [("http://192.0.2.2:23917#@127.0.0.1", "192.0.2.2"), ("http://192.0.2.2:23917?@localhost", "192.0.2.2"),
     ("http://127.0.0.1:1@evil", "evil"), ("http://api#", "api"), ("http://127.0.0.1:8480?x=1", "127.0.0.1"),
     ("https://anna:geheim@casus.example.nl", "casus.example.nl"), ("http://api\\@casus.example.nl", "casus.example.nl")],
)  # fmt: skip
def test_a_user_query_or_fragment_is_refused_naming_the_host_httpx_would_reach(adres: str, host: str) -> None:
    """The host is judged as httpx finds it, and an address that two parsers could read as two hosts
    is refused outright: `#@127.0.0.1` made the old check see 127.0.0.1 where httpx went to 192.0.2.2."""
    assert httpx.URL(adres).host == host
    with pytest.raises(RefusedError) as e:
        veilig_adres(adres)
    assert e.value.veld == "CASUS_API_URL" and host in e.value.melding and "geheim" not in e.value.melding


@pytest.mark.parametrize("adres", ["http://167772165:8480", "http://0x0a000005", "http://10.5", "http://[::ffff:10.0.0.5]:8480"])
def test_another_machines_ip_address_in_a_form_without_dots_is_not_a_containers_neighbour(adres: str) -> None:
    """`167772165` has no dot, yet the resolver reads it as 10.0.0.5: plain http to another machine."""
    with pytest.raises(RefusedError, match="plain http to"):
        veilig_adres(adres)


@pytest.mark.parametrize(
    ("adres", "gebruikt"),
    [("HTTP://127.0.0.1:8480", "http://127.0.0.1:8480"), ("HTTPS://Casus.Example.nl/api/", "https://casus.example.nl/api"),
     ("http://127.1:8480", "http://127.1:8480"), ("http://API:8480", "http://api:8480")],
)  # fmt: skip
def test_an_upper_case_scheme_or_host_is_read_as_httpx_reads_it(adres: str, gebruikt: str) -> None:
    assert veilig_adres(adres) == gebruikt


def _netwerk(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    verzonden: list[httpx.Request] = []

    def behandel(verzoek: httpx.Request) -> httpx.Response:
        verzonden.append(verzoek)
        if verzoek.url.path == "/aanmelden":
            return httpx.Response(200, json={"issuer": "http://127.0.0.1:9", "client_id": "casus-cli", "ontwikkeling": True})
        return httpx.Response(200, json={"casussen": [], "caseload": [], "pagina": {"offset": 0, "limiet": 100, "totaal": 0}})

    monkeypatch.setattr(cli_client, "TRANSPORT", httpx.MockTransport(behandel))
    return verzonden


@pytest.mark.storing
@pytest.mark.parametrize("adres", ["http://192.0.2.2:23917#@127.0.0.1", "http://192.0.2.2:23917?@localhost", "http://127.0.0.1:1@evil"])
@pytest.mark.parametrize(
    "opdracht",
    [("login", "--als", "veilig-thuis", "--medewerker", "anna"), ("lijst",), ("lijst", "--als", "veilig-thuis")],
)
def test_login_and_a_read_send_nothing_to_an_address_that_hides_its_host(
    casus: Any, monkeypatch: pytest.MonkeyPatch, adres: str, opdracht: tuple[str, ...]
) -> None:
    """The tester's attack: `casus login` and then `casus lijst` (or CASUS_TOKEN) sent the bearer token
    in plain http to 192.0.2.2. Now each is refused (exit 1, naming CASUS_API_URL) before a request."""
    verzonden = _netwerk(monkeypatch)
    monkeypatch.setenv("CASUS_API_URL", adres)
    if opdracht[0] == "lijst":
        monkeypatch.setenv("CASUS_TOKEN", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbm5hIn0.handtekening")
    r = casus(*opdracht, "--json")
    assert r.code == 1, r.err
    assert json.loads(r.out)["fout"]["veld"] == "CASUS_API_URL" and "no address a token may go to" in r.err
    assert verzonden == []


def test_an_upper_case_scheme_reaches_this_machine_with_the_token(casus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    verzonden = _netwerk(monkeypatch)
    monkeypatch.setenv("CASUS_API_URL", "HTTP://127.0.0.1:8480")
    monkeypatch.setenv("CASUS_TOKEN", "kop.inhoud.handtekening")
    r = casus("lijst", "--json")
    assert r.code == 0, r.err
    assert [(v.url.scheme, v.url.host, v.url.port) for v in verzonden] == [("http", "127.0.0.1", 8480)]
    assert verzonden[0].headers["authorization"] == "Bearer kop.inhoud.handtekening"


@pytest.mark.parametrize("issuer", ["http://192.0.2.2:1#@127.0.0.1", "http://192.0.2.2:1?@localhost", "http://casus.example.nl"])
def test_login_posts_nothing_to_an_issuer_a_token_may_not_come_from(casus: Any, monkeypatch: pytest.MonkeyPatch, issuer: str) -> None:
    gevraagd: list[httpx.Request] = []

    def aanmelden(verzoek: httpx.Request) -> httpx.Response:
        gevraagd.append(verzoek)
        return httpx.Response(200, json={"issuer": issuer, "client_id": "casus-cli", "ontwikkeling": True})

    monkeypatch.setattr(cli_client, "TRANSPORT", httpx.MockTransport(aanmelden))
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", lambda *_a, **_k: pytest.fail("a request went to the issuer"))
    r = casus("login", "--als", "veilig-thuis", "--medewerker", "anna", "--json")
    assert r.code == 1, r.err
    fout = json.loads(r.out)["fout"]
    assert fout["regel"] == "onveilig-adres" and fout["veld"] == "issuer", fout
    assert httpx.URL(issuer).host in fout["melding"]
    assert [v.url.path for v in gevraagd] == ["/aanmelden"]


@pytest.mark.parametrize("eindpunt", ["http://192.0.2.2/token#@127.0.0.1", "http://sso.example.nl/token", "https://u:p@sso.example.nl/t"])
def test_a_token_endpoint_a_token_may_not_come_from_gets_no_credentials(eindpunt: str) -> None:
    gevraagd: list[httpx.Request] = []

    def uitgever(verzoek: httpx.Request) -> httpx.Response:
        gevraagd.append(verzoek)
        return httpx.Response(
            200, json={"issuer": "https://sso.example.nl", "token_endpoint": eindpunt, "grant_types_supported": [aanmelden.ONTWIKKEL_GRANT]}
        )

    with httpx.Client(transport=httpx.MockTransport(uitgever)) as http, pytest.raises(aanmelden.AanmeldError) as e:
        aanmelden.ontwikkel_aanmelden("https://sso.example.nl", "veilig-thuis", "anna", client=http)
    assert e.value.reden == "onveilig-adres" and "token_endpoint" in e.value.detail
    assert [v.method for v in gevraagd] == ["GET"], "only the discovery document was asked for"
