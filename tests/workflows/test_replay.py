"""Histories recorded from earlier workflow code replay on the current code (`make histories`
records them). v1 was recorded before the monitoring-decision search attribute existed; v2 after
it, behind `workflow.patched`; v3 after the append became a local activity; v4 after unchanged
search attributes stopped being upserted. A change without a patch is caught by the same replay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain.toestand import Casus
from workflows import zoekattributen as za
from workflows.casus import CasusStart, CasusWorkflow

pytestmark = pytest.mark.storing

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
BESTANDEN = sorted(HISTORIES.glob("*/*.json"))


def geschiedenis(bestand: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"{bestand.parent.name}-{bestand.stem}", bestand.read_text(encoding="utf-8"))


def markeringen(bestand: Path) -> int:
    return sum(e["eventType"] == "EVENT_TYPE_MARKER_RECORDED" for e in json.loads(bestand.read_text(encoding="utf-8"))["events"])


def test_both_generations_of_histories_are_kept() -> None:
    assert {b.parent.name for b in BESTANDEN} >= {"v1", "v2"}
    assert all(markeringen(b) == 0 for b in BESTANDEN if b.parent.name == "v1")
    assert all(markeringen(b) >= 1 for b in BESTANDEN if b.parent.name == "v2")


@pytest.mark.parametrize("bestand", BESTANDEN, ids=[f"{b.parent.name}/{b.stem}" for b in BESTANDEN])
async def test_a_recorded_history_replays_on_the_current_code(bestand: Path) -> None:
    replayer = Replayer(workflows=[CasusWorkflow], data_converter=pydantic_data_converter)
    resultaat = await replayer.replay_workflow(geschiedenis(bestand), raise_on_replay_failure=False)
    assert resultaat.replay_failure is None, resultaat.replay_failure


@workflow.defn(name="Casus", sandboxed=False)
class ZonderPatch(CasusWorkflow):
    """The same change made carelessly: a new command (an extra upsert) without `workflow.patched`."""

    @workflow.run
    async def run(self, start: CasusStart) -> Casus:
        return await super().run(start)

    def _zoekattributen(self, casus: Casus) -> None:
        super()._zoekattributen(casus)
        workflow.upsert_search_attributes([za.MONITORING_BESLUIT_NODIG.value_set(casus.monitoring_besluit_nodig)])


async def test_a_change_without_a_patch_fails_the_replay_of_an_old_history() -> None:
    oud = next(b for b in BESTANDEN if b.parent.name == "v1" and b.stem == "ijmond-directe-overdracht")
    replayer = Replayer(workflows=[ZonderPatch], data_converter=pydantic_data_converter)
    resultaat = await replayer.replay_workflow(geschiedenis(oud), raise_on_replay_failure=False)
    assert resultaat.replay_failure is not None
