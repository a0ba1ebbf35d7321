"""Claim names from the environment: a Keycloak-shaped and an Entra ID-shaped token give the same person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from api.identiteit import Gebruiker, Verificateur
from api.instellingen import OidcInstellingen
from tests.api.proefuitgever import PUBLIEK, Proefuitgever, maak_sleutel, start_proefuitgever

ENTRA_EXTENSIE: dict[str, Any] = {"extn.casusPartij": "veilig-thuis"}
"""A directory extension as Entra ID puts it in a v2 token: a claim name with a dot in it."""


@pytest.fixture
def uitgever() -> Iterator[Proefuitgever]:
    u = start_proefuitgever(maak_sleutel("RS256"))
    yield u
    u.stop()


def test_a_keycloak_shaped_token_is_read_with_the_defaults(uitgever: Proefuitgever, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASUS_OIDC_ISSUER", uitgever.url)
    token = uitgever.token(
        sub="f:3c1e:anna",
        preferred_username="anna",
        name="Anna de Vries",
        partij=["lokaal-team:ijmuiden"],  # a Keycloak user-attribute mapper may give a one-element list
        realm_access={"roles": ["default-roles-casus", "offline_access", "medewerker"]},
        resource_access={"account": {"roles": ["view-profile"]}},
        azp="casus-cli",
    )
    with httpx.Client() as http:
        gebruiker = Verificateur(OidcInstellingen(), client=http).verifieer(token)
    assert gebruiker == Gebruiker(
        issuer=uitgever.url, subject="f:3c1e:anna", weergavenaam="anna", partij="lokaal-team:ijmuiden", rol="medewerker"
    )


def test_an_entra_shaped_token_is_read_with_its_claim_names(uitgever: Proefuitgever, monkeypatch: pytest.MonkeyPatch) -> None:
    for naam, waarde in {
        "ISSUER": uitgever.url,
        "AUDIENCE": "6e74172b-be56-4843-9ff4-e66a39bb12e3",
        "CLAIM_SUBJECT": "oid",
        "CLAIM_NAAM": "name",
        "CLAIM_PARTIJ": "extn.casusPartij",
        "CLAIM_ROL": "roles",
        "ROL_VOORVOEGSEL": "Casus.",
    }.items():
        monkeypatch.setenv(f"CASUS_OIDC_{naam}", waarde)
    token = uitgever.token(
        aud="6e74172b-be56-4843-9ff4-e66a39bb12e3",
        sub="AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",  # pairwise per application in Entra: oid is the stable one
        oid="00000000-0000-0000-66f3-3332eca7ea81",
        tid="9188040d-6c67-4c5b-b112-36a304b66dad",
        ver="2.0",
        name="Bert Jansen",
        preferred_username="bert@gemeente.example.nl",
        roles=["Casus.Auditor"],
        partij=None,
        realm_access=None,
        **ENTRA_EXTENSIE,
    )
    with httpx.Client() as http:
        gebruiker = Verificateur(OidcInstellingen(), client=http).verifieer(token)
    assert gebruiker == Gebruiker(
        issuer=uitgever.url, subject="00000000-0000-0000-66f3-3332eca7ea81", weergavenaam="Bert Jansen", partij=None, rol="auditor"
    )


def test_an_entra_caseworker_gets_the_party_from_a_dotted_extension_claim(uitgever: Proefuitgever) -> None:
    instellingen = OidcInstellingen(
        issuer=uitgever.url, audience=PUBLIEK, claim_partij="extn.casusPartij", claim_rol="roles", rol_voorvoegsel="Casus."
    )
    token = uitgever.token(roles=["Casus.Medewerker"], realm_access=None, partij=None, **ENTRA_EXTENSIE)
    with httpx.Client() as http:
        gebruiker = Verificateur(instellingen, client=http).verifieer(token)
    assert (gebruiker.rol, gebruiker.partij) == ("medewerker", "veilig-thuis")


@pytest.mark.parametrize("algoritmen", ['["HS256"]', '["RS256","HS512"]', '["none"]', "[]"])
def test_only_asymmetric_algorithms_can_be_configured(algoritmen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASUS_OIDC_ALGORITMEN", algoritmen)
    with pytest.raises(ValidationError, match="asymmetric"):
        OidcInstellingen(issuer="https://sso.example.nl/realms/casus")


@pytest.mark.parametrize("issuer", ["http://sso.example.nl/realms/casus", "ftp://sso.example.nl", "sso.example.nl"])
def test_keys_come_over_https_unless_the_issuer_is_on_this_machine(issuer: str) -> None:
    with pytest.raises(ValidationError, match="https"):
        OidcInstellingen(issuer=issuer)
    assert OidcInstellingen(issuer="http://127.0.0.1:8081").issuer == "http://127.0.0.1:8081"
