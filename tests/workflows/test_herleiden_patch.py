"""T-5a changes what an action decides for a running casus, so it sits behind `workflow.patched`: a
casus whose history was decided without it (recorded before the revision) replays on the current
code and keeps deciding as it did; a casus started now re-derives what the clock did."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from temporalio import workflow
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain import gebeurtenissen as g
from domain.draaiboek import t, verzoek
from domain.stap import Regelset
from tests.workflows.conftest import Casusbank
from workflows.casus import PATCH_HERLEIDEN, CasusWorkflow, Resultaat

ONTVANGEN, DAG_4, DAG_8 = t("2027-06-07T10:00:00+02:00"), t("2027-06-11T14:00:00+02:00"), t("2027-06-17T10:00:00+02:00")


async def laat_beoordeeld(bank: Casusbank, ijmond: Regelset) -> list[g.Gebeurtenis]:
    handle = await bank.meld(ijmond, ONTVANGEN, "velsen")
    await bank.klok_naar(DAG_8)  # the IJM-3.1d timer fires on the way, at 15 June 00:00
    v = verzoek("beoordeling-afronden", "veilig-thuis", DAG_4, besluit="onderzoek")
    resultaat = await handle.execute_update("actie", v, result_type=Resultaat)
    return bank.store.read(resultaat.casus.casus_id)


async def test_T_5a_a_history_decided_before_the_revision_replays_and_keeps_its_decision(
    bank: Casusbank, ijmond: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    echt: Callable[[str], bool] = workflow.patched
    # The code before the revision: it never asked, so its history holds no marker for the patch.
    monkeypatch.setattr(workflow, "patched", lambda patch_id: False if patch_id == PATCH_HERLEIDEN else echt(patch_id))
    oud = await laat_beoordeeld(bank, ijmond)
    handle = bank.gestart[-1]
    monkeypatch.undo()
    assert not any(isinstance(e, g.OverdrachtVervangen) for e in oud)
    geschiedenis = await handle.fetch_history()
    replayer = Replayer(workflows=[CasusWorkflow], data_converter=pydantic_data_converter)
    resultaat = await replayer.replay_workflow(geschiedenis, raise_on_replay_failure=False)
    assert resultaat.replay_failure is None, resultaat.replay_failure


async def test_T_5a_a_casus_started_now_supersedes_the_clocks_transfer(bank: Casusbank, ijmond: Regelset) -> None:
    nieuw = await laat_beoordeeld(bank, ijmond)
    vervangen = [e for e in nieuw if isinstance(e, g.OverdrachtVervangen)]
    klok = next(k for k, e in enumerate(nieuw, start=1) if isinstance(e, g.VerantwoordelijkheidOvergedragen) and e.regel == "IJM-3.1d")
    assert [(v.vervangt, v.regel) for v in vervangen] == [(klok, "T-5a")]
    geschiedenis = await bank.gestart[-1].fetch_history()
    replayer = Replayer(workflows=[CasusWorkflow], data_converter=pydantic_data_converter)
    assert (await replayer.replay_workflow(geschiedenis, raise_on_replay_failure=False)).replay_failure is None
