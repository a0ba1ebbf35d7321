"""Verifying tokens against a real issuer over HTTP: every attack refused with its reason (issue 13)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from api.fouten import IdentiteitError
from api.identiteit import Gebruiker, Verificateur, controleer_als, token_uit_header
from api.instellingen import OidcInstellingen
from api.server import verificateur as api_verificateur
from tests.api.proefuitgever import PUBLIEK, Proefuitgever, Sleutel, maak_sleutel, start_proefuitgever


@pytest.fixture(scope="module")
def sleutels() -> dict[str, Sleutel]:
    return {alg: maak_sleutel(alg) for alg in ("RS256", "ES256", "EdDSA")}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as client:
        yield client


@pytest.fixture
def uitgever(sleutels: dict[str, Sleutel]) -> Iterator[Proefuitgever]:
    u = start_proefuitgever(sleutels["RS256"], sleutels["ES256"], sleutels["EdDSA"])
    yield u
    u.stop()


Maak = Callable[..., Verificateur]


@pytest.fixture
def verificateur(uitgever: Proefuitgever, http: httpx.Client) -> Maak:
    def maak(**anders: Any) -> Verificateur:
        return Verificateur(OidcInstellingen(issuer=uitgever.url, audience=PUBLIEK, **anders), client=http)

    return maak


def _gewijzigde_handtekening(u: Proefuitgever) -> str:
    kop, inhoud, handtekening = u.token().split(".")
    midden = len(handtekening) // 2
    return f"{kop}.{inhoud}.{handtekening[:midden]}{'A' if handtekening[midden] != 'A' else 'B'}{handtekening[midden + 1 :]}"


def _gewijzigde_inhoud(u: Proefuitgever) -> str:
    kop, _, handtekening = u.token(partij="veilig-thuis").split(".")
    _, vervalst, _ = u.token(partij="lokaal-team:ijmuiden").split(".")
    return f"{kop}.{vervalst}.{handtekening}"


def _hmac_met_publieke_sleutel(u: Proefuitgever) -> str:
    rsa = u.gepubliceerd[0]
    return u.ongetekend({"alg": "HS256", "typ": "JWT", "kid": rsa.kid}, u.claims(), geheim=rsa.publiek_pem)


def _alg_none(u: Proefuitgever) -> str:
    return u.ongetekend({"alg": "none", "typ": "JWT", "kid": u.gepubliceerd[0].kid}, u.claims())


def _ander_alg_dan_de_sleutel(u: Proefuitgever) -> str:
    # Signed with an EC key of its own, naming the published RSA key: the key decides the algorithm.
    vreemd = maak_sleutel("ES256")
    return u.token(sleutel=vreemd, kop={"kid": u.gepubliceerd[0].kid})


def _eigen_sleutel_met_gepubliceerde_kid(u: Proefuitgever) -> str:
    vreemd = maak_sleutel("EdDSA")
    return u.token(sleutel=vreemd, kop={"kid": u.gepubliceerd[2].kid})


def _eigen_sleutel_in_de_kop(u: Proefuitgever) -> str:
    vreemd = maak_sleutel("EdDSA")
    return u.token(sleutel=vreemd, kop={"jwk": vreemd.jwk()})


def _eigen_sleutelset_per_url(u: Proefuitgever) -> str:
    return u.token(sleutel=maak_sleutel("ES256"), kop={"jku": "https://aanvaller.example/jwks.json"})


AANVALLEN: list[tuple[str, Callable[[Proefuitgever], str | None], str]] = [
    ("no token", lambda u: None, "token-ontbreekt"),
    ("an empty token", lambda u: "", "token-ontbreekt"),
    ("not a JWT", lambda u: "abc.def", "token-onleesbaar"),
    ("expired", lambda u: u.token(exp=int(time.time()) - 3600), "token-verlopen"),
    ("not yet valid", lambda u: u.token(nbf=int(time.time()) + 3600), "token-nog-niet-geldig"),
    ("issued in the future", lambda u: u.token(iat=int(time.time()) + 3600), "token-nog-niet-geldig"),
    ("from another issuer", lambda u: u.token(iss="https://elders.example.nl/realms/casus"), "verkeerde-uitgever"),
    ("for another audience", lambda u: u.token(aud="ander-systeem"), "verkeerd-publiek"),
    ("without exp", lambda u: u.token(exp=None), "claim-ontbreekt"),
    ("without aud", lambda u: u.token(aud=None), "claim-ontbreekt"),
    ("an altered signature", _gewijzigde_handtekening, "handtekening-ongeldig"),
    ("an altered payload", _gewijzigde_inhoud, "handtekening-ongeldig"),
    ("alg none", _alg_none, "algoritme-geweigerd"),
    ("HMAC signed with the public key", _hmac_met_publieke_sleutel, "algoritme-geweigerd"),
    ("an algorithm other than the key's", _ander_alg_dan_de_sleutel, "algoritme-geweigerd"),
    ("an unknown kid", lambda u: u.token(sleutel=maak_sleutel("EdDSA")), "sleutel-onbekend"),
    ("no kid", lambda u: u.ongetekend({"alg": "RS256"}, u.claims(), geheim=b"x"), "sleutel-onbekend"),
    ("a published kid, another key", _eigen_sleutel_met_gepubliceerde_kid, "handtekening-ongeldig"),
    ("its own key in the header (jwk)", _eigen_sleutel_in_de_kop, "sleutel-onbekend"),
    ("its own key set by URL (jku)", _eigen_sleutelset_per_url, "sleutel-onbekend"),
    ("a critical header extension", lambda u: u.token(kop={"crit": ["exp"], "exp": 1}), "token-onleesbaar"),
    ("an unencoded payload (b64: false)", lambda u: u.token(kop={"b64": False, "crit": ["b64"]}), "token-onleesbaar"),
    ("no role", lambda u: u.token(realm_access={"roles": ["offline_access"]}), "rol-onbekend"),
    ("two roles", lambda u: u.token(realm_access={"roles": ["medewerker", "beheerder"]}), "rol-onbekend"),
    ("a caseworker without a party", lambda u: u.token(partij=None), "partij-ontbreekt"),
    ("a party with a control character", lambda u: u.token(partij="veilig\u202ethuis"), "claim-ongeldig"),
    ("without a subject", lambda u: u.token(sub=None), "claim-ontbreekt"),
]


@pytest.mark.parametrize(("aanval", "maak", "reden"), AANVALLEN, ids=[a[0] for a in AANVALLEN])
def test_every_attack_is_refused_with_its_reason(
    uitgever: Proefuitgever, verificateur: Maak, aanval: str, maak: Callable[[Proefuitgever], str | None], reden: str
) -> None:
    with pytest.raises(IdentiteitError) as fout:
        verificateur().verifieer(maak(uitgever))
    assert fout.value.reden == reden, aanval
    assert fout.value.status in {401, 403}
    if fout.value.status == 401:
        assert fout.value.www_authenticate is not None


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_a_token_signed_by_each_asymmetric_algorithm_gives_the_caseworker(
    uitgever: Proefuitgever, verificateur: Maak, sleutels: dict[str, Sleutel], alg: str
) -> None:
    token = uitgever.token(sleutel=sleutels[alg], sub="sub-anna")
    gebruiker = verificateur().verifieer(token)
    assert gebruiker == Gebruiker(issuer=uitgever.url, subject="sub-anna", weergavenaam="anna", partij="veilig-thuis", rol="medewerker")


def test_a_token_just_expired_within_the_clock_leeway_is_accepted(uitgever: Proefuitgever, verificateur: Maak) -> None:
    token = uitgever.token(exp=int(time.time()) - 5)
    assert verificateur(klokspeling_s=30).verifieer(token).rol == "medewerker"
    with pytest.raises(IdentiteitError, match="token-verlopen"):
        verificateur(klokspeling_s=0).verifieer(token)


def test_an_algorithm_left_out_of_the_settings_is_refused(
    uitgever: Proefuitgever, verificateur: Maak, sleutels: dict[str, Sleutel]
) -> None:
    with pytest.raises(IdentiteitError, match="algoritme-geweigerd"):
        verificateur(algoritmen=("EdDSA",)).verifieer(uitgever.token(sleutel=sleutels["RS256"]))


def test_an_issuer_whose_discovery_names_another_issuer_is_not_trusted(uitgever: Proefuitgever, verificateur: Maak) -> None:
    uitgever.ontdekking_issuer = "https://elders.example.nl"
    with pytest.raises(IdentiteitError) as fout:
        verificateur().verifieer(uitgever.token())
    assert (fout.value.reden, fout.value.status) == ("uitgever-onbereikbaar", 503)


def test_an_unreachable_issuer_is_a_503_not_a_pass(uitgever: Proefuitgever, verificateur: Maak) -> None:
    token = uitgever.token()
    uitgever.stop()
    with pytest.raises(IdentiteitError) as fout:
        verificateur(http_timeout_s=1).verifieer(token)
    assert (fout.value.reden, fout.value.status) == ("uitgever-onbereikbaar", 503)


@pytest.mark.parametrize(
    ("kop", "reden"),
    [(None, "token-ontbreekt"), ("", "token-ontbreekt"), ("Basic YW5uYTp4", "token-ontbreekt"), ("Bearer", "token-ontbreekt")],
)
def test_only_a_bearer_authorization_header_carries_a_token(kop: str | None, reden: str) -> None:
    with pytest.raises(IdentiteitError, match=reden):
        token_uit_header(kop)


def test_the_bearer_scheme_is_case_insensitive() -> None:
    assert token_uit_header("bearer abc.def.ghi") == "abc.def.ghi"


def _gebruiker(rol: str, partij: str | None) -> Gebruiker:
    return Gebruiker.model_validate({"issuer": "https://sso", "subject": "s", "weergavenaam": "n", "partij": partij, "rol": rol})


@pytest.mark.parametrize(
    ("rol", "partij", "als", "reden"),
    [
        ("medewerker", "veilig-thuis", "veilig-thuis", None),
        ("medewerker", "lokaal-team:ijmuiden", "lokaal-team:ijmuiden", None),
        ("medewerker", "lokaal-team:ijmuiden", "veilig-thuis", "partij-geweigerd"),
        ("medewerker", "veilig-thuis", "lokaal-team:ijmuiden", "partij-geweigerd"),
        ("auditor", None, "veilig-thuis", "rol-mag-niet-handelen"),
        ("operator", None, "veilig-thuis", "rol-mag-niet-handelen"),
        ("beheerder", None, "veilig-thuis", "rol-mag-niet-handelen"),
    ],
)
def test_a_token_allows_acting_only_as_its_own_party(rol: str, partij: str | None, als: str, reden: str | None) -> None:
    gebruiker = _gebruiker(rol, partij)
    if reden is None:
        controleer_als(gebruiker, als)
        return
    with pytest.raises(IdentiteitError) as fout:
        controleer_als(gebruiker, als)
    assert (fout.value.reden, fout.value.status) == (reden, 403)


def test_an_auditor_token_acting_as_a_party_is_refused_end_to_end(uitgever: Proefuitgever, verificateur: Maak) -> None:
    token = uitgever.token(realm_access={"roles": ["auditor"]}, partij="veilig-thuis")
    gebruiker = verificateur().verifieer(token)
    assert (gebruiker.rol, gebruiker.partij) == ("auditor", None)
    with pytest.raises(IdentiteitError, match="rol-mag-niet-handelen"):
        controleer_als(gebruiker, "veilig-thuis")


def test_a_problem_document_names_the_reason_and_no_token_content() -> None:
    fout = IdentiteitError("partij-geweigerd", "this token acts as 'a' only, not as 'b'")
    assert fout.als_probleem() == {
        "type": "urn:casus:probleem:partij-geweigerd",
        "title": "The token does not allow acting as this party",
        "status": 403,
        "detail": "this token acts as 'a' only, not as 'b'",
        "reden": "partij-geweigerd",
    }
    assert fout.www_authenticate is None


def test_a_published_key_without_alg_checks_only_algorithms_of_its_type(uitgever: Proefuitgever, verificateur: Maak) -> None:
    rsa = maak_sleutel("RS256")
    uitgever.rauwe_jwks = [{k: v for k, v in rsa.jwk().items() if k != "alg"}]
    assert verificateur().verifieer(uitgever.token(sleutel=rsa, sub="zonder-alg")).subject == "zonder-alg"
    vreemd = maak_sleutel("ES256")
    with pytest.raises(IdentiteitError, match="algoritme-geweigerd"):
        verificateur().verifieer(uitgever.token(sleutel=vreemd, kop={"kid": rsa.kid}))


def test_an_accepted_token_is_known_until_it_expires_and_a_refused_one_never(uitgever: Proefuitgever, verificateur: Maak) -> None:
    v = verificateur(klokspeling_s=0)
    nu = int(time.time())
    token = uitgever.token(iat=nu, nbf=nu, exp=nu + 2)
    assert v.bekend(token) is None
    gebruiker = v.verifieer(token)
    assert v.bekend(token) == gebruiker
    vervalst = _gewijzigde_handtekening(uitgever)
    with pytest.raises(IdentiteitError):
        v.verifieer(vervalst)
    assert v.bekend(vervalst) is None
    time.sleep(2.1)
    assert v.bekend(token) is None
    with pytest.raises(IdentiteitError, match="token-verlopen"):
        v.verifieer(token)


def test_an_accepted_token_is_not_remembered_longer_than_the_keys_are_trusted(uitgever: Proefuitgever, verificateur: Maak) -> None:
    v = verificateur(jwks_geldig_s=0.5)
    token = uitgever.token()
    v.verifieer(token)
    assert v.bekend(token) is not None
    time.sleep(0.6)
    assert v.bekend(token) is None


def test_the_apis_verifier_refuses_a_caseworker_of_a_party_the_agreements_do_not_know(uitgever: Proefuitgever, http: httpx.Client) -> None:
    """As api/server.py builds it: a token for `lokaal-team:ijmuiden` (no team of either policy) or
    `Veilig-Thuis` is refused (403), not given an empty caseload; a known party passes."""
    v = api_verificateur(uitgever.url, client=http)
    assert v.verifieer(uitgever.token(partij="lokaal-team:socius-md")).partij == "lokaal-team:socius-md"
    for partij in ("lokaal-team:ijmuiden", "Veilig-Thuis", "instelling: "):
        with pytest.raises(IdentiteitError) as fout:
            v.verifieer(uitgever.token(partij=partij))
        assert (fout.value.reden, fout.value.status) == ("partij-onbekend", 403), fout.value
        assert "is no party of these agreements" in fout.value.detail or "instelling is named" in fout.value.detail
