"""Every endpoint against every role and party, and every forged or wrong token against every endpoint
(issue 13; domain/toegang.py; RULES.md "Who may do what"). The API runs on real parts; tokens come
from a test issuer and are verified as a provider's would be."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization

from eventstore.store import EventStore
from tests.api.omgeving import Api, api_op_echte_onderdelen

pytestmark = pytest.mark.asyncio(loop_scope="session")

VT = ("medewerker", "veilig-thuis")
TEAM = ("medewerker", "lokaal-team:socius-md")  # the casus is offered to this team
ANDER_TEAM = ("medewerker", "lokaal-team:cjg-kennemerland")  # never offered it
AUDITOR = ("auditor", None)
OPERATOR = ("operator", None)
BEHEERDER = ("beheerder", None)
PERSONEN = {"vt": VT, "team": TEAM, "ander-team": ANDER_TEAM, "auditor": AUDITOR, "operator": OPERATOR, "beheerder": BEHEERDER}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    async with api_op_echte_onderdelen(tmp_path_factory.mktemp("api")) as a:
        yield a


async def _meld(api: Api, huishouden: str, inhoud: str = "Buurvrouw hoort geschreeuw.") -> str:
    r = await api.client.post(
        "/casussen",
        json={"beleid": "ijmond-2024", "gemeente": "velsen", "huishouden": huishouden, "inhoud": inhoud, "als": "veilig-thuis"},
        headers=api.kop(*VT),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["casus_id"])


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def casus(api: Api) -> str:
    """A casus offered to Socius MD (direct overdracht), not to CJG Kennemerland."""
    casus_id = await _meld(api, f"HH-{uuid.uuid4().hex[:6]}")
    r = await api.client.post(
        f"/casussen/{casus_id}/acties/beoordeling-afronden",
        json={"velden": {"besluit": "direct-overdracht", "team": "socius-md", "criteria": []}, "als": "veilig-thuis"},
        headers=api.kop(*VT),
    )
    assert r.status_code == 200, r.text
    return casus_id


# The step each person takes: one the agreements allow that person in the casus's phase.
STAP = {"team": ("overdracht-accepteren", {})}


def _verzoeken(casus_id: str, wie: str = "vt") -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every endpoint that needs a token, with a request that is valid for a person allowed it."""
    actie, velden = STAP.get(wie, ("contact-vastgelegd", {"met": "gezin"}))
    return [
        ("POST", "/casussen", {"beleid": "ijmond-2024", "gemeente": "velsen", "huishouden": f"HH-{uuid.uuid4().hex[:6]}"}),
        ("GET", "/casussen", None),
        ("GET", f"/casussen/{casus_id}", None),
        ("POST", f"/casussen/{casus_id}/acties/{actie}", {"velden": velden}),
        ("GET", f"/casussen/{casus_id}/audit?reden=toezicht", None),
        ("GET", f"/casussen/{casus_id}/dossier?reden=toezicht", None),
        ("GET", "/huishoudens/HH-bestaat-niet?reden=toezicht", None),
        ("POST", "/huishoudens/HH-bestaat-niet/vergeten", {"reden": "termijn verstreken"}),
        ("GET", "/termijnen", None),
        ("GET", "/rapporten/ijmond-2024?van=2026-01-01&tot=2026-12-31", None),
        ("GET", "/inzage-log", None),
        ("POST", f"/casussen/{casus_id}/herstel", None),
    ]


# Who may reach each endpoint at all (the role), for casus `casus`: 2xx, or the status refused with.
TOEGESTAAN: dict[str, set[str]] = {
    "POST /casussen": {"vt", "team", "ander-team"},
    "GET /casussen": {"vt", "team", "ander-team", "auditor", "operator"},
    "GET /casussen/{id}": {"vt", "team", "auditor", "operator"},
    "POST /casussen/{id}/acties/contact-vastgelegd": {"vt", "team"},
    "GET /casussen/{id}/audit": {"vt", "team", "auditor"},
    "GET /casussen/{id}/dossier": {"vt", "team", "auditor"},
    "GET /huishoudens/{h}": {"auditor"},
    "POST /huishoudens/{h}/vergeten": {"beheerder"},
    "GET /termijnen": {"auditor", "operator"},
    "GET /rapporten/{b}": {"auditor", "operator"},
    "GET /inzage-log": {"auditor"},
    "POST /casussen/{id}/herstel": {"beheerder"},
}


