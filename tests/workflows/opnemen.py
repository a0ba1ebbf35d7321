"""Records the histories of the current CasusWorkflow code into tests/histories/<label>/, one per
scenario, for the replay test: `python -m tests.workflows.opnemen <label>` (make histories)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from casus_cli.main import _einde
from runtime.temporal import install_runtime
from service.simulatie import Scenario, Simulator, omgeving
from tests.conftest import SCENARIOS

HISTORIES = Path(__file__).resolve().parents[1] / "histories"
EIGEN = Path(__file__).resolve().parents[1] / "scenarios"


async def neem_op(label: str) -> list[Path]:
    map_ = HISTORIES / label
    map_.mkdir(parents=True, exist_ok=True)
    bestanden = sorted([*SCENARIOS.glob("*.yaml"), *(b for b in EIGEN.glob("*.yaml") if b.name != "dekking.yaml")])
    geschreven = []
    async with omgeving() as env:
        for bestand in bestanden:
            simulator = Simulator(env, bewaar_geschiedenis=True)
            await simulator.run(Scenario.load(bestand))
            doel = map_ / f"{bestand.stem}.json"
            doel.write_text(simulator.geschiedenissen[-1].to_json(), encoding="utf-8")
            geschreven.append(doel)
    return geschreven


if __name__ == "__main__":
    install_runtime()
    for pad in asyncio.run(neem_op(sys.argv[1] if len(sys.argv) > 1 else "huidig")):
        print(pad)
    _einde(0)
