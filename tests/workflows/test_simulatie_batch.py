"""`casus simuleer DIR` runs its scenarios in simulation processes, each with one worker and one store
for many scenarios, the workflow outside the sandbox and the server's clock asked only now and then:
none of that may change an outcome. Scenarios through the batch path, each of them twice, against
each through a simulator of its own, with the sandbox, a store on disk and the clock asked before
every step, as the simulator ran before any of that."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from casus_cli.opstart import binnen
from service import simulatie_batch, simulatie_klok
from service.simulatie import Scenario, Simulator
from service.simulatie_batch import Mislukt

EIGEN = Path(__file__).resolve().parents[1] / "scenarios"
# Deadlines only; refusals and a close; second meldingen about the household; a late record; long runs.
BESTANDEN = [
    EIGEN / f"{naam}.yaml"
    for naam in (
        "ijmond-niemand-handelt",
        "gelderland-midden-mda",
        "ijmond-een-open-casus-per-huishouden",
        "gelderland-midden-laat-vastgelegd-horizon",
        "ijmond-acuut-dienst-monitoring",
        "ijmond-weigering-escalatie-opnieuw-melden",
    )
]


def zonder_casus_id(uitkomst: dict[str, Any]) -> str:
    """The outcome as JSON, its casus id (new on every run) left out wherever it appears."""
    return json.dumps(uitkomst, sort_keys=True, ensure_ascii=False).replace(uitkomst["casus_id"], "<casus_id>")


async def test_the_batch_path_gives_every_scenario_the_outcome_it_has_alone(
    env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes, each running its share in one simulator: the same scenario twice in one store.
    batch = await asyncio.to_thread(simulatie_batch.simuleer, BESTANDEN * 2, binnen, 2)
    monkeypatch.setattr(simulatie_klok, "KLOK_HERIJK_S", -1.0)  # here the clock is asked before every step
    for i, bestand in enumerate(BESTANDEN):
        alleen = await Simulator(env, store_dir=tmp_path, sandboxed=True).run(Scenario.load(bestand))
        for uit_batch in (batch[i], batch[i + len(BESTANDEN)]):
            assert not isinstance(uit_batch, Mislukt), f"{bestand.name}: {uit_batch}"
            assert zonder_casus_id(uit_batch) == zonder_casus_id(alleen), bestand.name
