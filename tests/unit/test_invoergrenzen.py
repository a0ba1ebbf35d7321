"""Issue 11, nothing Temporal can reject is appended: every command model refuses, with the field
named, what the workflow, its search attributes or Temporal's payload limits would refuse later."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from domain.opdrachten import (
    LIJST_MAX,
    TEKST_MAX,
    VOORWAARDE_MAX,
    Afsluiten,
    BeoordelingAfronden,
    DienstAfronden,
    Melden,
    MonitoringVerlengen,
    NieuweMelding,
    OverdrachtWeigeren,
    PlanVastleggen,
    Verzoek,
    verzegeld_max,
)
from domain.partijen import IDENTIFICATIE_MAX, PARTIJ_MAX, Actor, instelling, stuurteken, team
from domain.tijd import ZONE
from eventstore.kluis import VOORVOEGSEL, _versleutel
from service.simulatie import Scenario, ScenarioError, verzoek

ZOEKATTRIBUUT_MAX_BYTES = 2_048  # Temporal: a keyword search attribute value
PAYLOAD_MAX_BYTES = 2 * 1024 * 1024  # Temporal's default blob size limit per payload
VIER_BYTES = "\U0001f600"  # the longest UTF-8 encoding of one character
ACTOR = {"partij": "veilig-thuis", "medewerker": "test"}
MELDING: dict[str, Any] = {
    "casus_id": str(uuid.UUID(int=11)), "gemeente": "velsen", "huishouden": "HH-0001",
    "ontvangen": "2027-03-25T10:00:00+01:00", "actor": ACTOR,
}  # fmt: skip


def velden(e: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in fout["loc"]) for fout in e.value.errors()}


def geweigerd(soort: type[BaseModel], data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as e:
        soort.model_validate(data)
    return velden(e)


def verzegel(tekst: str) -> str:
    """The client's sealing (eventstore/kluis.py), with a throwaway household key."""
    return VOORVOEGSEL + _versleutel(AESGCM.generate_key(bit_length=256), tekst.encode(), "HH-0001")


# Moments: 2000-01-01 to 2100-12-31, offsets of whole minutes.


@pytest.mark.parametrize(
    "ontvangen",
    [
        "1926-05-01T10:00:00+00:19:32",  # Amsterdam's pre-1940 offset, which Temporal refuses
        datetime(1926, 5, 1, 10, tzinfo=ZONE),  # the same, as the CLI builds it from a local time
        "9999-12-31T23:00:00-05:00",  # converting this one to UTC overflows
        "2101-01-01T00:00:00+01:00",
        "1999-12-31T23:59:59+01:00",
        "2027-03-25T10:00:00+00:00:30",  # within range, with seconds in its offset
        "2027-03-25T10:00:00",  # no offset
    ],
)
def test_melden_refuses_a_receipt_moment_out_of_range_or_with_a_seconds_offset_naming_ontvangen(ontvangen: Any) -> None:
    assert geweigerd(Melden, MELDING | {"ontvangen": ontvangen}) == {"ontvangen"}


@pytest.mark.parametrize("ontvangen", ["2000-01-01T00:00:00+01:00", "2100-12-31T23:59:59+01:00", "2027-03-25T10:00:00+05:45"])
def test_melden_accepts_the_boundary_moments_and_any_whole_minute_offset(ontvangen: str) -> None:
    assert Melden.model_validate(MELDING | {"ontvangen": ontvangen}).ontvangen == datetime.fromisoformat(ontvangen)


@pytest.mark.parametrize("op", ["1926-05-01T10:00:00+00:19:32", "9999-12-31T23:59:59+14:00", "2101-01-01T00:00:00+01:00"])
def test_a_verzoek_refuses_an_op_moment_out_of_range_naming_op(op: str) -> None:
    assert geweigerd(Verzoek, {"opdracht": {"actie": "spoed-vastgesteld"}, "actor": ACTOR, "op": op}) == {"op"}


def test_a_verzoek_accepts_the_last_moment_of_2100_and_no_moment_at_all() -> None:
    for op in ("2100-12-31T23:59:59+01:00", None):
        Verzoek.model_validate({"opdracht": {"actie": "spoed-vastgesteld"}, "actor": ACTOR, "op": op})


