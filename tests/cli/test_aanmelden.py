"""`casus login` against an issuer that is not the development one: the device flow (RFC 8628), the
code and the address shown on stderr, the token stored once the person approved. The issuer is the
real development issuer (api/uitgever.py), which offers the device flow too; the API's `/aanmelden`
says `ontwikkeling: false`, so the CLI must not use the development login."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import uitgever_kern
from api.uitgever import DraaiendeUitgever, start_uitgever
from casus_cli import aanmelden, client, tokens
from tests.cli.conftest import Uitkomst

Casus = Callable[..., Uitkomst]


@pytest.fixture
def uitgever(tmp_path: Path) -> Iterator[DraaiendeUitgever]:
    with start_uitgever(tmp_path / "uitgever") as u:
        yield u


@pytest.fixture
def productie_api(uitgever: DraaiendeUitgever, monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    gezien: list[httpx.Request] = []

    def aanmelden_(verzoek: httpx.Request) -> httpx.Response:
        gezien.append(verzoek)
        return httpx.Response(200, json={"issuer": uitgever.url, "client_id": "casus-cli", "ontwikkeling": False})

    monkeypatch.setattr(client, "TRANSPORT", httpx.MockTransport(aanmelden_))
    return gezien


def test_login_uses_the_device_flow_showing_the_code_on_stderr(
    casus: Casus, uitgever: DraaiendeUitgever, productie_api: list[httpx.Request], monkeypatch: pytest.MonkeyPatch
) -> None:
    echt = aanmelden.apparaat_aanmelden

    def met_goedkeuring(issuer: str, client_id: str, *, toon: Callable[[aanmelden.Apparaatcode], None], **kw: Any) -> aanmelden.Token:
        def toon_en_keur_goed(code: aanmelden.Apparaatcode) -> None:
            toon(code)
            uitgever.uitgever.keur_goed(code.user_code, "lokaal-team:socius-md", "bram")  # the person, in their browser

        return echt(issuer, client_id, toon=toon_en_keur_goed, slaap=lambda _s: None, **kw)

    monkeypatch.setattr(aanmelden, "apparaat_aanmelden", met_goedkeuring)
    monkeypatch.setattr(aanmelden, "ontwikkel_aanmelden", lambda *a, **k: pytest.fail("not the development login"))
    # As an organisation's provider: the development issuer also offers its own login, a real one never.
    monkeypatch.setattr(aanmelden, "biedt_ontwikkeling", lambda *a, **k: False)
    r = casus("login", "--als", "lokaal-team:socius-md")
    assert r.code == 0, r.err
    assert f"Open {uitgever.url}/apparaat and enter the code " in r.err and r.out.startswith("logged in as lokaal-team:socius-md (bram)")
    assert "Authorization" not in productie_api[0].headers, "/aanmelden is asked without a token"
    assert tokens.claims_van(tokens.kies("lokaal-team:socius-md").token)["partij"] == "lokaal-team:socius-md"


def test_a_refused_device_login_is_exit_1_and_stores_nothing(
    casus: Casus, productie_api: list[httpx.Request], monkeypatch: pytest.MonkeyPatch, client_omgeving: Path
) -> None:
    def geweigerd(*_a: Any, **_k: Any) -> aanmelden.Token:
        raise aanmelden.AanmeldError("geweigerd", "the login was refused at the issuer")

    monkeypatch.setattr(aanmelden, "apparaat_aanmelden", geweigerd)
    r = casus("login", "--als", "veilig-thuis", "--json")
    assert r.code == 1 and json.loads(r.out)["fout"]["regel"] == "aanmelden-geweigerd"
    assert not client_omgeving.exists()


def test_an_issuer_that_cannot_be_reached_is_exit_3(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    weg = httpx.MockTransport(lambda _r: httpx.Response(200, json={"issuer": "http://127.0.0.1:9", "ontwikkeling": True}))
    monkeypatch.setattr(client, "TRANSPORT", weg)
    r = casus("login", "--als", "auditor")
    assert r.code == 3 and "http://127.0.0.1:9" in r.err


def test_the_cli_asks_for_the_grants_the_development_issuer_serves() -> None:
    assert (aanmelden.APPARAAT_GRANT, aanmelden.ONTWIKKEL_GRANT) == (uitgever_kern.APPARAAT_GRANT, uitgever_kern.ONTWIKKEL_GRANT)


def test_the_development_login_is_used_only_when_the_issuer_offers_it(uitgever: DraaiendeUitgever) -> None:
    assert aanmelden.biedt_ontwikkeling(uitgever.url)
    echte = httpx.MockTransport(
        lambda r: httpx.Response(200, json={"issuer": "https://sso.example.nl", "grant_types_supported": [aanmelden.APPARAAT_GRANT]})
    )
    with httpx.Client(transport=echte) as http:
        assert not aanmelden.biedt_ontwikkeling("https://sso.example.nl", client=http)
