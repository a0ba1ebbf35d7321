"""Revision of 2026-11-30: who may act. Coercion (IJM-3.6a/b/c, GM-5.3b), GM's renewed melding
(GM-5.3c), the declining team's escalation (IJM-3.8a), closing without contact only after a direct
overdracht (IJM-3.3.6), the GI's say (IJM-3.7b), the required warme overdracht (IJM-3.4.2)."""

from __future__ import annotations

import pytest

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.gebeurtenissen import Gebeurtenis
from domain.stap import Regelset
from domain.weigering import Weigering

TEAM = "lokaal-team:socius-md"
GM_TEAM = "lokaal-team:ede"


def aangeboden(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    return d


def bij_team(ijmond: Regelset) -> Draaiboek:
    d = aangeboden(ijmond)
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    return d


def gm_bij_team(gelderland: Regelset) -> Draaiboek:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    return d


def dwang(nieuw: list[Gebeurtenis]) -> g.Geregistreerd:
    e = nieuw[-1]
    assert isinstance(e, g.Geregistreerd) and e.actie == "dwangmaatregel"
    return e


def test_IJM_3_6a_veilig_thuis_initiates_while_actively_involved_and_not_after_the_overdracht(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    e = dwang(d.doe("2027-03-26T10:00:00+01:00", "dwangmaatregel", "veilig-thuis", soort="vtb"))
    assert (e.regel, e.velden["initiatiefnemers"]) == ("IJM-3.6a", "veilig-thuis")
    with pytest.raises(Weigering, match="veilig-thuis"):
        d.doe("2027-03-26T11:00:00+01:00", "dwangmaatregel", TEAM, soort="aangifte")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    with pytest.raises(Weigering) as fout:
        d.doe("2027-04-02T12:00:00+02:00", "dwangmaatregel", "veilig-thuis", soort="vto")
    assert fout.value.regel == "IJM-3.6" and fout.value.veld == "als" and TEAM in fout.value.melding


def test_IJM_3_6b_the_team_initiates_only_on_its_own_contacts_with_the_household(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    with pytest.raises(Weigering) as fout:
        d.doe("2027-04-02T11:00:00+02:00", "dwangmaatregel", TEAM, soort="vtb")
    assert fout.value.regel == "IJM-3.6b" and "contact-gelegd" in fout.value.melding
    d.doe("2027-04-03T11:00:00+02:00", "contact-gelegd", TEAM)
    e = dwang(d.doe("2027-04-04T11:00:00+02:00", "dwangmaatregel", TEAM, soort="vtb"))
    assert (e.regel, e.velden["initiatiefnemers"], e.velden["gezamenlijk"]) == ("IJM-3.6b", TEAM, False)


def test_IJM_3_6c_veilig_thuis_and_the_team_go_jointly_after_the_besluit_both_recorded(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-03-26T10:00:00+01:00", "dwangmaatregel", "veilig-thuis", soort="vtb", gezamenlijk=True)
    assert fout.value.regel == "IJM-3.6c" and fout.value.veld == "gezamenlijk"
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    e = dwang(d.doe("2027-03-31T16:00:00+02:00", "dwangmaatregel", "veilig-thuis", soort="vtb", gezamenlijk=True))
    assert (e.regel, e.velden["initiatiefnemers"]) == ("IJM-3.6c", f"veilig-thuis,{TEAM}")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    # Jointly, the team needs no contact of its own first: Veilig Thuis brings its information.
    e = dwang(d.doe("2027-04-02T11:00:00+02:00", "dwangmaatregel", TEAM, soort="aangifte", gezamenlijk=True))
    assert (e.regel, e.velden["gezamenlijk"]) == ("IJM-3.6c", True)
    with pytest.raises(Weigering, match="may be done by"):
        d.doe("2027-04-02T12:00:00+02:00", "dwangmaatregel", "lokaal-team:cjg-kennemerland", soort="vtb", gezamenlijk=True)


def test_GM_5_3b_a_vtb_after_the_overdracht_is_joint_and_filed_by_veilig_thuis(gelderland: Regelset) -> None:
    d = gm_bij_team(gelderland)
    with pytest.raises(Weigering) as alleen_team:
        d.doe("2028-02-12T10:00:00+01:00", "dwangmaatregel", GM_TEAM, soort="vtb")
    with pytest.raises(Weigering) as alleen_vt:
        d.doe("2028-02-12T10:00:00+01:00", "dwangmaatregel", "veilig-thuis", soort="vtb")
    with pytest.raises(Weigering) as team_gezamenlijk:
        d.doe("2028-02-12T10:00:00+01:00", "dwangmaatregel", GM_TEAM, soort="vtb", gezamenlijk=True)
    assert {alleen_team.value.regel, alleen_vt.value.regel, team_gezamenlijk.value.regel} == {"GM-5.3b"}
    assert alleen_vt.value.veld == "gezamenlijk"
    e = dwang(d.doe("2028-02-12T10:00:00+01:00", "dwangmaatregel", "veilig-thuis", soort="vtb", gezamenlijk=True))
    assert (e.regel, e.velden["initiatiefnemers"], e.velden["casusregie"]) == ("GM-5.3b", f"veilig-thuis,{GM_TEAM}", GM_TEAM)
    assert d.casus.casusregie == GM_TEAM


def test_GM_5_3b_a_police_report_after_the_overdracht_is_the_teams_own(gelderland: Regelset) -> None:
    d = gm_bij_team(gelderland)
    e = dwang(d.doe("2028-02-12T10:00:00+01:00", "dwangmaatregel", GM_TEAM, soort="aangifte"))
    assert (e.regel, e.velden["initiatiefnemers"]) == ("GM-5.3b", GM_TEAM)


def test_GM_5_3c_the_team_may_report_again_and_a_new_beoordeling_starts(gelderland: Regelset) -> None:
    d = gm_bij_team(gelderland)
    nieuw = d.doe("2028-02-12T10:00:00+01:00", "opnieuw-melden", GM_TEAM, inhoud="opnieuw zorgen")
    assert [e.regel for e in nieuw if isinstance(e, g.BeoordelingGestart)] == ["GM-5.3c"]
    assert d.casus.fase == "beoordeling" and d.casus.cyclus == 2
    assert d.houders()[-1] == ("veilig-thuis", "GM-2")  # Veilig Thuis holds it from receipt (GM-2)
    assert d.termijn("veiligheidsbeoordeling") == ("open", "2028-02-19T00:00:00+01:00")
    with pytest.raises(Weigering, match="phase"):
        d.doe("2028-02-12T11:00:00+01:00", "opnieuw-melden", GM_TEAM, inhoud="nog eens")


def test_IJM_3_8a_the_team_that_declined_may_escalate_until_another_team_is_offered_the_casus(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe("2027-04-01T10:00:00+02:00", "overdracht-weigeren", TEAM, reden="geen capaciteit")
    nieuw = d.doe("2027-04-01T11:00:00+02:00", "opschalen", TEAM, reden="oneens over geschiktheid")
    assert nieuw[-1].regel == "IJM-3.8a" and nieuw[-1].actor.partij == TEAM
    d.doe("2027-04-02T10:00:00+02:00", "opschaling-besluit", TEAM, besluit="CJG neemt de casus")
    d.doe("2027-04-02T11:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="cjg-kennemerland")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-04-02T12:00:00+02:00", "opschalen", TEAM, reden="nog steeds oneens")
    assert fout.value.regel == "IJM-3.8a" and fout.value.veld == "als"


def test_IJM_3_3_6_closing_without_contact_is_for_a_direct_overdracht_only(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2027-05-31T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    d.doe("2027-05-31T11:00:00+02:00", "warme-overdracht", "veilig-thuis")
    d.doe("2027-06-01T10:00:00+02:00", "overdracht-accepteren", TEAM)
    with pytest.raises(Weigering) as fout:
        d.doe("2027-07-01T10:00:00+02:00", "afsluiten", TEAM, reden="geen-contact-geen-zorgen", afgestemd_met_vt=True)
    assert (fout.value.regel, fout.value.veld) == ("IJM-3.3.6", "reden")
    direct = bij_team(ijmond)
    direct.doe("2027-04-20T10:00:00+02:00", "afsluiten", TEAM, reden="geen-contact-geen-zorgen")
    assert direct.casus.fase == "afgesloten"


def nieuwe_melding_met_gi(ijmond: Regelset) -> Draaiboek:
    d = bij_team(ijmond)
    d.doe("2027-05-03T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", gi_betrokken=True, inhoud="school")
    return d


def test_IJM_3_7b_when_the_gi_says_not_to_contact_the_household_veilig_thuis_may_go_to_the_team(ijmond: Regelset) -> None:
    d = nieuwe_melding_met_gi(ijmond)
    nieuw = d.doe("2027-05-03T11:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gi", gezin_contacteren=False)
    assert isinstance(nieuw[-1], g.ContactVastgelegd) and (nieuw[-1].regel, nieuw[-1].gezin_contacteren) == ("IJM-3.7b", False)
    d.doe("2027-05-03T12:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="hulpverlener")
    assert d.casus.contacten == ("gi", "hulpverlener")


def test_IJM_3_7b_when_the_gi_says_yes_the_household_comes_first(ijmond: Regelset) -> None:
    d = nieuwe_melding_met_gi(ijmond)
    d.doe("2027-05-03T11:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gi", gezin_contacteren=True)
    with pytest.raises(Weigering, match="household first"):
        d.doe("2027-05-03T12:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="hulpverlener")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-05-03T12:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gezin", gezin_contacteren=True)
    assert (fout.value.regel, fout.value.veld) == ("IJM-3.7b", "gezin-contacteren")


def test_IJM_3_4_2_in_ijmond_the_team_accepts_after_a_dienst_only_after_a_warme_overdracht(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    d.doe("2027-05-31T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-06-01T10:00:00+02:00", "overdracht-accepteren", TEAM)
    assert fout.value.regel == "IJM-3.4.2" and "warme-overdracht" in fout.value.melding
    d.doe("2027-06-01T11:00:00+02:00", "warme-overdracht", TEAM)
    d.doe("2027-06-01T12:00:00+02:00", "overdracht-accepteren", TEAM)
    assert d.houders()[-1] == (TEAM, "IJM-3.4.1")


def test_IJM_3_4_2_GM_5_2_2_in_gelderland_midden_the_warme_overdracht_is_preferred_not_required(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    d.doe("2028-03-01T10:00:00+01:00", "dienst-afronden", "veilig-thuis", team="ede", conclusie="vastgesteld")
    assert d.houders()[-1] == (GM_TEAM, "GM-5.2.1")  # handed over in writing, without a meeting


def test_IJM_3_6b_the_teams_own_contact_counts_for_the_whole_casus(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-04-02T10:00:00+02:00", "contact-gelegd", TEAM)
    d.doe("2027-05-03T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", inhoud="school")
    d.doe("2027-05-03T11:00:00+02:00", "contact-vastgelegd", "veilig-thuis", met="gezin")
    d.doe("2027-05-04T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="cjg-kennemerland")
    d.doe("2027-05-05T10:00:00+02:00", "overdracht-accepteren", "lokaal-team:cjg-kennemerland")
    with pytest.raises(Weigering) as fout:  # CJG has no contact of its own yet; Socius MD's is not its
        d.doe("2027-05-06T10:00:00+02:00", "dwangmaatregel", "lokaal-team:cjg-kennemerland", soort="vto")
    assert fout.value.regel == "IJM-3.6b"