@pytest.mark.parametrize(("tot", "geldig"), [("1926-05-01", False), ("2101-01-01", False), ("9999-12-31", False), ("2100-12-31", True)])
def test_monitoring_verlengen_holds_its_date_tot_to_the_same_range(tot: str, geldig: bool) -> None:
    data = {"actie": "monitoring-verlengen", "tot": tot}
    if geldig:
        assert MonitoringVerlengen.model_validate(data).tot == date.fromisoformat(tot)
    else:
        assert geweigerd(MonitoringVerlengen, data) == {"tot"}


# Identifiers: at most 200 characters, no control or format characters, never blank.

IDENTIFICATIE_VELDEN: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (BeoordelingAfronden, {"besluit": "instelling"}, "instelling"),
    (BeoordelingAfronden, {"besluit": "direct-overdracht"}, "team"),
    (BeoordelingAfronden, {}, "besluit"),
    (DienstAfronden, {"conclusie": "vastgesteld"}, "team"),
    (Melden, {k: v for k, v in MELDING.items() if k != "gemeente"}, "gemeente"),
    (Melden, {k: v for k, v in MELDING.items() if k != "huishouden"}, "huishouden"),
    (Melden, {k: v for k, v in MELDING.items() if k != "casus_id"}, "casus_id"),
]


@pytest.mark.parametrize(("soort", "basis", "veld"), IDENTIFICATIE_VELDEN)
@pytest.mark.parametrize("waarde", ["x" * (IDENTIFICATIE_MAX + 1), "velsen\x00", "socius\nmd", "abc\u202edef", "\udcff", "", "   "])
def test_an_identifier_too_long_with_control_characters_or_blank_is_refused_naming_its_field(
    soort: type[BaseModel], basis: dict[str, Any], veld: str, waarde: str
) -> None:
    actie = {"actie": soort.model_fields["actie"].default} if "actie" in soort.model_fields else {}
    assert geweigerd(soort, actie | basis | {veld: waarde}) == {veld}


@pytest.mark.parametrize(("soort", "basis", "veld"), IDENTIFICATIE_VELDEN)
def test_an_identifier_of_200_characters_is_accepted(soort: type[BaseModel], basis: dict[str, Any], veld: str) -> None:
    actie = {"actie": soort.model_fields["actie"].default} if "actie" in soort.model_fields else {}
    assert getattr(soort.model_validate(actie | basis | {veld: VIER_BYTES * IDENTIFICATIE_MAX}), veld) == VIER_BYTES * IDENTIFICATIE_MAX


def test_the_2100_character_instelling_of_issue_11_is_refused_before_it_is_a_search_attribute() -> None:
    assert geweigerd(BeoordelingAfronden, {"actie": "beoordeling-afronden", "besluit": "instelling", "instelling": "x" * 2_100}) == {
        "instelling"
    }


@given(naam=st.text(min_size=1, max_size=IDENTIFICATIE_MAX))
def test_any_accepted_instelling_or_team_fits_the_casushouder_search_attribute(naam: str) -> None:
    try:
        BeoordelingAfronden.model_validate({"actie": "beoordeling-afronden", "besluit": "instelling", "instelling": naam, "team": naam})
    except ValidationError:
        return
    for houder in (instelling(naam), team(naam)):
        assert len(houder.encode()) <= ZOEKATTRIBUUT_MAX_BYTES
        assert stuurteken(houder) is None


def test_criteria_hold_at_most_50_identifiers_each_checked() -> None:
    basis = {"actie": "beoordeling-afronden", "besluit": "onderzoek"}
    assert len(BeoordelingAfronden.model_validate(basis | {"criteria": ["letsel"] * LIJST_MAX}).criteria) == LIJST_MAX
    assert geweigerd(BeoordelingAfronden, basis | {"criteria": ["letsel"] * (LIJST_MAX + 1)}) == {"criteria"}
    assert geweigerd(BeoordelingAfronden, basis | {"criteria": ["letsel", "x" * (IDENTIFICATIE_MAX + 1)]}) == {"criteria.1"}


# The actor of a command: partij and medewerker.