def _sleutel(methode: str, pad: str, casus_id: str) -> str:
    pad = pad.split("?", maxsplit=1)[0].replace(casus_id, "{id}")
    pad = pad.replace("HH-bestaat-niet", "{h}").replace("ijmond-2024", "{b}").replace(STAP["team"][0], "contact-vastgelegd")
    return f"{methode} {pad}"


@pytest.mark.parametrize("wie", sorted(PERSONEN))
async def test_every_endpoint_against_every_role_and_party(api: Api, casus: str, wie: str) -> None:
    rol, partij = PERSONEN[wie]
    for methode, pad, inhoud in _verzoeken(casus, wie):
        body = inhoud | {"als": partij} if inhoud is not None and partij is not None and "velden" in inhoud else inhoud
        r = await api.client.request(methode, pad, json=body, headers=api.kop(rol, partij))
        naam = _sleutel(methode, pad, casus)
        if wie in TOEGESTAAN[naam]:
            # Allowed through the door; the agreements may still refuse the step itself (422), never 401/403.
            assert r.status_code in (200, 201, 422), f"{wie} {naam}: {r.status_code} {r.text}"
        else:
            assert r.status_code == 403, f"{wie} {naam}: {r.status_code} {r.text}"
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["reden"] or r.json()["regel"]


async def test_a_team_acting_on_a_casus_not_offered_to_it_is_refused_and_nothing_is_recorded(api: Api) -> None:
    casus = await _meld(api, f"HH-{uuid.uuid4().hex[:6]}")
    r = await api.client.post(
        f"/casussen/{casus}/acties/beoordeling-afronden",
        json={"velden": {"besluit": "direct-overdracht", "team": "socius-md", "criteria": []}},
        headers=api.kop(*VT),
    )
    assert r.status_code == 200, r.text
    voor = _stream(api, casus)
    r = await api.client.post(f"/casussen/{casus}/acties/overdracht-accepteren", json={"als": ANDER_TEAM[1]}, headers=api.kop(*ANDER_TEAM))
    assert r.status_code == 403, r.text
    assert r.json()["veld"] == "als"
    assert len(_stream(api, casus)) == len(voor)


async def test_an_auditor_trying_to_act_is_refused(api: Api, casus: str) -> None:
    r = await api.client.post(f"/casussen/{casus}/acties/contact-vastgelegd", json={"velden": {"met": "gezin"}}, headers=api.kop(*AUDITOR))
    assert r.status_code == 403
    assert r.json()["regel"] == "rol-geweigerd"


async def test_als_is_a_check_against_the_token_not_a_claim(api: Api, casus: str) -> None:
    r = await api.client.post(
        f"/casussen/{casus}/acties/contact-vastgelegd",
        json={"velden": {"met": "gezin"}, "als": "veilig-thuis"},
        headers=api.kop(*TEAM),
    )
    assert r.status_code == 403
    assert r.json()["regel"] == "partij-geweigerd"
    assert r.json()["veld"] == "als"


async def test_the_recorded_actor_is_the_authenticated_subject(api: Api) -> None:
    huishouden = f"HH-{uuid.uuid4().hex[:6]}"
    r = await api.client.post(
        "/casussen",
        json={"beleid": "ijmond-2024", "gemeente": "velsen", "huishouden": huishouden, "als": "veilig-thuis"},
        headers=api.kop(*VT, naam="bram", subject="sub-bram-42"),
    )
    assert r.status_code == 201, r.text
    actor = _stream(api, r.json()["casus_id"])[0].actor
    assert (actor.partij, actor.medewerker, actor.subject, actor.issuer) == ("veilig-thuis", "bram", "sub-bram-42", api.uitgever.url)


async def test_an_auditor_reads_a_dossier_only_with_a_reason_and_every_read_is_logged(api: Api) -> None:
    casus_id = await _meld(api, f"HH-{uuid.uuid4().hex[:6]}", inhoud="Kind zegt bang te zijn voor vader.")
    zonder = await api.client.get(f"/casussen/{casus_id}/dossier", headers=api.kop(*AUDITOR))
    assert zonder.status_code == 403
    assert zonder.json()["veld"] == "reden"
    r = await api.client.get(f"/casussen/{casus_id}/dossier?reden=klacht%20ouder", headers=api.kop(*AUDITOR, naam="carla"))
    assert r.status_code == 200, r.text
    assert [t["tekst"] for t in r.json()["teksten"]] == ["Kind zegt bang te zijn voor vader."]
    log = await api.client.get(f"/inzage-log?casus_id={casus_id}", headers=api.kop(*AUDITOR))
    assert [(i["naam"], i["handeling"], i["reden"]) for i in log.json()["inzagen"]] == [("carla", "dossier", "klacht ouder")]


