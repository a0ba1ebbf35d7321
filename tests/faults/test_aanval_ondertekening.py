"""Attack: the insider with the `casus_worker` login inserts a chain-valid event into a running
casus whose worker signs (CASUS_WORKER_SLEUTEL). The workflow's next decision finds it in its place;
it must not catch up on it as fact, since no trusted worker key signed it: the action is refused,
naming it (`StreamOnbetrouwbaar`), and the casus stays where its signed stream ends. An event a
trusted worker did sign is caught up on as before."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.persistence import StoredEvent
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.eventstore import CONFLICT
from domain.beslissen import decide_op_tijd
from domain.draaiboek import t, verzoek
from domain.stap import Regelset
from domain.toestand import Casus
from eventstore.keten import uitpakken, verpak
from eventstore.ondertekening import Ondertekenaar
from eventstore.store import stream_id
from tests.workflows import conftest as tijdsprong
from tests.workflows.conftest import Casusbank, casusbank
from tests.workflows.test_casus_workflow import toestand
from workflows.casus import ONBETROUWBAAR, CasusWorkflow, Resultaat

pytestmark = pytest.mark.storing

# The time-skipping server (tests/workflows/conftest.py); the worker here signs with its own key.
env = tijdsprong.env

ANDER = Ondertekenaar(Ed25519PrivateKey.generate())
"""Another worker's key, trusted by this one (CASUS_WORKER_PUBLIEKE_SLEUTELS)."""


@pytest.fixture
async def bank(env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Casusbank]:
    werker = Ondertekenaar(Ed25519PrivateKey.generate(), {ANDER.vingerafdruk: ANDER.publiek})
    async with casusbank(env, tmp_path, werker) as b:
        yield b


async def _casus_met_rij(
    bank: Casusbank, ijmond: Regelset, ondertekenaar: Ondertekenaar | None
) -> tuple[WorkflowHandle[CasusWorkflow, Casus], Casus]:
    """A running casus, and a chain-valid event of a decision it did not take inserted after its
    last one, past the application (signed by `ondertekenaar` when given)."""
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-26T10:00:00+01:00"))
    echt = await toestand(handle)
    e = decide_op_tijd(echt, verzoek("spoed-vastgesteld", "veilig-thuis"), ijmond, t("2027-03-26T09:00:00+01:00"))[0]
    laatste = bank.store.recorder.select_events(stream_id(echt.casus_id), desc=True, limit=1)[0]
    assert laatste.originator_version == echt.versie and uitpakken(laatste.state).ondertekening is not None
    state, _ = verpak(uitpakken(laatste.state).hash, echt.casus_id, echt.versie + 1, e.type, e.model_dump_json(), "actie:insider",
                      ondertekenaar)  # fmt: skip
    rij = StoredEvent(originator_id=uuid.UUID(echt.casus_id), originator_version=echt.versie + 1, topic=e.type, state=state)
    bank.store.recorder.insert_events([rij])
    assert bank.store.verify(echt.casus_id) == [], "the chain alone passes it"
    return handle, echt


async def test_an_unsigned_event_in_place_is_refused_not_caught_up_on(bank: Casusbank, ijmond: Regelset) -> None:
    handle, echt = await _casus_met_rij(bank, ijmond, None)
    beoordeling = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    with pytest.raises(WorkflowUpdateFailedError) as fout:
        await asyncio.wait_for(handle.execute_update("actie", beoordeling, result_type=Resultaat), 20)
    oorzaak = fout.value.cause
    # The local activity's refusal reaches the update as it is (StreamConflict), or as the workflow
    # names it (StreamOnbetrouwbaar, workflows/vastleggen.py): either way it says what it refused.
    assert isinstance(oorzaak, ApplicationError) and oorzaak.type in (CONFLICT, ONBETROUWBAAR), oorzaak
    assert f"version {echt.versie + 1}: unsigned" in oorzaak.message and "nothing is built on it" in oorzaak.message
    casus = await handle.query(CasusWorkflow.toestand)
    assert casus is not None and casus.versie == echt.versie, f"it caught up on the forged event (now at {casus and casus.versie})"
    assert bank.store.version(echt.casus_id) == echt.versie + 1, "nothing of the refused decision is stored"


async def test_an_event_signed_by_a_trusted_worker_is_caught_up_on(bank: Casusbank, ijmond: Regelset) -> None:
    handle, echt = await _casus_met_rij(bank, ijmond, ANDER)
    beoordeling = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    resultaat = await asyncio.wait_for(handle.execute_update("actie", beoordeling, result_type=Resultaat), 20)
    assert resultaat.versie > echt.versie + 1
    assert bank.store.read(echt.casus_id)[echt.versie].type == "SpoedVastgesteld"
    assert resultaat.casus.versie == bank.store.version(echt.casus_id)
