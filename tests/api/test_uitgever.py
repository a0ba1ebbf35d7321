"""The development issuer over HTTP on 127.0.0.1: its key, its login, and the device flow end to end."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.identiteit import Gebruiker, Verificateur
from api.instellingen import OidcInstellingen
from api.uitgever import DraaiendeUitgever, start_uitgever
from api.uitgever_kern import SLEUTELBESTAND
from casus_cli.aanmelden import AanmeldError, Apparaatcode, apparaat_aanmelden, ontwikkel_aanmelden


class Klok:
    """One clock for the issuer and the polling client, moved by the client's waits: no real sleeps."""

    def __init__(self) -> None:
        self.nu = 0.0

    def __call__(self) -> float:
        return self.nu


@pytest.fixture
def klok() -> Klok:
    return Klok()


@pytest.fixture
def uitgever(tmp_path: Path, klok: Klok) -> Iterator[DraaiendeUitgever]:
    with start_uitgever(tmp_path / "state", apparaat_geldig_s=60, interval_s=5, klok=klok) as u:
        yield u


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as client:
        yield client


def verifieer(uitgever: DraaiendeUitgever, token: str, http: httpx.Client) -> Gebruiker:
    return Verificateur(OidcInstellingen(issuer=uitgever.url, audience="casus-api"), client=http).verifieer(token)


def test_the_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    with start_uitgever(tmp_path) as eerste:
        kid = eerste.uitgever.jwks()["keys"][0]["kid"]
    assert stat.S_IMODE((tmp_path / SLEUTELBESTAND).stat().st_mode) == 0o600
    with start_uitgever(tmp_path) as tweede:
        assert tweede.uitgever.jwks()["keys"][0]["kid"] == kid
    assert [p.name for p in tmp_path.iterdir()] == [SLEUTELBESTAND]


def test_it_serves_on_a_loopback_address_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="loopback"):
        start_uitgever(tmp_path, host="0.0.0.0")


@pytest.mark.parametrize(
    ("als", "medewerker", "verwacht"),
    [
        ("veilig-thuis", "anna", ("medewerker", "veilig-thuis", "anna")),
        ("lokaal-team:sociaal-wijkteam-velsen", "bert", ("medewerker", "lokaal-team:sociaal-wijkteam-velsen", "bert")),
        ("auditor", None, ("auditor", None, "auditor")),
        ("operator", "olga", ("operator", None, "olga")),
        ("beheerder", None, ("beheerder", None, "beheerder")),
    ],
)
def test_the_development_login_gives_a_token_the_api_accepts(
    uitgever: DraaiendeUitgever, http: httpx.Client, als: str, medewerker: str | None, verwacht: tuple[str, str | None, str]
) -> None:
    token = ontwikkel_aanmelden(uitgever.url, als, medewerker, client=http)
    gebruiker = verifieer(uitgever, token.access_token, http)
    assert (gebruiker.rol, gebruiker.partij, gebruiker.weergavenaam) == verwacht
    assert gebruiker.issuer == uitgever.url


def test_acting_as_a_party_takes_a_medewerker(uitgever: DraaiendeUitgever, http: httpx.Client) -> None:
    with pytest.raises(AanmeldError, match="medewerker"):
        ontwikkel_aanmelden(uitgever.url, "veilig-thuis", None, client=http)


def test_the_device_flow_waits_for_approval_then_gives_a_token_that_verifies(
    uitgever: DraaiendeUitgever, klok: Klok, http: httpx.Client
) -> None:
    getoond: list[Apparaatcode] = []
    wachttijden: list[float] = []

    def slaap(seconden: float) -> None:
        wachttijden.append(seconden)
        klok.nu += seconden
        if len(wachttijden) == 3:  # two polls answered authorization_pending, then the person approves
            uitgever.uitgever.keur_goed(getoond[0].user_code.lower(), "veilig-thuis", "anna")

    token = apparaat_aanmelden(uitgever.url, "casus-cli", toon=getoond.append, client=http, slaap=slaap, klok=klok)
    assert getoond[0].verification_uri == f"{uitgever.url}/apparaat"
    assert wachttijden == [5, 5, 5]
    gebruiker = verifieer(uitgever, token.access_token, http)
    assert (gebruiker.rol, gebruiker.partij, gebruiker.weergavenaam) == ("medewerker", "veilig-thuis", "anna")


