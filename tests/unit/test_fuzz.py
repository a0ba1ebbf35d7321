"""Malformed input of every kind gets a clear error and changes nothing: update payloads, CLI
options and scenario files (hypothesis)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from casus_cli.main import _draai
from domain.beslissen import decide_op_tijd
from domain.draaiboek import Draaiboek, t
from domain.opdrachten import OPDRACHTEN, Verzoek
from domain.weigering import Weigering
from runtime.policies import load_rules
from service.simulatie import Scenario, ScenarioError, verzoek

pytestmark = pytest.mark.storing

IJMOND = load_rules("ijmond-2024")
NU = t("2027-04-02T10:00:00+02:00")
WAARDEN = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True), st.text(max_size=20),
    st.sampled_from(["direct-overdracht", "socius-md", "letsel", "2027-04-01T10:00:00+02:00", "2027-13-01", "true", ""]),
    st.lists(st.text(max_size=8), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)  # fmt: skip
VELDEN = sorted({naam.replace("_", "-") for soort in OPDRACHTEN.values() for naam in soort.model_fields} | {"op", "als", "onzin"})
PAYLOAD = st.fixed_dictionaries(
    {"actie": st.one_of(st.sampled_from(sorted(OPDRACHTEN)), st.text(max_size=12))},
    optional={veld: WAARDEN for veld in VELDEN if veld != "actie"},
)
PROFIEL = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def casus() -> Draaiboek:
    d = Draaiboek(IJMOND, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    return d


BASIS = casus()


@PROFIEL
@given(payload=PAYLOAD)
def test_any_update_payload_is_an_action_a_clear_refusal_or_a_field_error(payload: dict[str, Any]) -> None:
    stap = {"op": "2027-04-01T10:00:00+02:00", "als": "veilig-thuis"} | payload
    try:
        v = verzoek(stap)
    except ScenarioError as e:
        assert str(e)  # names the field or the action
        return
    voor = BASIS.casus
    try:
        events = decide_op_tijd(BASIS.casus, v, IJMOND, NU)
    except Weigering as w:
        assert w.regel and w.melding
        assert BASIS.casus == voor
        return
    assert all(e.regel for e in events)


@PROFIEL
@given(payload=st.dictionaries(st.text(max_size=10), WAARDEN, max_size=6))
def test_a_raw_update_input_never_validates_into_something_unchecked(payload: dict[str, Any]) -> None:
    try:
        Verzoek.model_validate(payload)
    except ValidationError as e:
        assert e.errors()
    else:  # pragma: no cover - a random dict is never a complete request
        pytest.fail("a random payload validated")


OPTIES = st.lists(
    st.one_of(st.sampled_from(["--" + v for v in VELDEN] + ["--json", "--als", "--op", "--besluit"]), st.text(max_size=12)), max_size=8
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actie=st.sampled_from([*sorted(OPDRACHTEN), "melding", "audit", "status", "lijst", "rapport", "termijnen"]), opties=OPTIES)
def test_any_command_line_ends_in_a_contract_exit_code_without_a_traceback(
    actie: str, opties: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CASUS_TEMPORAL_ADDRESS", "127.0.0.1:9")  # nothing listens: a request gets that far only when valid
    monkeypatch.setenv("CASUS_STATE_DIR", str(tmp_path))
    args = [actie, *([str(uuid.UUID(int=1))] if actie in OPDRACHTEN or actie in ("audit", "status") else []), *opties]
    code = _draai("--json" in opties, args)
    uit = capsys.readouterr()
    assert code in (0, 1, 2, 3), (args, code)
    assert "Traceback" not in uit.err + uit.out
    if code:
        assert uit.err.strip(), "an error says what was wrong"


SCENARIO_GELDIG = yaml.safe_load((Path(__file__).resolve().parents[1] / "scenarios" / "ijmond-nieuwe-melding-gi.yaml").read_text())


@PROFIEL
@given(wijziging=st.dictionaries(st.sampled_from(["beleid", "melding", "stappen", "tot", "extra"]), WAARDEN, max_size=3))
def test_a_malformed_scenario_file_is_refused_with_the_field_it_gets_wrong(
    wijziging: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    bestand = tmp_path_factory.mktemp("fuzz") / "scenario.yaml"
    bestand.write_text(yaml.safe_dump(SCENARIO_GELDIG | wijziging), encoding="utf-8")
    try:
        scenario = Scenario.load(bestand)
    except ScenarioError as e:
        assert str(bestand) in str(e) and ":" in str(e)
        return
    for stap in scenario.stappen:
        try:
            verzoek(dict(stap))
        except ScenarioError as e:
            assert str(e)


def test_a_scenario_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    bestand = tmp_path / "kapot.yaml"
    bestand.write_text("beleid: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="YAML"):
        Scenario.load(bestand)
