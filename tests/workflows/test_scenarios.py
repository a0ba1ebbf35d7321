"""Every scenario (../shared/scenarios and tests/scenarios) through `casus simuleer`'s simulator:
the outcome shows the facts of its .expected.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.testing import WorkflowEnvironment

from service.simulatie import Scenario, Simulator
from service.verwachting import verschillen
from tests.conftest import SCENARIOS
from tests.unit.test_regeldekking import HERZIENING_OPEN, regel_ids

EIGEN = Path(__file__).resolve().parents[1] / "scenarios"
BESTANDEN = sorted([*SCENARIOS.glob("*.yaml"), *(b for b in EIGEN.glob("*.yaml") if b.name != "dekking.yaml")])
DEKKING: dict[str, list[str]] = yaml.safe_load((EIGEN / "dekking.yaml").read_text(encoding="utf-8"))
BELEID_VAN = {"IJM": "ijmond-2024", "GM": "gelderland-midden-2019"}
# Shown by the facts of the expected outcome (instants, intervals, form contents), not by an event's rule.
# T-5a-c and T-6 are shown by the timeline in effective time, `laat_vastgelegd` and `voorlopig`.
GETOOND_DOOR_FEITEN = {
    "T-1", "T-2", "T-3", "T-3b", "T-4", "T-5", "T-5a", "T-5b", "T-5c", "T-6",
    "IJM-2.2", "IJM-3.2", "IJM-3.3.2", "IJM-3.4.5c", "IJM-4.3b", "GM-3g",
}  # fmt: skip
# GM-1 is a share over all casussen of a region and period (tests/unit: test_GM_1_...), not a casus's fact.
NIET_PER_CASUS = {"GM-1"}


def controleer(uitkomst: dict[str, Any], verwacht: dict[str, Any]) -> None:
    """The comparison `casus simuleer --verwacht` makes (service/verwachting.py)."""
    assert not (verschil := verschillen(uitkomst, verwacht)), "\n".join(verschil)


@pytest.mark.parametrize("bestand", BESTANDEN, ids=[b.name for b in BESTANDEN])
async def test_scenario_gives_the_facts_of_its_expected_outcome(env: WorkflowEnvironment, bestand: Path, tmp_path: Path) -> None:
    verwacht = json.loads(bestand.with_suffix(".expected.json").read_text(encoding="utf-8"))
    uitkomst = await Simulator(env, store_dir=tmp_path).run(Scenario.load(bestand))
    controleer(uitkomst, verwacht)
    niet_toegepast = [r for r in DEKKING[bestand.stem] if r not in GETOOND_DOOR_FEITEN and r not in uitkomst["regels"]]
    assert not niet_toegepast, f"claimed in dekking.yaml but not applied: {niet_toegepast}"


def test_the_scenarios_show_every_rule_id_for_each_policy_it_belongs_to() -> None:
    per_beleid: dict[str, set[str]] = {}
    for bestand in BESTANDEN:
        beleid = Scenario.load(bestand).beleid
        per_beleid.setdefault(beleid, set()).update(DEKKING[bestand.stem])
    ontbrekend = []
    for regel_id in sorted(regel_ids() - NIET_PER_CASUS - HERZIENING_OPEN):
        beleiden = ["ijmond-2024", "gelderland-midden-2019"] if regel_id.startswith("T-") else [BELEID_VAN[regel_id.split("-")[0]]]
        for beleid in beleiden:
            getoond = per_beleid.get(beleid, set())
            if not any(g == regel_id or (g.startswith(regel_id) and g[len(regel_id)] in ".abcdefg") for g in getoond):
                ontbrekend.append(f"{regel_id} ({beleid})")
    assert not ontbrekend, f"rule ids no scenario shows: {', '.join(ontbrekend)}"


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
