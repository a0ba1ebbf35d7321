"""Escalation, the gemeente, the tijdelijk huisverbod, the radar and versioned policies
(IJM-1.2.1, IJM-2.2, IJM-3.8; GM-1, GM-5.4, GM-6)."""

from __future__ import annotations

import pytest

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.rapportage import aandeel_direct
from domain.stap import Regelset
from domain.weigering import Weigering

GM_ONTVANGEN = "2028-01-10T09:00:00+01:00"  # a Monday


def bij_team(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    return d


def test_IJM_3_8a_GM_5_4a_escalation_is_decided_by_those_it_goes_to(ijmond: Regelset, gelderland: Regelset) -> None:
    d = bij_team(ijmond)
    with pytest.raises(Weigering, match="opschalen first"):
        d.doe("2027-04-05T10:00:00+02:00", "opschaling-besluit", "veilig-thuis", besluit="VT neemt terug")
    d.doe("2027-04-05T10:00:00+02:00", "opschalen", "lokaal-team:socius-md", reden="oneens over vervolg")
    nieuw = d.doe("2027-04-08T10:00:00+02:00", "opschaling-besluit", "veilig-thuis", besluit="team houdt de casus")
    assert nieuw[-1].regel == "IJM-3.8a"
    gm = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
    assert gm.doe("2028-01-11T10:00:00+01:00", "opschalen", "veilig-thuis", reden="geen team")[-1].regel == "GM-5.4a"


def test_IJM_3_8b_the_gemeente_answers_within_6_weeks(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-04-05T10:00:00+02:00", "gemeente-informeren", "veilig-thuis", reden="afspraken herhaaldelijk niet nagekomen")
    assert d.termijn("gemeente-reactie") == ("open", "2027-05-18T00:00:00+02:00")
    with pytest.raises(Weigering):
        d.doe("2027-04-20T10:00:00+02:00", "gemeente-reactie", "veilig-thuis")
    d.doe("2027-04-20T10:00:00+02:00", "gemeente-reactie", "gemeente")
    assert d.termijn("gemeente-reactie")[0] == "voldaan"


def test_GM_5_4a_gelderland_midden_informs_the_gemeente_without_a_term(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
    gm.doe("2028-01-11T10:00:00+01:00", "gemeente-informeren", "veilig-thuis", reden="geen team beschikbaar")
    assert gm.casus.termijn("gemeente-reactie") is None


def huisverbod(gelderland: Regelset) -> Draaiboek:
    gm = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
    gm.doe("2028-01-12T18:00:00+01:00", "huisverbod-opleggen", "burgemeester")
    return gm


def test_GM_6a_a_huisverbod_lasts_10_days_and_is_extended_once_to_28(gelderland: Regelset) -> None:
    gm = huisverbod(gelderland)
    assert gm.termijn("huisverbod-einde") == ("open", "2028-01-22T18:00:00+01:00")
    gm.doe("2028-01-20T10:00:00+01:00", "huisverbod-verlengen", "burgemeester")
    assert gm.termijn("huisverbod-einde") == ("open", "2028-02-09T18:00:00+01:00")
    with pytest.raises(Weigering, match="once") as fout:
        gm.doe("2028-02-01T10:00:00+01:00", "huisverbod-verlengen", "burgemeester")
    assert fout.value.regel == "GM-6a"


def test_GM_6a_only_the_burgemeester_imposes_it(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
    with pytest.raises(Weigering, match="burgemeester"):
        gm.doe("2028-01-12T18:00:00+01:00", "huisverbod-opleggen", "veilig-thuis")


def test_GM_6b_the_team_is_informed_at_the_latest_on_day_2(gelderland: Regelset) -> None:
    gm = huisverbod(gelderland)
    assert gm.termijn("huisverbod-lokaal-team-informeren") == ("open", "2028-01-14T00:00:00+01:00")
    gm.doe("2028-01-13T09:00:00+01:00", "lokaal-team-geinformeerd", "veilig-thuis")
    assert gm.termijn("huisverbod-lokaal-team-informeren")[0] == "voldaan"


def test_GM_6c_veilig_thuis_advises_on_day_8(gelderland: Regelset) -> None:
    gm = huisverbod(gelderland)
    assert gm.termijn("huisverbod-advies") == ("open", "2028-01-20T00:00:00+01:00")
    gm.tik("2028-01-20T00:00:00+01:00")
    gm.doe("2028-01-20T09:00:00+01:00", "huisverbod-advies", "veilig-thuis", advies="hulpverlening via lokaal team")
    assert gm.termijn("huisverbod-advies")[0] == "te-laat"


def test_GM_6d_a_conversation_with_the_household_within_2_working_days(gelderland: Regelset) -> None:
    gm = huisverbod(gelderland)
    assert gm.termijn("huisverbod-gesprek") == ("open", "2028-01-15T00:00:00+01:00")
    gm.doe("2028-01-14T14:00:00+01:00", "gezamenlijk-gesprek", "veilig-thuis")
    assert gm.termijn("huisverbod-gesprek")[0] == "voldaan"


def test_GM_6_the_huisverbod_moves_no_responsibility(gelderland: Regelset) -> None:
    assert huisverbod(gelderland).houders() == [("veilig-thuis", "GM-2")]


def test_GM_6_ijmond_makes_no_regional_arrangement_for_a_huisverbod(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    with pytest.raises(Weigering, match="no arrangement"):
        d.doe("2027-04-05T10:00:00+02:00", "huisverbod-opleggen", "burgemeester")


def test_IJM_1_2_1_every_melding_names_its_household(ijmond: Regelset) -> None:
    melding = bij_team(ijmond).gebeurtenissen[0]
    assert isinstance(melding, g.MeldingOntvangen) and melding.huishouden.startswith("HH-") and melding.regel == "IJM-1.2.1"


def test_IJM_2_2_a_casus_records_the_version_of_the_policy_it_started_under(ijmond: Regelset) -> None:
    melding = bij_team(ijmond).gebeurtenissen[0]
    assert isinstance(melding, g.MeldingOntvangen)
    assert (melding.beleid, melding.beleid_hash, melding.kalender) == ("ijmond-2024", ijmond.beleid.inhoud_hash, ijmond.kalender.versie)


def test_GM_1_the_share_of_direct_transfers_is_reported_not_enforced(gelderland: Regelset) -> None:
    casussen = []
    for i, besluit in enumerate(["direct-overdracht"] * 3 + ["onderzoek"]):
        gm = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
        team = {"team": "ede"} if besluit == "direct-overdracht" else {}
        gm.doe(f"2028-01-1{i + 1}T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit=besluit, **team)
        casussen.append(gm.casus)
    casussen.append(Draaiboek(gelderland, GM_ONTVANGEN, "ede").casus)
    assert aandeel_direct(casussen) == 0.75
    assert aandeel_direct([]) is None
