"""Issue 12 through the real `casus` program: every malformed scenario, report period and casus id
is refused with exit 1 and the field named, never a traceback or a hang. A scenario is refused
before the test server starts, a casus id and a period before anything connects: nothing listens at
the configured Temporal address, so a request that got past its checks would end in exit 3."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from casus_cli.main import cli

CASUS = str(Path(sys.executable).parent / "casus")
GELDIG: dict[str, Any] = {
    "beleid": "ijmond-2024",
    "melding": {"ontvangen": "2027-03-01T10:00:00+01:00", "gemeente": "velsen", "huishouden": "HH-1201"},
    "stappen": [{"op": "2027-03-03T10:00:00+01:00", "als": "veilig-thuis", "actie": "beoordeling-afronden", "besluit": "onderzoek"}],
    "tot": "2027-04-01T00:00:00+02:00",
}


def casus(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"CASUS_TEMPORAL_ADDRESS": "127.0.0.1:9", "CASUS_STATE_DIR": str(tmp_path), "CASUS_EVENTSTORE": "sqlite"}
    return subprocess.run([CASUS, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def geweigerd(r: subprocess.CompletedProcess[str], veld: str) -> str:
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    fout: dict[str, Any] = json.loads(r.stdout)["fout"]
    assert (fout["exit_code"], fout["veld"]) == (1, veld), fout
    assert veld.rsplit(".", maxsplit=1)[-1] in fout["melding"]
    return str(fout["melding"])


def scenario(tmp_path: Path, wijzig: dict[str, Any] | None = None, **melding: Any) -> Path:
    data = {**GELDIG, **(wijzig or {}), "melding": {**GELDIG["melding"], **melding}}
    bestand = tmp_path / "scenario.yaml"
    # Moments as YAML reads them unquoted (timestamps), the way scenario files are written.
    tekst = re.sub(r"'(\d{4}-\d\d-\d\dT[^']*)'", r"\1", yaml.safe_dump(data, allow_unicode=True))
    bestand.write_text(tekst, encoding="utf-8")
    return bestand


@pytest.mark.parametrize("gemeente", ["haarlem", "vélsen", "ｖｅｌｓｅｎ", "Velsen"])
def test_simuleer_refuses_an_unknown_or_unicode_gemeente_naming_melding_gemeente(tmp_path: Path, gemeente: str) -> None:
    melding = geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, gemeente=gemeente)), "--json"), "melding.gemeente")
    assert "velsen" in melding


def test_simuleer_refuses_an_empty_huishouden(tmp_path: Path) -> None:
    geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, huishouden="")), "--json"), "melding.huishouden")


def test_simuleer_refuses_a_file_that_is_not_utf_8(tmp_path: Path) -> None:
    bestand = tmp_path / "latin1.yaml"
    bestand.write_bytes(scenario(tmp_path, gemeente="velsen").read_text(encoding="utf-8").replace("HH-1201", "HH-é").encode("latin-1"))
    assert "UTF-8" in geweigerd(casus(tmp_path, "simuleer", str(bestand), "--json"), "bestand")


def test_simuleer_refuses_ontvangen_given_as_a_number(tmp_path: Path) -> None:
    assert "12345" in geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, ontvangen=12345)), "--json"), "melding.ontvangen")


@pytest.mark.parametrize(
    ("wijzig", "melding", "veld"),
    [
        ({}, {"ontvangen": "9999-03-01T10:00:00+01:00"}, "melding.ontvangen"),
        ({"tot": "9999-04-01T00:00:00+02:00"}, {}, "tot"),
    ],
)
def test_simuleer_refuses_the_year_9999(tmp_path: Path, wijzig: dict[str, Any], melding: dict[str, Any], veld: str) -> None:
    assert "2100-12-31" in geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, wijzig, **melding)), "--json"), veld)


def test_simuleer_refuses_a_step_after_tot_instead_of_applying_it(tmp_path: Path) -> None:
    stap = {**GELDIG["stappen"][0], "op": "2027-04-02T10:00:00+02:00"}
    melding = geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, {"stappen": [stap]})), "--json"), "stappen.1.op")
    assert "tot" in melding


def test_simuleer_refuses_a_tot_before_the_melding(tmp_path: Path) -> None:
    geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, {"tot": "2027-02-01T00:00:00+01:00"})), "--json"), "tot")


def test_simuleer_refuses_an_empty_instelling_name(tmp_path: Path) -> None:
    stap = {**GELDIG["stappen"][0], "besluit": "instelling", "instelling": ""}
    geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, {"stappen": [stap]})), "--json"), "stappen.1.instelling")


def test_simuleer_refuses_an_op_with_fractions_of_a_second(tmp_path: Path) -> None:
    stap = {**GELDIG["stappen"][0], "op": "2027-03-03T10:00:00.250000+01:00"}
    melding = geweigerd(casus(tmp_path, "simuleer", str(scenario(tmp_path, {"stappen": [stap]})), "--json"), "stappen.1.op")
    assert "fraction of a second" in melding


def test_simuleer_without_json_names_the_field_on_stderr_and_prints_nothing_on_stdout(tmp_path: Path) -> None:
    r = casus(tmp_path, "simuleer", str(scenario(tmp_path, huishouden="")))
    assert (r.returncode, r.stdout) == (1, "")
    assert "veld melding.huishouden" in r.stderr and "Traceback" not in r.stderr


def test_rapport_refuses_van_after_tot_before_opening_anything(tmp_path: Path) -> None:
    r = casus(tmp_path, "rapport", "--beleid", "ijmond-2024", "--van", "2027-05-01", "--tot", "2027-04-01", "--json")
    assert "2027-05-01" in geweigerd(r, "van")
    assert not list(tmp_path.iterdir()), "nothing was opened or created"


COMMANDOS_MET_CASUS_ID = sorted(
    naam
    for naam, commando in cli.commands.items()
    if any(isinstance(p, click.Argument) and p.name in ("casus_id", "casus_ids") for p in commando.params)
)


def test_every_command_taking_a_casus_id_refuses_a_malformed_one_before_connecting(tmp_path: Path) -> None:
    assert {"status", "audit", "herstel", "verifieer", "beoordeling-afronden", "nieuwe-melding"} <= set(COMMANDOS_MET_CASUS_ID)
    with ThreadPoolExecutor(max_workers=16) as pool:
        antwoorden = pool.map(lambda n: casus(tmp_path, n, "geen-casus-id", "--json"), COMMANDOS_MET_CASUS_ID)
        uitkomsten = dict(zip(COMMANDOS_MET_CASUS_ID, antwoorden, strict=True))
    for naam, r in uitkomsten.items():
        assert "geen-casus-id" in geweigerd(r, "casus_id"), naam
