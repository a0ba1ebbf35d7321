"""Attacks on the front door (the authenticated API and the CLI as its client): an insider with a
caseworker's token of one party, an auditor's reason that says nothing, an idempotency key reused
with another text, a caller's `Prefer: wait=0`, out-of-range query values, an unauthenticated
readiness probe, and a CLI pointed at a remote plain-http address. One test per defect; each fails
now and passes once the defect is fixed.

The API runs in-process on real parts (tests/api/omgeving.py: a Temporal dev server, the worker, the
projection runner, a SQLite store, a test issuer whose tokens the API verifies), once per module."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.app import maak_app
from api.identiteit import Verificateur
from api.instellingen import OidcInstellingen
from runtime.settings import Settings
from service.casussen import casus_id_voor
from service.samenstelling import Samenstelling
from tests.api.omgeving import Api, api_op_echte_onderdelen

pytestmark = [pytest.mark.storing, pytest.mark.asyncio(loop_scope="session")]

VT = ("medewerker", "veilig-thuis")
TEAM = ("medewerker", "lokaal-team:socius-md")
AUDITOR = ("auditor", None)
OPERATOR = ("operator", None)


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def api(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    async with api_op_echte_onderdelen(tmp_path_factory.mktemp("voordeur")) as a:
        yield a


def _huishouden() -> str:
    return f"HH-{uuid.uuid4().hex[:8]}"


async def _meld(api: Api, huishouden: str, inhoud: str, sleutel: str | None = None, **koppen: str) -> httpx.Response:
    body = {"beleid": "ijmond-2024", "gemeente": "velsen", "huishouden": huishouden, "inhoud": inhoud, "als": "veilig-thuis"}
    extra = {"Idempotency-Key": sleutel} if sleutel else {}
    return await api.client.post("/casussen", json=body, headers=api.kop(*VT) | extra | koppen)


async def _aangeboden(api: Api, inhoud: str) -> str:
    """An IJmond casus whose beoordeling offered it to Socius MD (direct overdracht), not yet accepted."""
    r = await _meld(api, _huishouden(), inhoud)
    assert r.status_code == 201, r.text
    casus_id = str(r.json()["casus_id"])
    r = await api.client.post(
        f"/casussen/{casus_id}/acties/beoordeling-afronden",
        json={"velden": {"besluit": "direct-overdracht", "team": "socius-md", "criteria": []}},
        headers=api.kop(*VT),
    )
    assert r.status_code == 200, r.text
    return casus_id


def _ongevangen(api: Api) -> httpx.AsyncClient:
    """A client of the same app that receives an unhandled error as the 500 a server would send."""
    app: Any = api.client._transport.app  # type: ignore[attr-defined]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://casus.test")


async def test_a_team_that_declined_the_casus_cannot_read_its_dossier(api: Api) -> None:
    """Attack: Veilig Thuis offers a casus to a team; the team declines (`overdracht-weigeren`) and
    then asks for the dossier. Today it gets every personal text, the melding's included, and keeps
    that access (domain/toegang.py counts `geweigerd_door` as involved). The README gives the dossier
    to "a party that holds or held" the casus, and IJmond's policy (IJM-3.3.1d,
    `formulier_direct_moment: acceptatie`) says a team that declines gets no data. Expected: 403,
    nothing shown."""
    casus_id = await _aangeboden(api, "Moeder vertelt over slaan, WEIGER-1.")
    r = await api.client.post(
        f"/casussen/{casus_id}/acties/overdracht-weigeren", json={"velden": {"reden": "geen capaciteit"}}, headers=api.kop(*TEAM)
    )
    assert r.status_code == 200, r.text
    dossier = await api.client.get(f"/casussen/{casus_id}/dossier?reden=nieuwsgierig", headers=api.kop(*TEAM))
    assert "WEIGER-1" not in dossier.text
    assert dossier.status_code == 403, f"a team that declined read the dossier: {dossier.status_code} {dossier.text[:300]}"


async def test_a_team_only_offered_an_ijmond_casus_cannot_read_its_dossier_before_accepting(api: Api) -> None:
    """Attack: a caseworker of a team to which an IJmond casus is merely offered (not accepted, not
    held) reads the dossier. Today every personal text is returned. IJmond hands the data over at the
    team's acceptance (IJM-3.3.1d, `formulier_direct_moment: acceptatie`), and the README gives the
    dossier to a party that holds or held the casus. Expected: 403 until the team accepts."""
    casus_id = await _aangeboden(api, "Buurman hoort kind huilen, AANGEBODEN-2.")
    dossier = await api.client.get(f"/casussen/{casus_id}/dossier?reden=inlezen", headers=api.kop(*TEAM))
    assert "AANGEBODEN-2" not in dossier.text
    assert dossier.status_code == 403, f"an offered team read the dossier: {dossier.status_code} {dossier.text[:300]}"


async def test_a_melding_key_reused_with_another_text_is_not_silently_the_first_casus(api: Api) -> None:
    """Attack (or a clerk's slip): a second melding about the same household is sent with the
    Idempotency-Key of the first (e.g. a registration number typed twice) and another text. Today the
    API answers 201 with the first casus; the second melding's text is recorded nowhere, and nobody is
    told. A key retries one melding (README); a different melding under it must be refused as the API
    already refuses a different household (409, naming the field), or its text must be recorded.
    Expected: 409, or the second text in the casus's dossier."""
    huishouden, sleutel = _huishouden(), f"REG-{uuid.uuid4().hex[:8]}"
    eerste = await _meld(api, huishouden, "Eerste melding: vader drinkt.", sleutel)
    assert eerste.status_code == 201, eerste.text
    tweede = await _meld(api, huishouden, "Tweede melding: kind met blauwe plekken gezien.", sleutel)
    if tweede.status_code == 409:
        return
    dossier = await api.client.get(f"/casussen/{eerste.json()['casus_id']}/dossier?reden=controle", headers=api.kop(*AUDITOR))
    teksten = [t["tekst"] for t in dossier.json()["teksten"]]
    assert "Tweede melding: kind met blauwe plekken gezien." in teksten, (
        f"the second melding answered {tweede.status_code} with casus {tweede.json().get('casus_id')}, "
        f"but its text is lost; the dossier holds {teksten}"
    )


async def test_an_action_key_reused_with_another_text_of_the_same_length_is_not_lost(api: Api) -> None:
    """Attack (or a caseworker's slip): the same person sends two `incident`s with one
    Idempotency-Key, the texts different but of equal length ("Vader sloeg moeder" / "Kind viel van
    trap"). The update id is the key plus a fingerprint in which a personal text counts by its length
    only (service/sturen.py `vingerafdruk`), so Temporal answers the second with the first's result:
    200, the same version, and the second incident is recorded nowhere. Expected: 409 (the key belongs
    to another request), or both texts in the dossier. (A keyed hash of the text would tell them apart
    without showing it in Temporal.)"""
    r = await _meld(api, _huishouden(), "")
    casus_id = r.json()["casus_id"]
    kop = api.kop(*VT, subject=f"anna-{uuid.uuid4().hex[:6]}") | {"Idempotency-Key": f"INC-{uuid.uuid4().hex[:8]}"}
    eerste = await api.client.post(
        f"/casussen/{casus_id}/acties/incident", json={"velden": {"omschrijving": "Vader sloeg moeder"}}, headers=kop
    )
    assert eerste.status_code == 200, eerste.text
    tweede = await api.client.post(
        f"/casussen/{casus_id}/acties/incident", json={"velden": {"omschrijving": "Kind viel van trap"}}, headers=kop
    )
    if tweede.status_code == 409:
        return
    dossier = await api.client.get(f"/casussen/{casus_id}/dossier?reden=controle", headers=api.kop(*AUDITOR))
    teksten = [t["tekst"] for t in dossier.json()["teksten"]]
    assert "Kind viel van trap" in teksten, f"the second incident answered {tweede.status_code} but is lost; the dossier holds {teksten}"


async def test_prefer_wait_zero_never_reports_a_melding_accepted_that_was_never_sent(api: Api) -> None:
    """Attack: a client sends `Prefer: wait=0` (RFC 7240) with a melding. The API's wait for the
    worker then times out before the workflow is even started, and answers 503 saying "the melding is
    accepted as casus X and is recorded once a worker runs; do not register it again", while nothing
    was sent: casus X stays unknown (404) with the worker running. A caseworker who obeys loses the
    melding. Expected: a melding the answer calls accepted exists (its workflow started), or the
    answer does not call it accepted."""
    sleutel = f"W0-{uuid.uuid4().hex[:8]}"
    r = await _meld(api, _huishouden(), "Melding met wait=0.", sleutel, Prefer="wait=0")
    if r.status_code == 201:
        return
    detail = str(r.json().get("detail", ""))
    if "accepted" not in detail and "do not register it again" not in detail:
        return
    casus_id = casus_id_voor("ijmond-2024", sleutel)
    status = 0
    for _ in range(50):
        status = (await api.client.get(f"/casussen/{casus_id}", headers=api.kop(*VT))).status_code
        if status == 200:
            return
        await asyncio.sleep(0.2)
    pytest.fail(f"answered {r.status_code} '{detail[:200]}…', yet casus {casus_id} is unknown ({status}) with the worker running")


async def test_a_report_period_outside_the_calendar_is_refused_naming_the_field_not_a_500(api: Api) -> None:
    """Attack: an operator asks `GET /rapporten/ijmond-2024?van=2026-01-01&tot=9999-12-31`. Today the
    read model's time conversion overflows (OverflowError) and the API answers 500 without problem
    details. Every other out-of-range moment is refused with 422 naming the field (2000-2100).
    Expected: 422 application/problem+json naming `tot`."""
    async with _ongevangen(api) as client:
        r = await client.get("/rapporten/ijmond-2024?van=2026-01-01&tot=9999-12-31", headers=api.kop(*OPERATOR))
    assert r.status_code == 422, f"{r.status_code} {r.headers.get('content-type')} {r.text[:200]}"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json().get("veld") == "tot"


@pytest.mark.parametrize("reden", ["\x00", "\u200b", "\u200b\u200b\u200b", "\x07\x08"], ids=["nul", "zwsp", "zwsp3", "bel-bs"])
async def test_a_reason_that_shows_nothing_does_not_open_a_dossier(api: Api, reden: str) -> None:
    """Attack: an auditor (or a caseworker) reads a dossier with a "reason" made of control or
    invisible characters (NUL, zero-width spaces, BEL). Today the whitespace check lets them through,
    the texts are shown, and the access log (NEN 7513) records a reason no one can read. Expected: 403
    `reden-ontbreekt` (or 422 naming `reden`), as for an empty or blank reason."""
    r = await _meld(api, _huishouden(), "Tekst achter een lege reden.")
    casus_id = r.json()["casus_id"]
    dossier = await api.client.get(f"/casussen/{casus_id}/dossier", params={"reden": reden}, headers=api.kop(*AUDITOR))
    assert dossier.status_code in (403, 422), f"read with reason {reden!r}: {dossier.status_code} {dossier.text[:200]}"
    assert dossier.json().get("veld") == "reden"


async def test_the_access_log_page_states_the_true_total(api: Api) -> None:
    """Attack on the auditor's view: three logged reads of one casus, listed with `limiet=1`. Today
    `pagina.totaal` is offset + the rows fetched (limiet + 1), here 2, while three reads are logged;
    the other lists state the true total. An auditor who trusts `totaal` under-counts who read a
    record. Expected: `totaal` is 3."""
    r = await _meld(api, _huishouden(), "Drie keer gelezen.")
    casus_id = r.json()["casus_id"]
    for reden in ("een", "twee", "drie"):
        gelezen = await api.client.get(f"/casussen/{casus_id}/dossier?reden={reden}", headers=api.kop(*AUDITOR))
        assert gelezen.status_code == 200, gelezen.text
    log = await api.client.get(f"/inzage-log?casus_id={casus_id}&limiet=1", headers=api.kop(*AUDITOR))
    assert log.status_code == 200, log.text
    assert log.json()["pagina"]["totaal"] == 3, log.json()["pagina"]


async def test_the_unauthenticated_readiness_probe_names_no_internal_address(tmp_path: Path) -> None:
    """Attack: anyone who reaches the API, without a token, asks `GET /gereed` while Temporal is
    down. Today the 503's detail names the Temporal frontend's internal address and the gRPC client's
    raw error (`tonic::transport::Error … ConnectionRefused`), and tells the caller to run `make dev`.
    `/gereed` needs no token, so this is disclosed to the world. Expected: 503 problem+json that
    says which part is not ready, without addresses, paths or library errors (those go to the log)."""
    settings = Settings(state_dir=tmp_path, eventstore="sqlite", temporal_address="127.0.0.1:1", metrics_port=0)
    app = maak_app(Samenstelling(settings), Verificateur(OidcInstellingen(issuer="http://127.0.0.1:9")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://casus.test", timeout=30) as client:
        r = await client.get("/gereed")
    assert r.status_code == 503, r.text
    detail = str(r.json().get("detail", ""))
    for geheim in ("127.0.0.1:1", "tonic", "ConnectError", str(tmp_path)):
        assert geheim not in detail, f"/gereed without a token discloses {geheim!r}: {detail}"
