"""A casus ends only by the agreements: a cancel request from the engine is recorded and refused,
and a decision that finds another decision's events in its place catches up on them first."""

from __future__ import annotations

import asyncio

from temporalio.client import WorkflowExecutionStatus

from domain import gebeurtenissen as g
from domain.beslissen import decide_op_tijd
from domain.draaiboek import t, verzoek
from domain.stap import Regelset
from tests.workflows.conftest import Casusbank
from tests.workflows.test_casus_workflow import toestand
from workflows.casus import Resultaat


async def test_IJM_4_3a_a_cancel_request_is_recorded_and_refused_and_the_casus_runs_on(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    voor = await toestand(handle)
    await handle.cancel()
    casus = await toestand(handle, tot_versie=voor.versie + 1)
    stream = bank.store.read(casus.casus_id)
    geweigerd = [e for e in stream if isinstance(e, g.BeeindigingGeweigerd)]
    assert len(geweigerd) == 1 and geweigerd[0].regel == ijmond.beleid.regels.afsluiten == "IJM-4.3a"
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    # The casus goes on: its sixth working day still passes it to Veilig Thuis (IJM-3.1d).
    await bank.klok_naar(t("2027-04-06T00:00:30+02:00"))
    casus = await toestand(handle, tot_versie=casus.versie + 2)
    assert casus.houder == "veilig-thuis" and casus.fase != "afgesloten"


async def test_an_action_that_finds_another_decision_in_its_place_catches_up_and_decides_again(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-26T10:00:00+01:00"))
    casus = await toestand(handle)
    # Another decision reached the stream without this workflow seeing it.
    spoed = decide_op_tijd(casus, verzoek("spoed-vastgesteld", "veilig-thuis"), ijmond, t("2027-03-26T09:00:00+01:00"))
    bank.store.append(casus.casus_id, casus.versie, spoed, sleutel="actie:elders")
    beoordeling = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    resultaat = await asyncio.wait_for(handle.execute_update("actie", beoordeling, result_type=Resultaat), 30)
    stream = bank.store.read(casus.casus_id)
    assert resultaat.versie == len(stream) == bank.store.version(casus.casus_id)
    assert sum(isinstance(e, g.SpoedVastgesteld) for e in stream) == 1
    assert resultaat.casus.houder == "veilig-thuis" and "BeoordelingAfgerond" in resultaat.gebeurtenissen