async def test_the_store_holds_no_personal_text_in_clear(api: Api) -> None:
    casus_id = await _meld(api, f"HH-{uuid.uuid4().hex[:6]}", inhoud="Geheime zin 7391.")
    ruw = json.dumps([e.model_dump(mode="json") for e in _stream(api, casus_id)])
    assert "Geheime zin 7391" not in ruw


def _stream(api: Api, casus_id: str) -> list[Any]:
    store = EventStore.open(api.settings)
    try:
        return list(store.read(casus_id))
    finally:
        store.close()


# Forged and wrong tokens: every endpoint, each refused with 401 and a challenge, before any use case.


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _vervalsingen(api: Api) -> dict[str, str]:
    sleutel = api.uitgever.gepubliceerd[0]
    echt = api.token(*VT)
    kop, claims, handtekening = echt.split(".")
    anders = "A" if handtekening[5] != "A" else "B"
    publiek = sleutel.prive.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    geldig = api.uitgever.claims(realm_access={"roles": ["medewerker"]}, partij="veilig-thuis")
    return {
        "geen token": "",
        "verlopen": api.token(*VT, exp=1_700_000_000, iat=1_699_999_000, nbf=1_699_999_000),
        "andere uitgever": api.token(*VT, iss="https://elders.example.nl"),
        "ander publiek": api.token(*VT, aud="ander-systeem"),
        "handtekening veranderd": f"{kop}.{claims}.{handtekening[:5]}{anders}{handtekening[6:]}",
        "claims veranderd": f"{kop}.{_b64(json.dumps(geldig | {'partij': 'lokaal-team:x'}).encode())}.{handtekening}",
        "alg none": api.uitgever.ongetekend({"alg": "none", "kid": sleutel.kid}, geldig),
        "HMAC met de publieke sleutel": api.uitgever.ongetekend({"alg": "HS256", "kid": sleutel.kid}, geldig, geheim=publiek),
    }


async def test_every_forged_or_wrong_token_is_refused_on_every_endpoint(api: Api, casus: str) -> None:
    for naam, token in _vervalsingen(api).items():
        for methode, pad, body in _verzoeken(casus):
            kop = {"Authorization": f"Bearer {token}"} if token else {}
            r = await api.client.request(methode, pad, json=body, headers=kop)
            assert r.status_code == 401, f"{naam} {methode} {pad}: {r.status_code} {r.text}"
            assert r.headers["www-authenticate"].startswith("Bearer")
            assert r.headers["content-type"].startswith("application/problem+json")


async def test_no_token_is_needed_only_to_find_the_issuer_and_the_health(api: Api) -> None:
    assert (await api.client.get("/aanmelden")).json()["issuer"] == api.uitgever.url
    assert (await api.client.get("/gezond")).status_code == 200
    assert (await api.client.get("/gereed")).status_code == 200


