"""The read endpoints refuse a value they do not know instead of answering with nothing: a list's
filters (beleid, gemeente, fase, partij) and the access log of a casus the event store does not hold;
an over-long filter value is refused naming the field, and a refusal quotes at most 80 characters of
a value. A casus id in any spelling is read, logged and looked up in its one form.
The API runs in-process over a SQLite event store; tokens come from a test issuer and are verified as
a provider's would be. Temporal is not needed: each refusal comes before anything is read."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from api.app import maak_app
from api.identiteit import Verificateur
from api.instellingen import OidcInstellingen
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from service.samenstelling import Samenstelling
from tests.api.proefuitgever import PUBLIEK, Proefuitgever, maak_sleutel, start_proefuitgever

PROBLEEM = "application/problem+json"


@dataclass
class Leesapi:
    client: httpx.AsyncClient
    uitgever: Proefuitgever
    settings: Settings

    def kop(self, rol: str, partij: str | None = None) -> dict[str, str]:
        token = self.uitgever.token(realm_access={"roles": [rol]}, partij=partij, preferred_username="anna")
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def uitgever() -> Iterator[Proefuitgever]:
    u = start_proefuitgever(maak_sleutel("ES256"))
    yield u
    u.stop()


@pytest_asyncio.fixture
async def api(tmp_path: Path, uitgever: Proefuitgever) -> AsyncIterator[Leesapi]:
    settings = Settings(state_dir=tmp_path, eventstore="sqlite", temporal_address="127.0.0.1:1", metrics_port=0)
    app = maak_app(Samenstelling(settings), Verificateur(OidcInstellingen(issuer=uitgever.url, audience=PUBLIEK)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://casus.test", timeout=30) as client:
        yield Leesapi(client, uitgever, settings)


ONBEKENDE_FILTERS = [
    # (query, field, a value the refusal names as accepted)
    ({"beleid": "bogus"}, "beleid", "ijmond-2024"),
    ({"fase": "bogus"}, "fase", "overdracht-aangeboden"),
    ({"gemeente": "Velsen"}, "gemeente", "velsen"),
    ({"gemeente": "arnhem", "beleid": "ijmond-2024"}, "gemeente", "heemskerk"),
    ({"partij": "nobody"}, "partij", "lokaal-team:socius-md"),
    ({"partij": "lokaal-team:onbekend-team"}, "partij", "lokaal-team:arnhem"),
    ({"partij": "instelling:"}, "partij", "instelling:<naam>"),
]


@pytest.mark.parametrize(("query", "veld", "aanvaard"), ONBEKENDE_FILTERS, ids=[str(q) for q, _, _ in ONBEKENDE_FILTERS])
async def test_the_list_refuses_a_filter_value_it_does_not_know_naming_the_field_and_what_it_accepts(
    api: Leesapi, query: dict[str, str], veld: str, aanvaard: str
) -> None:
    r = await api.client.get("/casussen", params=query, headers=api.kop("operator"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEEM)
    probleem = r.json()
    assert probleem["veld"] == veld
    assert f"unknown {veld} '{query[veld]}'" in probleem["detail"] and "accepted: " in probleem["detail"]
    assert aanvaard in probleem["detail"].split("accepted: ", 1)[1].split(", ")


async def test_the_partij_filter_names_every_holder_the_code_knows(api: Leesapi) -> None:
    r = await api.client.get("/casussen", params={"partij": "nobody"}, headers=api.kop("auditor"))
    aanvaard = r.json()["detail"].split("accepted: ", 1)[1].split(", ")
    assert {"melder", "veilig-thuis", "jeugdhulp", "mda", "clientsysteem", "instelling:<naam>"} <= set(aanvaard)
    assert {"lokaal-team:cjg-kennemerland", "lokaal-team:sociaal-wijkteam-velsen", "lokaal-team:zevenaar"} <= set(aanvaard)


async def test_a_caseworkers_own_party_from_the_token_is_never_an_unknown_filter_value(api: Leesapi) -> None:
    # A gemeente holds no casus, yet its caseworker's list is filtered on their party, given or not.
    for query in ({}, {"partij": "gemeente"}):
        r = await api.client.get("/casussen", params=query, headers=api.kop("medewerker", "gemeente"))
        assert r.status_code == 200 and r.json()["casussen"] == [], r.text
    anders = await api.client.get("/casussen", params={"partij": "veilig-thuis"}, headers=api.kop("medewerker", "gemeente"))
    assert anders.status_code == 403 and anders.json()["reden"] == "partij-geweigerd", anders.text


async def test_the_report_refuses_an_unknown_beleid_as_before(api: Leesapi) -> None:
    r = await api.client.get("/rapporten/bogus", params={"van": "2027-01-01", "tot": "2027-12-31"}, headers=api.kop("operator"))
    assert r.status_code == 422 and r.json()["veld"] == "beleid"
    assert r.json()["detail"] == "unknown beleid 'bogus'; accepted: gelderland-midden-2019, ijmond-2024"


async def test_the_access_log_of_a_casus_the_event_store_does_not_hold_is_refused_as_audit_refuses_it(api: Leesapi) -> None:
    casus_id = str(uuid.uuid4())
    log = await api.client.get("/inzage-log", params={"casus_id": casus_id}, headers=api.kop("auditor"))
    audit = await api.client.get(f"/casussen/{casus_id}/audit", params={"reden": "toezicht"}, headers=api.kop("auditor"))
    assert (log.status_code, audit.status_code) == (404, 404), log.text
    assert log.headers["content-type"].startswith(PROBLEEM)
    assert log.json()["veld"] == "casus_id" and log.json()["detail"] == audit.json()["detail"]
    assert log.json()["detail"] == f"unknown casus {casus_id}: the event store holds nothing for it"


async def test_the_access_log_of_a_known_casus_nobody_read_is_empty(api: Leesapi, ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    store = EventStore.open(api.settings)
    try:
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    finally:
        store.close()
    r = await api.client.get("/inzage-log", params={"casus_id": f"casus-{d.casus.casus_id}"}, headers=api.kop("auditor"))
    assert r.status_code == 200, r.text
    assert r.json()["inzagen"] == [] and r.json()["pagina"]["totaal"] == 0


def test_the_deadline_parameters_say_that_both_filters_together_list_either_kind(tmp_path: Path) -> None:
    app = maak_app(
        Samenstelling(Settings(state_dir=tmp_path)), Verificateur(OidcInstellingen(issuer="https://uitgever.example.nl/realms/casus"))
    )
    parameters = {p["name"]: p.get("description", "") for p in app.openapi()["paths"]["/termijnen"]["get"]["parameters"]}
    for naam, ander in (("verstreken", "binnen_dagen"), ("binnen_dagen", "verstreken")):
        assert "(OR)" in parameters[naam] and ander in parameters[naam], parameters[naam]


def _schrijf(settings: Settings, ijmond: Regelset) -> str:
    """A casus in the store, the read models caught up with it (the audit timeline reads them)."""
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    store = EventStore.open(settings)
    try:
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
        ProjectionRunner(store, open_views(store.infrastructure), alle()).catch_up()
    finally:
        store.close()
    return d.casus.casus_id


def spellingen(casus_id: str) -> list[str]:
    """Every way a person may type one casus id: upper case, without dashes, as Temporal's workflow id."""
    return [casus_id, casus_id.upper(), casus_id.replace("-", ""), f"casus-{casus_id.upper()}", f"casus-{casus_id.replace('-', '')}"]


