"""The team's part, renewed concern and new meldingen, support and coercion
(IJM-3.3.6, IJM-3.5, IJM-3.6, IJM-3.7, IJM-4; GM-3b, GM-5.3, GM-7)."""

from __future__ import annotations

import pytest

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from domain.weigering import Weigering

ONTVANGEN = "2027-03-25T10:00:00+01:00"
TEAM = "lokaal-team:socius-md"


def bij_team(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    return d


def test_IJM_4_1_stable_safety_is_refused_before_six_months_without_incident(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    with pytest.raises(Weigering) as fout:
        d.doe("2027-09-24T10:00:00+02:00", "stabiele-veiligheid", TEAM, risicofactoren_aangepakt=True, herstel_gestart=True)
    assert fout.value.regel == "IJM-4.1" and "2027-09-25" in fout.value.melding
    d.doe("2027-09-25T10:00:00+02:00", "stabiele-veiligheid", TEAM, risicofactoren_aangepakt=True, herstel_gestart=True)
    assert d.casus.stabiel_sinds is not None


def test_IJM_4_1_GM_7_1_an_incident_restarts_the_six_months(ijmond: Regelset, gelderland: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-08-01T22:00:00+02:00", "incident", TEAM, omschrijving="politie ter plaatse")
    with pytest.raises(Weigering, match="2028-02-01"):
        d.doe("2027-10-01T10:00:00+02:00", "stabiele-veiligheid", TEAM, risicofactoren_aangepakt=True, herstel_gestart=True)
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    gm.doe("2028-03-01T10:00:00+01:00", "incident", "lokaal-team:ede", omschrijving="melding politie")
    with pytest.raises(Weigering) as fout:
        gm.doe("2028-08-01T10:00:00+02:00", "stabiele-veiligheid", "lokaal-team:ede", risicofactoren_aangepakt=True, herstel_gestart=True)
    assert fout.value.regel == "GM-7.1"


def test_IJM_4_1_stable_safety_needs_the_risk_factors_addressed_and_repair_started(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    with pytest.raises(Weigering) as fout:
        d.doe("2027-10-01T10:00:00+02:00", "stabiele-veiligheid", TEAM, risicofactoren_aangepakt=True, herstel_gestart=False)
    assert fout.value.veld == "herstel-gestart"


def test_IJM_4_2_GM_7_2_the_plan_is_a_versioned_document(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-04-10T10:00:00+02:00", "plan-vastleggen", TEAM, plan="veiligheidsafspraken v1")
    nieuw = d.doe("2027-05-10T10:00:00+02:00", "plan-vastleggen", TEAM, plan="veiligheidsafspraken v2")
    plan = nieuw[-1]
    assert isinstance(plan, g.PlanVastgelegd) and (plan.versie, plan.regel) == (2, "IJM-4.2")
    with pytest.raises(Weigering):
        d.doe("2027-05-11T10:00:00+02:00", "plan-vastleggen", "veilig-thuis", plan="niet van VT")


def test_IJM_3_3_6_renewed_concern_starts_a_new_beoordeling_with_the_team_holding_it(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-05-03T10:00:00+02:00", "opnieuw-melden", TEAM, inhoud="nieuwe zorgen na huisbezoek")
    assert d.casus.fase == "beoordeling" and d.casus.cyclus == 2
    # T-1: 5 May, Hemelvaart 6 May and the decree day 7 May 2027 are not counted.
    assert d.termijn("veiligheidsbeoordeling") == ("open", "2027-05-14T00:00:00+02:00")
    assert d.houders()[-1][0] == TEAM
    d.doe("2027-05-06T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    assert d.houders()[-1] == ("veilig-thuis", "IJM-3.1c")


def test_IJM_3_3_6_veilig_thuis_takes_it_on_the_sixth_working_day_of_the_new_cycle(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-05-03T10:00:00+02:00", "opnieuw-melden", TEAM, inhoud="nieuwe zorgen")
    d.tik("2027-05-14T00:00:00+02:00")
    assert d.houders()[-1] == ("veilig-thuis", "IJM-3.1d")


def test_IJM_3_7_a_new_melding_during_a_trajectory_starts_a_beoordeling_in_the_same_casus(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-06-01T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", melder_soort="burger", gi_betrokken=False, inhoud="buren")
    assert d.casus.fase == "beoordeling" and d.casus.aanleiding == "nieuwe-melding"
    assert d.houders()[-1][0] == TEAM


def test_IJM_3_7_veilig_thuis_contacts_the_household_first_then_the_team(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-06-01T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", inhoud="buren")
    with pytest.raises(Weigering, match="household first"):
        d.doe("2027-06-02T10:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="hulpverlener")
    d.doe("2027-06-02T10:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gezin")
    d.doe("2027-06-02T11:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="hulpverlener")
    assert d.casus.contacten == ("gezin", "hulpverlener")


def test_IJM_3_7_when_a_gi_is_involved_veilig_thuis_contacts_the_gi_first(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-06-01T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", gi_betrokken=True, inhoud="school")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-06-02T10:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gezin")
    assert (fout.value.regel, fout.value.veld) == ("IJM-3.7", "met")
    d.doe("2027-06-02T10:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gi")
    d.doe("2027-06-02T11:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gezin")


def test_IJM_3_5_GM_5_3a_support_by_veilig_thuis_moves_no_responsibility(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    nieuw = d.doe("2027-06-01T10:00:00+02:00", "ondersteuning-vt", "veilig-thuis", vorm="casusoverleg")
    assert nieuw[-1].regel == "IJM-3.5" and d.houders()[-1][0] == TEAM


def test_IJM_3_6_coercion_by_veilig_thuis_while_involved_and_by_the_team_after_the_overdracht(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-03-26T10:00:00+01:00", "dwangmaatregel", "veilig-thuis", soort="vtb")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-03-26T11:00:00+01:00", "dwangmaatregel", TEAM, soort="aangifte")
    assert fout.value.regel == "IJM-3.6" and "veilig-thuis" in fout.value.melding
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    d.doe("2027-04-02T10:00:00+02:00", "contact-gelegd", TEAM)  # IJM-3.6b: on its own contacts (rev. 2026-11-30)
    d.doe("2027-04-02T11:00:00+02:00", "dwangmaatregel", TEAM, soort="aangifte")
    with pytest.raises(Weigering, match=TEAM):
        d.doe("2027-04-02T12:00:00+02:00", "dwangmaatregel", "veilig-thuis", soort="vto")


def test_GM_5_3b_after_a_vtb_the_team_keeps_casusregie(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    nieuw = gm.doe("2028-02-12T10:00:00+01:00", "dwangmaatregel", "veilig-thuis", soort="vtb", gezamenlijk=True)
    assert isinstance(nieuw[-1], g.Geregistreerd) and nieuw[-1].regel == "GM-5.3b"
    assert gm.casus.casusregie == "lokaal-team:ede"


def test_GM_7_3_casusregie_lies_with_veilig_thuis_then_with_the_team_and_ends_at_closing(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    assert gm.casus.casusregie == "veilig-thuis"
    gm.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    assert gm.casus.casusregie == "lokaal-team:ede"
    gm.doe("2028-07-11T10:00:00+02:00", "stabiele-veiligheid", "lokaal-team:ede", risicofactoren_aangepakt=True, herstel_gestart=True)
    gm.doe("2028-07-12T10:00:00+02:00", "afsluiten", "lokaal-team:ede", reden="veiligheid stabiel")
    assert gm.casus.casusregie is None and gm.casus.fase == "afgesloten"


def test_GM_3b_GM_5_1_2_after_an_acute_situation_contact_the_same_day_and_hand_over_by_telephone(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede", acuut=True)
    gm.doe("2028-01-11T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    termijn = gm.casus.termijn("contact-gezin")
    assert termijn is not None and (termijn.regel, gm.termijn("contact-gezin")[1]) == ("GM-3b", "2028-01-12T00:00:00+01:00")
    assert ("telefonische-overdracht", "GM-5.1.2") in [(b.soort, b.regel) for b in gm.casus.berichten]


def test_GM_3a_GM_3g_T_3b_the_14_days_run_from_the_besluit_in_gelderland_midden(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    assert gm.termijn("contact-gezin") == ("open", "2028-01-27T00:00:00+01:00")
    assert gm.casus.termijn("contact-gezin").regel == "GM-3a"  # type: ignore[union-attr]


def test_IJM_3_3_2b_veilig_thuis_closes_its_dossier_after_a_direct_overdracht(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    assert any(isinstance(e, g.Geregistreerd) and e.regel == "IJM-3.3.2b" for e in d.gebeurtenissen)


def test_IJM_3_3_2_GM_5_1_4_the_household_is_told_what_happens_and_who_takes_over(ijmond: Regelset, gelderland: Regelset) -> None:
    brief = next(b for b in bij_team(ijmond).casus.berichten if b.soort == "brief-gezin")
    assert {"melding", "dossier", "besluit", "overnemende-partner", "doorgegeven-informatie", "vervolgstappen", "verrijking"} == set(
        brief.inhoud
    )
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    assert ("brief-gezin", "GM-5.1.4") in [(b.soort, b.regel) for b in gm.casus.berichten]
