"""Every scenario (../shared/scenarios and tests/scenarios) through `casus simuleer`'s simulator:
the outcome shows the facts of its .expected.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from casus_cli.simulatie import Scenario, Simulator
from tests.conftest import SCENARIOS

EIGEN = Path(__file__).resolve().parents[1] / "scenarios"
BESTANDEN = sorted([*SCENARIOS.glob("*.yaml"), *EIGEN.glob("*.yaml")])


def deelverzameling(verwacht: dict[str, Any], gekregen: dict[str, Any]) -> bool:
    return all(gekregen.get(k) == v for k, v in verwacht.items())


def controleer(uitkomst: dict[str, Any], verwacht: dict[str, Any]) -> None:
    assert uitkomst["verantwoordelijkheid"] == verwacht["verantwoordelijkheid"]
    for termijn in verwacht.get("termijnen (some)", []):
        assert any(deelverzameling(termijn, t) for t in uitkomst["termijnen"]), (termijn, uitkomst["termijnen"])
    assert len(uitkomst["fouten"]) == len(verwacht["fouten"]), uitkomst["fouten"]
    for fout, gekregen in zip(verwacht["fouten"], uitkomst["fouten"], strict=True):
        assert deelverzameling(fout, gekregen), (fout, gekregen)


@pytest.mark.parametrize("bestand", BESTANDEN, ids=[b.name for b in BESTANDEN])
async def test_scenario_gives_the_facts_of_its_expected_outcome(env: WorkflowEnvironment, bestand: Path, tmp_path: Path) -> None:
    verwacht = json.loads(bestand.with_suffix(".expected.json").read_text(encoding="utf-8"))
    uitkomst = await Simulator(env, store_dir=tmp_path).run(Scenario.load(bestand))
    controleer(uitkomst, verwacht)


async def test_malformed_steps_are_reported_and_the_simulation_goes_on(env: WorkflowEnvironment, tmp_path: Path) -> None:
    scenario = Scenario.model_validate(
        {
            "beleid": "ijmond-2024",
            "melding": {"ontvangen": "2027-03-25T10:00:00+01:00", "gemeente": "velsen", "huishouden": "HH-x"},
            "stappen": [
                {"op": "2027-03-26T10:00:00+01:00", "als": "veilig-thuis", "actie": "koffie-zetten"},
                {
                    "op": "2027-03-26T11:00:00+01:00",
                    "als": "veilig-thuis",
                    "actie": "beoordeling-afronden",
                    "besluit": "direct-overdracht",
                    "team": "gemeentehuis",
                },
                {
                    "op": "2027-03-26T12:00:00+01:00",
                    "als": "veilig-thuis",
                    "actie": "beoordeling-afronden",
                    "besluit": "onderzoek",
                    "criteria": "letsel",
                },
                {"op": "2027-03-20T12:00:00+01:00", "als": "veilig-thuis", "actie": "beoordeling-afronden", "besluit": "onderzoek"},
                {"op": "2027-03-31T15:00:00+02:00", "als": "veilig-thuis", "actie": "beoordeling-afronden", "besluit": "onderzoek"},
            ],
            "tot": "2027-04-10T00:00:00+02:00",
        }
    )
    uitkomst = await Simulator(env, store_dir=tmp_path).run(scenario)
    fouten = {f["stap"]: f for f in uitkomst["fouten"]}
    assert sorted(fouten) == [1, 2, 3, 4]
    assert "koffie-zetten" in fouten[1]["melding"] and "beoordeling-afronden" in fouten[1]["melding"]
    assert fouten[2]["veld"] == "team" and "socius-md" in fouten[2]["melding"]
    assert "criteria" in fouten[3]["melding"]
    assert fouten[4]["regel"] == "T-5"
    assert [i["grond"] for i in uitkomst["verantwoordelijkheid"]] == ["melding", "IJM-3.1c"]
