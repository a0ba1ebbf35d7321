"""CasusWorkflow on the time-skipping server: durable timers and refused updates."""

from __future__ import annotations

import asyncio
import logging

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain import gebeurtenissen as g
from domain.draaiboek import t, verzoek
from domain.stap import Regelset
from domain.toestand import Casus
from tests.workflows.conftest import Casusbank
from workflows.casus import CasusWorkflow, Resultaat


async def toestand(handle: WorkflowHandle[CasusWorkflow, Casus], tot_versie: int = 0) -> Casus:
    for _ in range(200):
        casus: Casus | None = await handle.query(CasusWorkflow.toestand)
        if casus is not None and casus.versie >= tot_versie:
            return casus
        await asyncio.sleep(0.01)
    raise AssertionError(f"the casus did not reach version {tot_versie}")


async def test_IJM_3_1d_a_melding_of_thursday_25_march_2027_passes_to_veilig_thuis_at_00_00_on_tuesday_6_april(
    bank: Casusbank, ijmond: Regelset
) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-04-05T23:59:00+02:00"))
    assert (await toestand(handle)).houder == "melder"

    await bank.klok_naar(t("2027-04-06T00:00:30+02:00"))
    casus = await toestand(handle, tot_versie=7)
    assert casus.houder == "veilig-thuis"
    overdracht = [e for e in bank.store.read(casus.casus_id) if isinstance(e, g.VerantwoordelijkheidOvergedragen)][-1]
    assert (overdracht.van, overdracht.naar, overdracht.regel) == ("melder", "veilig-thuis", "IJM-3.1d")
    assert overdracht.op == t("2027-04-06T00:00:00+02:00")
    assert overdracht.actor.partij == "systeem"
    assert t("2027-04-06T00:00:00+02:00") <= overdracht.vastgelegd < t("2027-04-06T00:01:00+02:00")


async def test_a_refused_action_never_enters_history_nor_the_event_store(
    bank: Casusbank, ijmond: Regelset, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="temporalio.workflow")
    handle = await bank.meld(ijmond, t("2027-11-15T14:00:00+01:00"), "beverwijk")
    await bank.klok_naar(t("2027-11-17T10:00:00+01:00"))
    casus = await toestand(handle)
    voor = bank.store.read(casus.casus_id)
    v = verzoek("beoordeling-afronden", "veilig-thuis", t("2027-11-17T10:00:00+01:00"),
                besluit="direct-overdracht", team="cjg-kennemerland", criteria=["letsel"])  # fmt: skip
    with pytest.raises(WorkflowUpdateFailedError) as fout:
        await handle.execute_update("actie", v, result_type=Resultaat)
    oorzaak = fout.value.cause
    assert isinstance(oorzaak, ApplicationError) and oorzaak.type == "Weigering"
    assert list(oorzaak.details)[:2] == ["IJM-3.3", "criteria"]
    assert bank.store.read(casus.casus_id) == voor
    history = await handle.fetch_history()
    geaccepteerd = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    assert geaccepteerd == ["gemeld"]
    # Logged with its fields, the workflow's identity among them, and no Python dict's text in the message.
    geweigerd = [r for r in caplog.records if r.name == "temporalio.workflow" and r.getMessage().startswith("action refused")]
    assert geweigerd and all(r.getMessage() == "action refused" for r in geweigerd), [r.getMessage() for r in geweigerd]
    assert geweigerd[0].__dict__["regel"] == "IJM-3.3" and geweigerd[0].__dict__["temporal_workflow"]["workflow_type"] == "Casus"


async def test_an_accepted_action_is_in_the_event_store_before_the_caller_hears_of_it(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-31T15:00:00+02:00"))
    v = verzoek("beoordeling-afronden", "veilig-thuis", t("2027-03-31T15:00:00+02:00"), besluit="onderzoek")
    resultaat = await handle.execute_update("actie", v, result_type=Resultaat)
    assert "BeoordelingAfgerond" in resultaat.gebeurtenissen
    assert len(bank.store.read(resultaat.casus.casus_id)) == resultaat.versie


@pytest.mark.storing
async def test_continue_as_new_keeps_state_deadlines_and_pending_timers(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen", geschiedenis_limiet=40)
    eerste_run = (await handle.describe()).run_id
    await bank.klok_naar(t("2027-03-31T15:00:00+02:00"))
    stappen = [
        verzoek("beoordeling-afronden", "veilig-thuis", t("2027-03-31T15:00:00+02:00"), besluit="direct-overdracht", team="socius-md"),
        verzoek("overdracht-accepteren", "lokaal-team:socius-md", t("2027-03-31T15:00:00+02:00")),
        *[verzoek("plan-vastleggen", "lokaal-team:socius-md", t("2027-03-31T15:00:00+02:00"), plan=f"versie {n}") for n in range(8)],
    ]
    for v in stappen:
        await handle.execute_update("actie", v, result_type=Resultaat)
    voor = await toestand(handle)
    assert (await handle.describe()).run_id != eerste_run, "the history limit did not continue the casus as new"
    assert voor.plan_versie == 8 and voor.houder == "lokaal-team:socius-md"
    # The contact term set before continue-as-new still fires after it.
    await bank.klok_naar(t("2027-04-15T00:00:30+02:00"))
    na = await toestand(handle, tot_versie=voor.versie + 1)
    assert na.termijn("contact-gezin").status == "verstreken"  # type: ignore[union-attr]
    assert bank.store.version(na.casus_id) == na.versie
    assert bank.store.verify(na.casus_id) == []


async def test_an_action_that_changes_no_search_attribute_upserts_nothing(bank: Casusbank, ijmond: Regelset) -> None:
    """Operators' search attributes follow the casus; an action that leaves them as they were (a plan
    revised) adds no upsert to the history and no write to the server's visibility store."""
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-31T15:00:00+02:00"))

    async def upserts() -> list[set[str]]:
        history = await handle.fetch_history()
        return [
            set(e.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields)
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
        ]

    stappen = [
        ("beoordeling-afronden", "veilig-thuis", {"besluit": "direct-overdracht", "team": "socius-md"}),
        ("overdracht-accepteren", "lokaal-team:socius-md", {}),
    ]
    for actie, als, velden in stappen:
        await handle.execute_update("actie", verzoek(actie, als, t("2027-03-31T15:00:00+02:00"), **velden), result_type=Resultaat)
    voor = await upserts()
    assert {"CasusHouder", "CasusFase"} <= voor[-1]  # the transfer changed holder and phase: only what changed goes
    assert "CasusBeleid" not in voor[-1]
    for i in range(3):
        v = verzoek("plan-vastleggen", "lokaal-team:socius-md", t("2027-03-31T15:00:00+02:00"), plan=f"versie {i}")
        await handle.execute_update("actie", v, result_type=Resultaat)
    assert await upserts() == voor