async def test_a_read_by_any_spelling_of_a_casus_id_is_logged_under_its_one_form_and_found_by_every_spelling(
    api: Leesapi, ijmond: Regelset
) -> None:
    casus_id = _schrijf(api.settings, ijmond)
    auditor = api.kop("auditor")
    for spelling in spellingen(casus_id)[1:]:
        dossier = await api.client.get(f"/casussen/{spelling}/dossier", params={"reden": "toezicht"}, headers=auditor)
        assert dossier.status_code == 200 and dossier.json()["casus_id"] == casus_id, dossier.text
    audit = await api.client.get(f"/casussen/{casus_id.upper()}/audit", params={"reden": "toezicht"}, headers=auditor)
    assert audit.status_code == 200 and audit.json()["casus_id"] == casus_id, audit.text
    for spelling in spellingen(casus_id):
        log = await api.client.get("/inzage-log", params={"casus_id": spelling}, headers=auditor)
        assert log.status_code == 200, log.text
        assert log.json()["pagina"]["totaal"] == 5, f"{spelling}: {log.json()['inzagen']}"
        assert {i["casus_id"] for i in log.json()["inzagen"]} == {casus_id}


TE_LANG = [("/casussen", veld) for veld in ("beleid", "gemeente", "fase", "partij")] + [("/inzage-log", "huishouden")]


@pytest.mark.parametrize(("pad", "veld"), TE_LANG, ids=[f"{p} {v}" for p, v in TE_LANG])
@pytest.mark.parametrize("lengte", [201, 5000])
async def test_an_over_long_filter_value_is_refused_naming_the_field_without_echoing_it(
    api: Leesapi, pad: str, veld: str, lengte: int
) -> None:
    r = await api.client.get(pad, params={veld: "x" * lengte}, headers=api.kop("auditor"))
    assert r.status_code == 422, r.text[:300]
    assert r.json()["veld"] == veld and "200 characters" in r.json()["detail"], r.text[:300]
    assert "x" * 81 not in r.text


async def test_a_refused_filter_value_is_quoted_to_80_characters(api: Leesapi) -> None:
    waarde = "b" * 150
    r = await api.client.get("/casussen", params={"beleid": waarde, "gemeente": "velsen"}, headers=api.kop("operator"))
    assert r.status_code == 422 and r.json()["veld"] == "beleid", r.text
    assert f"unknown beleid '{'b' * 79}…'" in r.json()["detail"] and "b" * 80 not in r.json()["detail"]
