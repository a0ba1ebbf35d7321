"""The issuer's keys: fetched once, kept for a bounded time, fetched again for a rotated key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.fouten import IdentiteitError
from api.identiteit import Verificateur
from api.instellingen import OidcInstellingen
from api.sleutels import Sleutelbron
from tests.api.proefuitgever import PUBLIEK, Proefuitgever, maak_sleutel, start_proefuitgever


class Klok:
    def __init__(self) -> None:
        self.nu = 1000.0

    def __call__(self) -> float:
        return self.nu


@pytest.fixture
def uitgever() -> Iterator[Proefuitgever]:
    u = start_proefuitgever(maak_sleutel("EdDSA"))
    yield u
    u.stop()


def _verificateur(uitgever: Proefuitgever, klok: Klok, http: httpx.Client) -> Verificateur:
    instellingen = OidcInstellingen(issuer=uitgever.url, audience=PUBLIEK)
    bron = Sleutelbron(uitgever.url, geldig_s=300, herhaal_na_s=10, client=http, klok=klok)
    return Verificateur(instellingen, bron)


def test_keys_are_fetched_once_and_reused_within_their_lifetime(uitgever: Proefuitgever) -> None:
    klok = Klok()
    with httpx.Client() as http:
        v = _verificateur(uitgever, klok, http)
        for _ in range(5):
            v.verifieer(uitgever.token())
            klok.nu += 30
    assert uitgever.jwks_opgehaald == 1


def test_a_rotated_key_is_fetched_on_its_first_token(uitgever: Proefuitgever) -> None:
    klok = Klok()
    with httpx.Client() as http:
        v = _verificateur(uitgever, klok, http)
        v.verifieer(uitgever.token())
        nieuw = maak_sleutel("RS256")
        uitgever.gepubliceerd = [nieuw]
        klok.nu += 11
        assert v.verifieer(uitgever.token(sleutel=nieuw, sub="na-rotatie")).subject == "na-rotatie"
    assert uitgever.jwks_opgehaald == 2


def test_unknown_kids_do_not_make_the_api_hammer_the_issuer(uitgever: Proefuitgever) -> None:
    klok = Klok()
    with httpx.Client() as http:
        v = _verificateur(uitgever, klok, http)
        v.verifieer(uitgever.token())
        for _ in range(20):
            with pytest.raises(IdentiteitError, match="sleutel-onbekend"):
                v.verifieer(uitgever.token(sleutel=maak_sleutel("EdDSA")))
            klok.nu += 1
    assert uitgever.jwks_opgehaald == 2  # 20 unknown kids in 20 seconds: the first fetch and one more


def test_a_withdrawn_key_stops_working_when_its_lifetime_ends(uitgever: Proefuitgever) -> None:
    klok = Klok()
    oud = uitgever.gepubliceerd[0]
    with httpx.Client() as http:
        v = _verificateur(uitgever, klok, http)
        v.verifieer(uitgever.token())
        uitgever.gepubliceerd = [maak_sleutel("ES256")]
        klok.nu += 299
        v.verifieer(uitgever.token(sleutel=oud))
        klok.nu += 1
        with pytest.raises(IdentiteitError, match="sleutel-onbekend"):
            v.verifieer(uitgever.token(sleutel=oud))


def test_a_symmetric_or_encryption_key_in_the_jwks_is_never_used(uitgever: Proefuitgever) -> None:
    uitgever.rauwe_jwks = [
        {"kty": "oct", "kid": "geheim", "k": "c2VjcmV0"},
        {"kty": "RSA", "kid": "versleutel", "use": "enc", "n": "sXch", "e": "AQAB"},
    ]
    with httpx.Client() as http:
        bron = Sleutelbron(uitgever.url, client=http, klok=Klok())
        assert bron.sleutel(uitgever.gepubliceerd[0].kid)["kty"] == "OKP"
        for kid in ("geheim", "versleutel"):
            with pytest.raises(IdentiteitError, match="sleutel-onbekend"):
                bron.sleutel(kid)
