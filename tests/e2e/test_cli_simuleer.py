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


def simuleer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CASUS, "simuleer", *args], capture_output=True, text=True, timeout=120, check=False)


def test_simuleer_runs_a_folder_and_compares_each_scenario_with_the_expected_outcome_beside_it(tmp_path: Path) -> None:
    for naam in ("ijmond-directe-overdracht", "ijmond-letsel-weigert-directe-overdracht"):
        for achtervoegsel in (".yaml", ".expected.json"):
            (tmp_path / f"{naam}{achtervoegsel}").write_text((SCENARIOS / f"{naam}{achtervoegsel}").read_text(encoding="utf-8"))
    r = simuleer(str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    document = json.loads(r.stdout)  # one document for the whole folder
    assert [Path(s["bestand"]).name for s in document["scenarios"]] == [
        "ijmond-directe-overdracht.yaml", "ijmond-letsel-weigert-directe-overdracht.yaml",
    ]  # fmt: skip
    assert document["verschillen"] == 0 and all(s["vergelijking"]["verschillen"] == [] for s in document["scenarios"])
    tekst = simuleer(str(tmp_path))
    assert tekst.returncode == 0 and "as ijmond-directe-overdracht.expected.json expects" in tekst.stdout


def test_simuleer_verwacht_exits_1_on_a_difference_with_one_document(tmp_path: Path) -> None:
    verwacht = json.loads((SCENARIOS / "ijmond-directe-overdracht.expected.json").read_text(encoding="utf-8"))
    verwacht["verantwoordelijkheid"][-1]["grond"] = "IJM-0"
    anders = tmp_path / "anders.expected.json"
    anders.write_text(json.dumps(verwacht), encoding="utf-8")
    r = simuleer(str(SCENARIOS / "ijmond-directe-overdracht.yaml"), "--verwacht", str(anders), "--json")
    assert r.returncode == 1
    uitkomst = json.loads(r.stdout)  # the outcome with its comparison; no second document for the error
    assert uitkomst["vergelijking"]["verschillen"] == ["verantwoordelijkheid[2].grond: expected IJM-0, got IJM-3.3.1b"]
    assert uitkomst["vergelijking"]["afwijkingen"] == [
        {"pad": "verantwoordelijkheid[2].grond", "soort": "anders", "verwacht": "IJM-0", "gekregen": "IJM-3.3.1b"}
    ]
    assert "differs" in r.stderr
    zonder = simuleer("--json")
    assert zonder.returncode == 2 and json.loads(zonder.stdout)["fout"]["exit_code"] == 2


def test_simuleer_verwacht_says_each_difference_in_one_line_with_its_path_and_both_values(tmp_path: Path) -> None:
    verwacht = json.loads((SCENARIOS / "ijmond-directe-overdracht.expected.json").read_text(encoding="utf-8"))
    verwacht["verantwoordelijkheid"][1]["grond"] = "IJM-3.1d"
    verwacht["termijnen (some)"][1]["status"] = "voldaan"
    anders = tmp_path / "anders.expected.json"
    anders.write_text(json.dumps(verwacht), encoding="utf-8")
    r = simuleer(str(SCENARIOS / "ijmond-directe-overdracht.yaml"), "--verwacht", str(anders))
    assert r.returncode == 1
    assert "2 verschillen with anders.expected.json" in r.stdout
    assert "  verantwoordelijkheid[1].grond: expected IJM-3.1d, got IJM-3.1c\n" in r.stdout
    assert (
        "  termijnen: no item with soort contact-gezin, uiterlijk 2027-04-16T00:00:00+02:00, status voldaan;"
        " closest termijnen[2] has status verstreken\n"
    ) in r.stdout
