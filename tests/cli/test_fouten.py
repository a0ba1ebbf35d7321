"""An API answer as the CLI's exit code (CONTRACT.md): every refusal (problem+json, 4xx) exit 1 naming
the rule or access reason and the field; 503, another 5xx, a refused connection or a timeout exit 3
saying where the CLI looked and how to start a local stack. The network is an httpx.MockTransport;
tests/cli/test_tegen_de_api.py shows the same against the real API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from casus_cli import client
from tests.cli.conftest import Uitkomst, bewaar_token, netwerk

ID = "0e0e0e0e-0000-4000-8000-000000000000"
Casus = Callable[..., Uitkomst]


def probleem(status: int, **velden: Any) -> Callable[[httpx.Request], httpx.Response]:
    inhoud = {"type": "urn:casus:probleem:x", "title": "t", "status": status, "detail": "wat er mis is", **velden}
    return lambda _: httpx.Response(status, json=inhoud, headers={"Content-Type": "application/problem+json"})


@pytest.mark.parametrize(
    ("status", "velden", "waar"),
    [
        (401, {"reden": "token-verlopen"}, "geweigerd (token-verlopen)"),
        (403, {"reden": "partij-geweigerd", "veld": "als"}, "geweigerd (partij-geweigerd, veld als)"),
        (404, {"veld": "casus_id"}, "geweigerd (veld casus_id)"),
        (409, {"veld": "sleutel"}, "geweigerd (veld sleutel)"),
        (413, {}, "fout"),
        (422, {"regel": "IJM-3.3", "veld": "criteria"}, "geweigerd (IJM-3.3, veld criteria)"),
        (422, {"regel": "IJM-3.3", "reden": "niet-gebruikt", "veld": "velden.criteria"}, "geweigerd (IJM-3.3, veld criteria)"),
    ],
)
def test_a_refusal_is_exit_1_naming_the_rule_and_the_field(
    casus: Casus, monkeypatch: pytest.MonkeyPatch, status: int, velden: dict[str, Any], waar: str
) -> None:
    netwerk(monkeypatch, probleem(status, **velden))
    r = casus("spoed-vastgesteld", ID, "--als", "veilig-thuis")
    assert r.code == 1
    assert r.err.strip().startswith(f"{waar}: wat er mis is"), r.err
    if status == 401:
        assert "casus login --als" in r.err
    j = casus("spoed-vastgesteld", ID, "--als", "veilig-thuis", "--json")
    fout = json.loads(j.out)["fout"]
    assert j.code == 1 and fout["exit_code"] == 1 and fout["melding"].startswith("wat er mis is")
    assert fout.get("regel") == (velden.get("regel") or velden.get("reden"))


@pytest.mark.parametrize("status", [503, 500, 502])
def test_a_service_behind_the_api_that_does_not_answer_is_exit_3(casus: Casus, monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    verzoeken = netwerk(monkeypatch, probleem(status, veld="casus_id"))
    r = casus("spoed-vastgesteld", ID, "--als", "veilig-thuis", "--sleutel", "K-1")
    assert r.code == 3
    assert "niet bereikbaar: wat er mis is" in r.err and client.api_url() in r.err and "casus dev" in r.err and "make dev" in r.err
    assert "--sleutel K-1" in r.err, "the key to retry the action with"
    assert verzoeken[0].headers["Idempotency-Key"] == "K-1"
    j = casus("status", ID, "--json")
    assert j.code == 3 and json.loads(j.out)["fout"]["exit_code"] == 3


def test_a_refused_connection_is_exit_3_nothing_sent_saying_where_and_how_to_start(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    def weg(verzoek: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=verzoek)

    netwerk(monkeypatch, weg)
    r = casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "H", "--als", "veilig-thuis")
    assert r.code == 3
    assert f"the casus API at {client.api_url()} cannot be reached" in r.err and "nothing was sent" in r.err
    assert "`casus dev` (or `make dev`)" in r.err and "CASUS_API_URL" in r.err


def test_no_answer_in_time_is_exit_3_with_the_key_to_retry_the_melding_with(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    def traag(verzoek: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=verzoek)

    verzoeken = netwerk(monkeypatch, traag)
    r = casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "H", "--als", "veilig-thuis")
    assert r.code == 3
    sleutel = verzoeken[0].headers["Idempotency-Key"]
    assert f"--sleutel {sleutel}" in r.err and "same casus" in r.err


def test_the_real_network_refused_is_exit_3_too(casus: Casus) -> None:
    bewaar_token("operator", "kop.inhoud.handtekening")
    r = casus("lijst", "--json")
    assert r.code == 3 and "nothing was sent" in json.loads(r.out)["fout"]["melding"]


def test_without_a_token_a_command_is_refused_before_anything_is_sent(casus: Casus) -> None:
    r = casus("status", ID)
    assert r.code == 1 and r.err.strip() == "not logged in: run `casus login --als …`"
    r = casus("spoed-vastgesteld", ID, "--als", "veilig-thuis", "--json")
    assert r.code == 1 and json.loads(r.out)["fout"]["regel"] == "niet-aangemeld"
    assert "casus login --als veilig-thuis" in r.err
