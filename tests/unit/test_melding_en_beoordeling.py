"""The first responsibility and the veiligheidsbeoordeling (IJM-3.1, IJM-3.2, IJM-3.3; GM-2, GM-4, GM-5.1)."""

from __future__ import annotations

import pytest

from domain.draaiboek import Draaiboek
from domain.gebeurtenissen import VerantwoordelijkheidOvergedragen
from domain.stap import Regelset
from domain.weigering import Weigering

ONTVANGEN = "2027-03-25T10:00:00+01:00"  # Thursday before Easter 2027


def test_IJM_3_1c_the_melder_holds_the_responsibility_until_the_beoordeling(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    assert d.houders() == [("melder", "melding")]
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]
    assert d.casus.verantwoordelijkheid[0].tot == d.casus.verantwoordelijkheid[1].van


def test_IJM_3_1a_an_acute_melding_gives_veilig_thuis_the_responsibility_from_receipt(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen", acuut=True)
    assert d.houders() == [("veilig-thuis", "IJM-3.1a")]
    assert d.casus.termijn("verantwoordelijkheid-vt") is None


def test_IJM_3_1a_acuteness_found_later_moves_the_responsibility_from_that_moment(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-03-25T16:00:00+01:00", "spoed-vastgesteld", "veilig-thuis")
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1a")]
    assert d.casus.verantwoordelijkheid[1].van.isoformat() == "2027-03-25T16:00:00+01:00"
    assert d.termijn("verantwoordelijkheid-vt")[0] == "voldaan"


def test_IJM_3_1b_an_acute_melding_has_a_crisis_term_of_72_hours_that_moves_nothing(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen", acuut=True)
    assert d.termijn("crisis") == ("open", "2027-03-28T11:00:00+02:00")
    d.tik("2027-03-28T12:00:00+02:00")
    assert d.termijn("crisis")[0] == "afgelopen"  # informative: it ends, never lapses (rev. 2026-11-30)
    assert d.houders() == [("veilig-thuis", "IJM-3.1a")]


def test_IJM_3_1d_veilig_thuis_holds_it_at_the_start_of_working_day_6_without_anyone_acting(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.tik("2027-04-05T23:59:59+02:00")
    assert d.houders() == [("melder", "melding")]
    nieuw = d.tik("2027-04-06T00:00:00+02:00")
    overdracht = next(e for e in nieuw if isinstance(e, VerantwoordelijkheidOvergedragen))
    assert (overdracht.van, overdracht.naar, overdracht.regel) == ("melder", "veilig-thuis", "IJM-3.1d")
    assert overdracht.op.isoformat() == "2027-04-06T00:00:00+02:00"
    assert overdracht.actor.partij == "systeem"
    assert d.termijn("verantwoordelijkheid-vt")[0] == "van-rechtswege"  # not a missed term (rev. 2026-11-30)


def test_IJM_3_1d_a_transfer_recorded_late_still_takes_effect_at_the_deadline(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.tik("2027-04-09T12:00:00+02:00")
    assert d.casus.verantwoordelijkheid[1].van.isoformat() == "2027-04-06T00:00:00+02:00"


def test_IJM_3_3_1a_the_beoordeling_is_due_at_the_end_of_working_day_5(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    assert d.termijn("veiligheidsbeoordeling") == ("open", "2027-04-06T00:00:00+02:00")


def test_IJM_3_3_1a_a_late_beoordeling_is_accepted_and_recorded_as_late(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.tik("2027-04-06T00:00:00+02:00")
    assert d.termijn("veiligheidsbeoordeling")[0] == "verstreken"
    d.doe("2027-04-07T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    assert d.termijn("veiligheidsbeoordeling")[0] == "te-laat"


def test_T_5_a_beoordeling_registered_late_is_judged_on_when_it_took_effect(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.tik("2027-04-06T00:00:00+02:00")
    d.doe("2027-04-07T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", op="2027-04-05T16:00:00+02:00", besluit="onderzoek")
    assert d.termijn("veiligheidsbeoordeling")[0] == "voldaan"
    # T-5a (rev. 2026-11-30): Veilig Thuis held it from the beoordeling; the clock's transfer is superseded.
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]


@pytest.mark.parametrize("criterium", ["letsel", "stalking", "onvoldoende-zekerheid", "seksueel-misbruik", "ongeboren-kind"])
def test_IJM_3_2_a_tenzij_criterion_rules_out_a_direct_overdracht(ijmond: Regelset, criterium: str) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe(
            "2027-03-31T15:00:00+02:00",
            "beoordeling-afronden",
            "veilig-thuis",
            besluit="direct-overdracht",
            team="socius-md",
            criteria=[criterium],
        )
    assert fout.value.regel == "IJM-3.3"
    assert criterium in fout.value.melding


@pytest.mark.parametrize(("acuut", "anoniem", "criterium"), [(False, True, "melder-anoniem"), (True, False, "acute-dreiging")])
def test_IJM_3_3_criteria_that_follow_from_the_melding_need_not_be_repeated(
    ijmond: Regelset, acuut: bool, anoniem: bool, criterium: str
) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen", acuut=acuut, anoniem=anoniem)
    with pytest.raises(Weigering, match=criterium):
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")


def test_IJM_3_2_an_unknown_criterion_is_refused_naming_the_field(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek", criteria=["blauwe-plekken"])
    assert fout.value.veld == "criteria"
    assert "letsel" in fout.value.melding


def test_IJM_3_1f_an_outcome_the_region_does_not_have_is_refused_with_the_accepted_ones(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="mda")
    assert (fout.value.regel, fout.value.veld) == ("IJM-3.1f", "besluit")
    assert "jeugdhulp" in fout.value.melding


def test_IJM_3_1f_outcomes_place_the_follow_up_with_a_partner(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="instelling", instelling="ggz-kennemerland")
    assert d.houders()[-1] == ("instelling:ggz-kennemerland", "IJM-3.1e")
    assert d.casus.fase == "overgedragen"


def test_GM_4a_an_mda_outcome_exists_only_in_gelderland_midden(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "arnhem")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="mda")
    assert d.houders() == [("veilig-thuis", "GM-2"), ("mda", "GM-4a")]


def test_GM_2_veilig_thuis_holds_the_responsibility_from_receipt(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "wageningen")
    assert d.houders() == [("veilig-thuis", "GM-2")]
    assert d.casus.termijn("verantwoordelijkheid-vt") is None


def test_GM_5_1_1_the_beoordeling_is_due_within_5_working_days(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "wageningen")
    assert d.termijn("veiligheidsbeoordeling") == ("open", "2028-01-18T00:00:00+01:00")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    assert d.termijn("veiligheidsbeoordeling")[0] == "voldaan"
    assert d.casus.fase == "dienst"


def test_only_veilig_thuis_may_finish_the_beoordeling(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "lokaal-team:socius-md", besluit="onderzoek")
    assert fout.value.veld == "als" and "veilig-thuis" in fout.value.melding


def test_an_unknown_party_is_refused_with_the_accepted_ones(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "lokaal-team:arnhem", besluit="onderzoek")
    assert fout.value.veld == "als" and "lokaal-team:socius-md" in fout.value.melding


def test_T_5_a_step_cannot_take_effect_in_the_future_or_before_the_melding(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as toekomst:
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", op="2027-04-01T15:00:00+02:00", besluit="onderzoek")
    with pytest.raises(Weigering) as eerder:
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", op="2027-03-24T15:00:00+01:00", besluit="onderzoek")
    assert (toekomst.value.regel, eerder.value.regel) == ("T-5", "T-5")
    assert d.casus.versie == len(d.gebeurtenissen)
