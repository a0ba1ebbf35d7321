"""`casus simuleer FILE --json` as a subprocess: the outcome JSON of CONTRACT.md on stdout only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS
from tests.workflows.test_scenarios import controleer

CASUS = str(Path(sys.executable).parent / "casus")


@pytest.mark.parametrize("naam", ["ijmond-directe-overdracht", "ijmond-letsel-weigert-directe-overdracht"])
def test_simuleer_prints_the_outcome_of_a_shared_scenario(naam: str) -> None:
    r = subprocess.run(
        [CASUS, "simuleer", str(SCENARIOS / f"{naam}.yaml"), "--json"], capture_output=True, text=True, timeout=120, check=False
    )
    assert r.returncode == 0, r.stderr
    uitkomst = json.loads(r.stdout)
    assert set(uitkomst) >= {"casus_id", "beleid", "status", "verantwoordelijkheid", "termijnen", "berichten", "fouten"}
    controleer(uitkomst, json.loads((SCENARIOS / f"{naam}.expected.json").read_text(encoding="utf-8")))


def test_simuleer_refuses_a_scenario_that_cannot_be_read(tmp_path: Path) -> None:
    kapot = tmp_path / "kapot.yaml"
    kapot.write_text("beleid: ijmond-2024\nmelding: {gemeente: velsen}\n", encoding="utf-8")
    r = subprocess.run([CASUS, "simuleer", str(kapot), "--json"], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1
    fout = json.loads(r.stdout)["fout"]
    assert "melding.ontvangen" in fout["melding"] and "tot" in fout["melding"]
