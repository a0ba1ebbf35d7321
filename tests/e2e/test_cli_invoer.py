"""Issue 11 through the real `casus` program: input Temporal or the record would refuse later is
refused before anything connects, with exit 1 and the field named, never a traceback. Nothing
listens at the configured Temporal address, so a request that got past validation would end in
exit 3 instead."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SCENARIOS

CASUS = str(Path(sys.executable).parent / "casus")
CASUS_ID = str(uuid.UUID(int=11))
MELDING = ["melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "HH-0011", "--als", "veilig-thuis"]
INSTELLING = ["beoordeling-afronden", CASUS_ID, "--als", "veilig-thuis", "--besluit", "instelling"]


def casus(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"CASUS_TEMPORAL_ADDRESS": "127.0.0.1:9", "CASUS_STATE_DIR": str(tmp_path), "CASUS_EVENTSTORE": "sqlite"}
    return subprocess.run([CASUS, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def geweigerd(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    fout: dict[str, Any] = json.loads(r.stdout)["fout"]
    assert fout["exit_code"] == 1
    return fout


@pytest.mark.parametrize(
    "ontvangen",
    ["1926-05-01T10:00:00", "1926-05-01T10:00:00+00:19:32", "9999-12-31T23:00:00-05:00", "2101-01-01T00:00:00+01:00"],
)
def test_melding_refuses_a_receipt_moment_temporal_cannot_take_naming_ontvangen(tmp_path: Path, ontvangen: str) -> None:
    fout = geweigerd(casus(tmp_path, *MELDING, "--ontvangen", ontvangen, "--json"))
    assert fout["veld"] == "ontvangen"
    assert "2000-01-01" in fout["melding"] or "whole minutes" in fout["melding"]


def test_an_action_refuses_an_op_moment_out_of_range_naming_op_also_without_json(tmp_path: Path) -> None:
    fout = geweigerd(casus(tmp_path, "spoed-vastgesteld", CASUS_ID, "--als", "veilig-thuis", "--op", "1926-05-01T10:00:00", "--json"))
    assert fout["veld"] == "op"
    r = casus(tmp_path, "spoed-vastgesteld", CASUS_ID, "--als", "veilig-thuis", "--op", "2101-01-01T00:00:00+01:00")
    assert r.returncode == 1
    assert "veld op" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "veld"),
    [
        ([*INSTELLING, "--instelling", "x" * 2_100], "instelling"),  # the CasusHouder search attribute of issue 11
        ([*INSTELLING, "--instelling", ""], "instelling"),
        ([*INSTELLING, "--instelling", "zorg\x1bnoord"], "instelling"),
        (
            ["beoordeling-afronden", CASUS_ID, "--als", "veilig-thuis", "--besluit", "onderzoek", "--criteria", "a," + "c" * 201],
            "criteria-1",
        ),
        (["overdracht-weigeren", CASUS_ID, "--als", "lokaal-team:socius-md", "--reden", "r" * 10_001], "reden"),
        (["monitoring-verlengen", CASUS_ID, "--als", "veilig-thuis", "--tot", "2101-01-01"], "tot"),
    ],
)
def test_an_action_refuses_a_field_out_of_limits_naming_it(tmp_path: Path, args: list[str], veld: str) -> None:
    assert geweigerd(casus(tmp_path, *args, "--json"))["veld"] == veld


@pytest.mark.parametrize(
    ("args", "veld"),
    [
        ([*MELDING[:4], "g" * 201, *MELDING[5:]], "gemeente"),
        ([*MELDING[:6], "HH\x01", *MELDING[7:]], "huishouden"),
        ([*MELDING, "--inhoud", "i" * 10_001], "inhoud"),
        ([*MELDING[:-1], "lokaal-team:" + "t" * 201], "als"),
        ([*MELDING, "--medewerker", ""], "medewerker"),
        (["spoed-vastgesteld", CASUS_ID, "--als", ""], "als"),
        (["spoed-vastgesteld", CASUS_ID, "--als", "veilig-thuis", "--medewerker", "m" * 201], "medewerker"),
    ],
)
def test_melding_and_the_actor_of_any_command_refuse_values_out_of_limits_naming_the_option(
    tmp_path: Path, args: list[str], veld: str
) -> None:
    """Needs casus_cli/acties.py to turn the ValidationError of `Melden` and `Verzoek` into a refusal."""
    assert geweigerd(casus(tmp_path, *args, "--json"))["veld"] == veld


@pytest.mark.parametrize(
    ("melding", "veld"),
    [({"gemeente": "g" * 201}, "melding.gemeente"), ({"ontvangen": "1926-05-01T10:00:00+00:19:32"}, "melding.ontvangen")],
)
def test_simuleer_refuses_a_scenario_whose_melding_is_out_of_limits_naming_the_field(
    tmp_path: Path, melding: dict[str, Any], veld: str
) -> None:
    data = yaml.safe_load((SCENARIOS / "ijmond-directe-overdracht.yaml").read_text(encoding="utf-8"))
    data["melding"] |= melding
    bestand = tmp_path / "te-lang.yaml"
    bestand.write_text(yaml.safe_dump(data), encoding="utf-8")
    fout = geweigerd(casus(tmp_path, "simuleer", str(bestand), "--json"))
    assert f"{veld}: " in fout["melding"]
