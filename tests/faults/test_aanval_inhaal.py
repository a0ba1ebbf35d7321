"""Attack (issue 11): the catch-up path and `casus herstel` against rows an insider with a database
login wrote into a casus's stream. The workflow "believes what its stream holds", but it must not
believe a row that does not verify or does not decode: the quarantine sets such a row aside for
the read models, while the workflow adopts it, wedges on it, or restores a casus from it.

Each test fails now and passes once the catch-up (`EventStore._al_opgeslagen`) and `casus herstel`
check the chain of the rows they adopt and answer an unreadable row instead of raising."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from eventsourcing.persistence import StoredEvent
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError

from domain.beslissen import decide_op_tijd
from domain.draaiboek import t, verzoek
from domain.stap import Regelset
from eventstore.keten import verpak
from service.herstel import herstel_casus
from tests.workflows import conftest as tijdsprong
from tests.workflows.conftest import Casusbank
from tests.workflows.test_casus_workflow import toestand
from workflows.casus import CasusWorkflow, Resultaat

pytestmark = pytest.mark.storing

# The time-skipping server and a worker with its own SQLite store (tests/workflows/conftest.py).
env = tijdsprong.env
bank = tijdsprong.bank


def _schrijf_rij(bank: Casusbank, casus_id: str, versie: int, topic: str, state: bytes) -> None:
    """An INSERT by anyone with a database login, past the application."""
    rij = StoredEvent(originator_id=uuid.UUID(casus_id), originator_version=versie, topic=topic, state=state)
    bank.store.recorder.insert_events([rij])


async def test_catch_up_does_not_adopt_an_event_that_does_not_verify(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-26T10:00:00+01:00"))
    echt = await toestand(handle)
    # A well-formed event whose envelope does not follow the event before it (a forged `vorige`):
    # `casus verifieer` and the quarantine both call it broken.
    vals = decide_op_tijd(echt, verzoek("spoed-vastgesteld", "veilig-thuis"), ijmond, t("2027-03-26T09:00:00+01:00"))[0]
    state, _ = verpak("f" * 64, echt.casus_id, echt.versie + 1, vals.type, vals.model_dump_json(), "actie:insider")
    _schrijf_rij(bank, echt.casus_id, echt.versie + 1, vals.type, state)
    assert [a.soort for a in bank.store.verify(echt.casus_id)] == ["volgorde"]

    beoordeling = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    # Refusing the action, or holding it, is fine; believing the forged row is not.
    with contextlib.suppress(WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError):
        await asyncio.wait_for(handle.execute_update("actie", beoordeling, result_type=Resultaat), 20)
    casus = await handle.query(CasusWorkflow.toestand)
    assert casus is not None
    assert casus.versie == echt.versie, (
        f"the workflow adopted the forged row at version {echt.versie + 1} (it is at version {casus.versie}) "
        "although the row does not verify"
    )


async def test_an_unreadable_row_in_place_does_not_wedge_the_casus_silently(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-26T10:00:00+01:00"))
    echt = await toestand(handle)
    _schrijf_rij(bank, echt.casus_id, echt.versie + 1, "SpoedVastgesteld", b"dit is geen envelop")

    beoordeling = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    try:
        await asyncio.wait_for(handle.execute_update("actie", beoordeling, result_type=Resultaat), 20)
    except WorkflowUpdateFailedError:
        return  # answered: the caseworker is told, not left waiting on a retried append
    except (WorkflowUpdateRPCTimeoutOrCancelledError, TimeoutError):
        pytest.fail(
            "the action was never answered: the append meets the unreadable row, `_al_opgeslagen` raises while "
            "decoding it, and the local activity is retried forever while holding the workflow's lock "
            "(the CLI then says 'no worker answered', which is not true)"
        )


async def test_herstel_does_not_restore_a_casus_from_a_stream_that_does_not_verify(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    echt = await toestand(handle)
    await handle.terminate("operator")
    vals = decide_op_tijd(echt, verzoek("spoed-vastgesteld", "veilig-thuis"), ijmond, t("2027-03-25T11:00:00+01:00"))[0]
    state, _ = verpak("f" * 64, echt.casus_id, echt.versie + 1, vals.type, vals.model_dump_json(), "actie:insider")
    _schrijf_rij(bank, echt.casus_id, echt.versie + 1, vals.type, state)
    assert bank.store.verify(echt.casus_id)

    uitkomst = await herstel_casus(bank.env.client, bank.store, echt.casus_id, bank.task_queue)
    bank.gestart.append(bank.env.client.get_workflow_handle(handle.id))
    assert uitkomst.uitkomst == "geweigerd", f"restored from a stream whose chain is broken: {uitkomst}"


async def test_herstel_answers_a_stream_with_an_unreadable_row_instead_of_raising(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    echt = await toestand(handle)
    await handle.terminate("operator")
    _schrijf_rij(bank, echt.casus_id, echt.versie + 1, "SpoedVastgesteld", b"dit is geen envelop")
    try:
        uitkomst = await herstel_casus(bank.env.client, bank.store, echt.casus_id, bank.task_queue)
    except Exception as e:  # what `casus herstel --alle` meets: a traceback, the rest never restored
        pytest.fail(f"herstel raised {type(e).__name__} on one poisoned casus (with --alle every later casus stays lost)")
    assert uitkomst.uitkomst == "geweigerd"
