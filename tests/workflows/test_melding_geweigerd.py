"""A melding the workflow itself refuses (past every check before it: an older client, another
caller of the API) fails the workflow; the caller, first try or retry, is told the rule and the
field, never that "the workflow completed before the update completed"."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from temporalio.client import WorkflowFailureError

from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.weigering import Weigering
from runtime.policies import load_rules
from service.sturen import gemeld, melding_van
from tests.workflows.conftest import Casusbank
from workflows.casus import CasusStart, CasusWorkflow

IJMOND = load_rules("ijmond-2024")


async def _gestart(bank: Casusbank, gemeente: str) -> tuple[Melden, object]:
    ontvangen = datetime.fromisoformat("2027-03-25T10:00:00+01:00")
    bank.verschuiving = ontvangen - await bank.env.get_current_time()
    melden = Melden(
        casus_id=str(uuid.uuid4()), gemeente=gemeente, huishouden="HH-test", ontvangen=ontvangen, melder=Melder(),
        actor=Actor(partij="veilig-thuis", medewerker="test"),
    )  # fmt: skip
    handle = await bank.env.client.start_workflow(
        CasusWorkflow.run,
        CasusStart(melding=melden, regelset=IJMOND, klok_verschuiving_s=bank.verschuiving.total_seconds()),
        id=f"casus-{melden.casus_id}",
        task_queue=bank.task_queue,
    )
    bank.gestart.append(handle)
    return melden, handle


async def test_een_geweigerde_melding_noemt_regel_en_veld(bank: Casusbank) -> None:
    melden, handle = await _gestart(bank, "wageningen")  # a Gelderland-Midden gemeente under IJmond's agreement

    with pytest.raises(Weigering) as eerste:
        await gemeld(handle, f"melding-{melden.casus_id}")  # type: ignore[arg-type]
    assert (eerste.value.regel, eerste.value.veld) == (IJMOND.beleid.regels.melding, "gemeente")
    assert "'wageningen' is not part of ijmond-2024" in eerste.value.melding
    assert "completed before" not in str(eerste.value)

    # A retry under the same key finds the failed workflow, and is refused the same way.
    with pytest.raises(Weigering) as opnieuw:
        await melding_van(handle, False, melden)  # type: ignore[arg-type]
    assert (opnieuw.value.regel, opnieuw.value.veld, opnieuw.value.melding) == (
        eerste.value.regel, eerste.value.veld, eerste.value.melding,
    )  # fmt: skip
    assert bank.store.read(melden.casus_id) == []  # nothing of a refused melding is recorded


async def test_een_aanvaarde_melding_geeft_de_casus(bank: Casusbank) -> None:
    melden, handle = await _gestart(bank, "velsen")
    casus = await gemeld(handle, f"melding-{melden.casus_id}")  # type: ignore[arg-type]
    assert (casus.casus_id, casus.gemeente) == (melden.casus_id, "velsen")
    assert (await melding_van(handle, False, melden)).casus_id == melden.casus_id  # type: ignore[arg-type]


async def test_a_melding_refused_before_its_update_arrives_names_rule_and_field(bank: Casusbank) -> None:
    """The workflow refuses its melding in its first task; an idle worker may finish that before
    the caller's update arrives, which then finds the workflow ended."""
    melden, handle = await _gestart(bank, "ede")
    with pytest.raises(WorkflowFailureError):
        await handle.result()  # type: ignore[attr-defined]
    with pytest.raises(Weigering) as geweigerd:
        await gemeld(handle, f"melding-{melden.casus_id}")  # type: ignore[arg-type]
    assert (geweigerd.value.regel, geweigerd.value.veld) == (IJMOND.beleid.regels.melding, "gemeente")