async def test_a_body_over_the_limit_is_refused_before_it_is_read(api: Api) -> None:
    groot = "x" * (api.settings.api_max_body_bytes + 1)
    r = await api.client.post("/casussen", content=groot, headers=api.kop(*VT) | {"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_retried_melding_with_the_same_idempotency_key_is_one_casus(api: Api) -> None:
    body = {"beleid": "ijmond-2024", "gemeente": "velsen", "huishouden": f"HH-{uuid.uuid4().hex[:6]}", "als": "veilig-thuis"}
    sleutel = {"Idempotency-Key": f"vt-{uuid.uuid4().hex}"}
    eerste = await api.client.post("/casussen", json=body, headers=api.kop(*VT) | sleutel)
    tweede = await api.client.post("/casussen", json=body, headers=api.kop(*VT) | sleutel)
    assert eerste.status_code == tweede.status_code == 201
    assert eerste.json()["casus_id"] == tweede.json()["casus_id"]
    assert len(_stream(api, eerste.json()["casus_id"])) == len(_stream(api, tweede.json()["casus_id"]))


async def test_a_refusal_of_the_agreements_names_its_rule_and_field(api: Api) -> None:
    casus = await _meld(api, f"HH-{uuid.uuid4().hex[:6]}")
    r = await api.client.post(
        f"/casussen/{casus}/acties/beoordeling-afronden",
        json={"velden": {"besluit": "geen-besluit-dat-bestaat"}, "als": "veilig-thuis"},
        headers=api.kop(*VT),
    )
    assert r.status_code == 422, r.text
    probleem = r.json()
    assert probleem.get("veld") == "besluit", probleem
    assert probleem.get("regel"), probleem


async def test_a_beheerder_forgets_a_household_and_the_worker_records_it_in_its_casussen(api: Api) -> None:
    huishouden = f"HH-{uuid.uuid4().hex[:6]}"
    casus_id = await _meld(api, huishouden, inhoud="Te vergeten tekst.")
    r = await api.client.post(
        f"/huishoudens/{huishouden}/vergeten", json={"reden": "bewaartermijn"}, headers=api.kop(*BEHEERDER, naam="dirk")
    )
    assert r.status_code == 200, r.text
    assert r.json()["casussen"] == [casus_id]
    laatste = _stream(api, casus_id)[-1]
    assert (laatste.type, laatste.actor.medewerker, laatste.actor.partij) == ("HuishoudenVergeten", "dirk", "veilig-thuis")
    dossier = await api.client.get(f"/casussen/{casus_id}/dossier?reden=controle", headers=api.kop(*AUDITOR))
    assert [t["tekst"] for t in dossier.json()["teksten"]] == ["[vergeten]"]
    nogmaals = await api.client.post(f"/huishoudens/{huishouden}/vergeten", json={"reden": "bewaartermijn"}, headers=api.kop(*BEHEERDER))
    assert nogmaals.json()["al_vergeten"] is True
    assert len([e for e in _stream(api, casus_id) if e.type == "HuishoudenVergeten"]) == 1


async def test_temporal_names_the_casus_its_next_deadline_its_timers_and_its_updates(api: Api) -> None:
    """What an operator reads in Temporal's UI (issue 15): no personal text, the rule of every wait."""
    huishouden = f"HH-{uuid.uuid4().hex[:6]}"
    casus_id = await _meld(api, huishouden, inhoud="Niet in de UI.")
    r = await api.client.post(f"/casussen/{casus_id}/acties/contact-vastgelegd", json={"velden": {"met": "gezin"}}, headers=api.kop(*VT))
    assert r.status_code == 200, r.text
    client = await api.samenstelling.temporal()
    h = client.get_workflow_handle(f"casus-{casus_id}")
    beschrijving = await h.describe()
    assert await beschrijving.static_summary() == f"ijmond-2024 · velsen · {huishouden}"
    metadata = await h.query("__temporal_workflow_metadata")
    assert "**volgende termijn** veiligheidsbeoordeling uiterlijk" in metadata.current_details
    geschiedenis = await h.fetch_history()
    conv = client.data_converter.payload_converter
    timers = [conv.from_payload(e.user_metadata.summary, str) for e in geschiedenis.events if e.HasField("timer_started_event_attributes")]
    assert timers and all("(IJM-" in t for t in timers), timers
    updates = [
        e.workflow_execution_update_accepted_event_attributes.protocol_instance_id
        for e in geschiedenis.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert any(u.startswith("contact-vastgelegd-") for u in updates), updates
    assert "Niet in de UI" not in str(geschiedenis.to_json())


async def test_a_missing_field_is_named_in_the_problems_text_too(api: Api) -> None:
    """A client may show only the problem's text: it names the field, not only `veld` does."""
    body = {"beleid": "ijmond-2024", "huishouden": f"HH-{uuid.uuid4().hex[:6]}", "als": "veilig-thuis"}
    r = await api.client.post("/casussen", json=body, headers=api.kop(*VT))
    assert r.status_code == 422, r.text
    assert (r.json()["veld"], r.json()["detail"]) == ("gemeente", "gemeente is required and missing"), r.json()
    r = await api.client.post("/casussen", json=body | {"gemeente": 7}, headers=api.kop(*VT))
    assert r.status_code == 422 and r.json()["detail"].startswith("gemeente: "), r.json()


async def test_a_casus_id_of_another_form_is_named_as_such_not_by_the_pattern(api: Api) -> None:
    r = await api.client.get("/casussen/urn:uuid:0e0e0e0e-0000-4000-8000-000000000000", headers=api.kop(*VT))
    assert r.status_code == 422 and "pattern" not in r.json()["detail"], r.json()
    assert r.json()["detail"].startswith("casus_id: not a casus id"), r.json()