def test_the_device_flow_can_be_approved_at_the_issuers_page(uitgever: DraaiendeUitgever, klok: Klok, http: httpx.Client) -> None:
    def keur_goed_op_de_pagina(code: Apparaatcode) -> None:
        assert code.verification_uri_complete is not None
        pagina = http.get(code.verification_uri_complete)
        assert code.user_code in pagina.text
        antwoord = http.post(code.verification_uri, data={"user_code": code.user_code, "als": "auditor"})
        assert antwoord.status_code == 200

    token = apparaat_aanmelden(uitgever.url, "casus-cli", toon=keur_goed_op_de_pagina, client=http, slaap=lambda s: None, klok=klok)
    assert verifieer(uitgever, token.access_token, http).rol == "auditor"


def test_a_client_polling_too_fast_is_told_to_slow_down_and_does(uitgever: DraaiendeUitgever, klok: Klok, http: httpx.Client) -> None:
    wachttijden: list[float] = []

    def te_snelle_slaap(seconden: float) -> None:  # this client's clock runs at half the issuer's speed
        wachttijden.append(seconden)
        klok.nu += seconden / 2
        if len(wachttijden) == 3:
            uitgever.uitgever.keur_goed(code[0].user_code, "beheerder", None)

    code: list[Apparaatcode] = []
    apparaat_aanmelden(uitgever.url, "casus-cli", toon=code.append, client=http, slaap=te_snelle_slaap, klok=klok)
    assert wachttijden == [5, 5, 10]  # pending at 2.5, slow_down at 5 (2.5 s after the last poll), then 5 s more


def test_an_unapproved_code_expires(uitgever: DraaiendeUitgever, klok: Klok, http: httpx.Client) -> None:
    def slaap(seconden: float) -> None:
        klok.nu += seconden

    with pytest.raises(AanmeldError) as fout:
        apparaat_aanmelden(uitgever.url, "casus-cli", toon=lambda c: None, client=http, slaap=slaap, klok=klok)
    assert fout.value.reden == "verlopen"
    assert klok.nu == 60


def test_the_token_endpoint_answers_each_state_of_a_device_code(uitgever: DraaiendeUitgever, klok: Klok, http: httpx.Client) -> None:
    code = http.post(f"{uitgever.url}/apparaat/autorisatie", data={"client_id": "casus-cli"}).json()
    poll = {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": code["device_code"], "client_id": "casus-cli"}

    def fout() -> str:
        antwoord = http.post(f"{uitgever.url}/token", data=poll)
        assert antwoord.status_code == 400
        assert antwoord.headers["Cache-Control"] == "no-store"
        return str(antwoord.json()["error"])

    assert (code["interval"], code["expires_in"]) == (5, 60)
    assert fout() == "authorization_pending"
    assert fout() == "slow_down"
    klok.nu += 10
    assert fout() == "authorization_pending"
    assert http.post(f"{uitgever.url}/token", data={**poll, "client_id": "een-ander"}).json()["error"] == "invalid_grant"
    klok.nu += 60
    assert fout() == "expired_token"
    assert fout() == "invalid_grant"


def test_a_refused_login_is_reported(uitgever: DraaiendeUitgever, klok: Klok, http: httpx.Client) -> None:
    with pytest.raises(AanmeldError) as fout:
        apparaat_aanmelden(
            uitgever.url, "casus-cli", toon=lambda c: uitgever.uitgever.weiger(c.user_code), client=http, slaap=lambda s: None, klok=klok
        )
    assert fout.value.reden == "geweigerd"


def test_the_approval_page_escapes_what_it_is_given(uitgever: DraaiendeUitgever, http: httpx.Client) -> None:
    pagina = http.get(f"{uitgever.url}/apparaat", params={"user_code": '"><script>alert(1)</script>'})
    assert "<script>" not in pagina.text
    assert pagina.headers["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.parametrize(
    "als", ["Veilig-Thuis", "lokaal-team:bestaat-niet", "lokaal-team:ijmuiden", "instelling: ", "instelling:veilig-thuis", "xyz", "Auditor"]
)
def test_the_development_login_refuses_a_party_the_agreements_do_not_know(
    uitgever: DraaiendeUitgever, http: httpx.Client, als: str
) -> None:
    """A token for a party that does not exist would give its caseworker an empty caseload, not a refusal."""
    with pytest.raises(AanmeldError) as fout:
        ontwikkel_aanmelden(uitgever.url, als, "anna", client=http)
    melding = str(fout.value)
    assert any(t in melding for t in ("is no party of these agreements", "an instelling is named", "as an instelling")), melding
    assert "or a role: auditor, beheerder, operator" in melding, melding