@pytest.mark.parametrize(
    ("actor", "veld"),
    [
        ({"partij": "lokaal-team:" + "x" * (PARTIJ_MAX - len("lokaal-team:") + 1)}, "actor.partij"),
        ({"partij": ""}, "actor.partij"),
        ({"partij": "veilig-thuis\r\n"}, "actor.partij"),
        ({"partij": "veilig-thuis", "medewerker": ""}, "actor.medewerker"),
        ({"partij": "veilig-thuis", "medewerker": "m" * (IDENTIFICATIE_MAX + 1)}, "actor.medewerker"),
        ({"partij": "veilig-thuis", "medewerker": "jan\x1b[31m"}, "actor.medewerker"),
    ],
)
def test_the_actor_of_a_command_is_held_to_the_identifier_limits(actor: dict[str, Any], veld: str) -> None:
    assert geweigerd(Verzoek, {"opdracht": {"actie": "spoed-vastgesteld"}, "actor": actor}) == {veld}
    assert geweigerd(Verzoek, {"opdracht": {"actie": "spoed-vastgesteld"}, "actor": Actor(**actor)}) == {veld}
    assert geweigerd(Melden, MELDING | {"actor": actor}) == {veld}


def test_a_team_of_200_characters_may_act_and_no_medewerker_is_needed() -> None:
    v = Verzoek.model_validate({"opdracht": {"actie": "spoed-vastgesteld"}, "actor": {"partij": team("t" * IDENTIFICATIE_MAX)}})
    assert v.actor == Actor(partij=team("t" * IDENTIFICATIE_MAX))


def test_a_stored_event_keeps_any_actor_it_was_recorded_with() -> None:
    """Only commands are held to the limits: events already in a store stay readable."""
    assert Actor(partij="", medewerker="").medewerker == ""


# Free text: at most 10,000 characters (a voorwaarde 1,000, a list 50), tab and newline only.

TEKST_VELDEN: list[tuple[type[BaseModel], str]] = [
    (OverdrachtWeigeren, "reden"),
    (Afsluiten, "reden"),
    (PlanVastleggen, "plan"),
    (NieuweMelding, "inhoud"),
]


@pytest.mark.parametrize(("soort", "veld"), TEKST_VELDEN)
def test_a_free_text_of_10000_characters_with_newlines_is_accepted_and_one_more_is_refused(soort: type[BaseModel], veld: str) -> None:
    actie = {"actie": soort.model_fields["actie"].default}
    tekst = ("regel één\tmet tab\r\n" * TEKST_MAX)[:TEKST_MAX]
    assert getattr(soort.model_validate(actie | {veld: tekst}), veld) == tekst
    assert geweigerd(soort, actie | {veld: tekst + "x"}) == {veld}


@pytest.mark.parametrize(("soort", "veld"), TEKST_VELDEN)
@pytest.mark.parametrize("tekst", ["nul\x00byte", "escape\x1b[2J", "half \ud800 teken"])
def test_a_free_text_with_control_characters_or_lone_surrogates_is_refused(soort: type[BaseModel], veld: str, tekst: str) -> None:
    assert geweigerd(soort, {"actie": soort.model_fields["actie"].default, veld: tekst}) == {veld}


def test_a_required_free_text_is_not_blank_and_an_optional_one_may_be_empty() -> None:
    assert geweigerd(OverdrachtWeigeren, {"actie": "overdracht-weigeren", "reden": " \n "}) == {"reden"}
    assert NieuweMelding.model_validate({"actie": "nieuwe-melding", "inhoud": ""}).inhoud == ""
    assert geweigerd(Melden, MELDING | {"inhoud": "x" * (TEKST_MAX + 1)}) == {"inhoud"}


def test_voorwaarden_are_at_most_50_texts_of_at_most_1000_characters() -> None:
    basis = {"actie": "dienst-afronden", "team": "socius-md", "conclusie": "vastgesteld"}
    assert len(DienstAfronden.model_validate(basis | {"voorwaarden": ["v" * VOORWAARDE_MAX] * LIJST_MAX}).voorwaarden) == LIJST_MAX
    assert geweigerd(DienstAfronden, basis | {"voorwaarden": ["v"] * (LIJST_MAX + 1)}) == {"voorwaarden"}
    assert geweigerd(DienstAfronden, basis | {"voorwaarden": ["v", "v" * (VOORWAARDE_MAX + 1)]}) == {"voorwaarden.1"}
    assert geweigerd(DienstAfronden, basis | {"voorwaarden": ["v", ""]}) == {"voorwaarden.1"}


def test_the_sealed_form_of_the_longest_text_passes_the_workflow_validation_and_a_longer_one_does_not() -> None:
    """The workflow validates the sealed text it receives: the limit must leave room for it."""
    tekst = VIER_BYTES * TEKST_MAX
    assert len(verzegel(tekst)) <= verzegeld_max(TEKST_MAX)
    assert PlanVastleggen.model_validate({"actie": "plan-vastleggen", "plan": verzegel(tekst)})
    te_lang = VOORVOEGSEL + "A" * verzegeld_max(TEKST_MAX)
    assert geweigerd(PlanVastleggen, {"actie": "plan-vastleggen", "plan": te_lang}) == {"plan"}


def test_the_largest_sealed_verzoek_and_melding_stay_far_under_temporals_payload_limit() -> None:
    groot = {"partij": team("t" * IDENTIFICATIE_MAX), "medewerker": VIER_BYTES * IDENTIFICATIE_MAX}
    dienst = {
        "actie": "dienst-afronden", "team": VIER_BYTES * IDENTIFICATIE_MAX, "conclusie": "vastgesteld",
        "voorwaarden": [verzegel(VIER_BYTES * VOORWAARDE_MAX) for _ in range(LIJST_MAX)],
    }  # fmt: skip
    v = Verzoek.model_validate({"opdracht": dienst, "actor": groot, "op": "2100-12-31T23:59:59+01:00"})
    grootst = {"gemeente": VIER_BYTES * IDENTIFICATIE_MAX, "inhoud": verzegel(VIER_BYTES * TEKST_MAX), "actor": groot}
    m = Melden.model_validate(MELDING | grootst)
    for model in (v, m):
        assert len(model.model_dump_json().encode()) < PAYLOAD_MAX_BYTES // 4


# The scenario loader: the same limits, the field named.


def scenario_bestand(tmp_path: Path, **melding: Any) -> Path:
    bestand = tmp_path / f"{uuid.uuid4().hex}.yaml"
    data = {
        "beleid": "ijmond-2024",
        "melding": {"ontvangen": "2027-03-25T10:00:00+01:00", "gemeente": "velsen", "huishouden": "HH-0001"} | melding,
        "tot": "2027-06-01T00:00:00+02:00",
    }
    bestand.write_text(yaml.safe_dump(json.loads(json.dumps(data))), encoding="utf-8")
    return bestand


@pytest.mark.parametrize(
    ("melding", "veld"),
    [
        ({"ontvangen": "1926-05-01T10:00:00+00:19:32"}, "melding.ontvangen"),
        ({"ontvangen": "2101-01-01T00:00:00+01:00"}, "melding.ontvangen"),
        ({"gemeente": "g" * (IDENTIFICATIE_MAX + 1)}, "melding.gemeente"),
        ({"huishouden": "HH\x00"}, "melding.huishouden"),
        ({"inhoud": "i" * (TEKST_MAX + 1)}, "melding.inhoud"),
    ],
)
def test_the_scenario_loader_refuses_a_melding_out_of_limits_naming_the_field(tmp_path: Path, melding: dict[str, Any], veld: str) -> None:
    with pytest.raises(ScenarioError, match=f"{veld}: "):
        Scenario.load(scenario_bestand(tmp_path, **melding))


def test_a_scenario_step_out_of_limits_is_refused_naming_its_field() -> None:
    stap = {"op": "2027-03-31T15:00:00+02:00", "als": "veilig-thuis", "actie": "beoordeling-afronden", "besluit": "instelling"}
    with pytest.raises(ScenarioError, match="instelling: "):
        verzoek(stap | {"instelling": "x" * 2_100})
    with pytest.raises(ScenarioError, match="op: "):
        verzoek(stap | {"op": datetime(1926, 5, 1, tzinfo=ZONE), "instelling": "x"})
    with pytest.raises(ScenarioError, match=r"actor\.medewerker: "):
        verzoek(stap | {"instelling": "x", "medewerker": ""})


def test_the_shared_scenarios_still_load() -> None:
    gedeeld = Path(__file__).resolve().parents[3] / "shared" / "scenarios"
    bestanden = sorted(gedeeld.glob("*.yaml"))
    assert bestanden, gedeeld
    for bestand in bestanden:
        for stap in Scenario.load(bestand).stappen:
            verzoek(dict(stap))
