"""Revision of 2026-11-30: every melder's anonymity (IJM-3.2, IJM-3.3), the data of a direct
overdracht only at the overdrachtstafel (IJM-3.3.1d), what the household hears (IJM-3.3.2,
GM-5.1.4) and the messages of casusregie (GM-7.3b, GM-7.3c)."""

from __future__ import annotations

import pytest

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from domain.uitkomst import uitkomst
from domain.weigering import Weigering

TEAM = "lokaal-team:socius-md"
JA = {"voorwaarden_voldaan": True, "directe_veiligheid": True, "stabiele_veiligheid": True, "herstel_aandacht": True}


def bij_team(ijmond: Regelset) -> Draaiboek:
    """An IJmond casus with Socius MD after a direct overdracht, contact made."""
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    d.doe("2027-04-06T11:00:00+02:00", "contact-gelegd", TEAM)
    return d


def anoniem_opnieuw_gemeld(ijmond: Regelset) -> Draaiboek:
    d = bij_team(ijmond)
    d.doe("2027-05-03T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", melder_soort="burger", melder_anoniem=True, inhoud="buren")
    return d


def test_IJM_3_2_IJM_3_3_an_anonymous_second_melder_rules_out_a_direct_overdracht(ijmond: Regelset) -> None:
    d = anoniem_opnieuw_gemeld(ijmond)
    assert d.casus.melder_anoniem and not d.casus.melder.anoniem
    with pytest.raises(Weigering) as fout:
        d.doe("2027-05-04T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    assert fout.value.regel == "IJM-3.3" and "melder-anoniem" in fout.value.melding
    d.doe("2027-05-04T11:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    assert d.casus.fase == "dienst"


def test_IJM_3_3_no_form_carries_the_contact_data_of_an_anonymous_second_melder(ijmond: Regelset) -> None:
    d = anoniem_opnieuw_gemeld(ijmond)
    d.doe("2027-05-04T11:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2027-06-01T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    formulieren = [b for b in d.casus.berichten if b.soort == "overdrachtsformulier"]
    assert "contactgegevens-melder" in formulieren[0].inhoud  # the first cycle's melder was known
    assert "contactgegevens-melder" not in formulieren[-1].inhoud


def test_IJM_3_2_a_renewed_concern_by_the_team_is_not_anonymous(ijmond: Regelset) -> None:
    d = anoniem_opnieuw_gemeld(ijmond)
    d.doe("2027-05-04T11:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2027-06-01T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    d.doe("2027-06-01T11:00:00+02:00", "warme-overdracht", "veilig-thuis")
    d.doe("2027-06-02T10:00:00+02:00", "overdracht-accepteren", TEAM)
    d.doe("2027-07-01T10:00:00+02:00", "opnieuw-melden", TEAM, inhoud="nieuwe zorgen")
    assert not d.casus.melder_anoniem  # the cycle being decided has the team as its melder


def test_IJM_3_3_1d_a_team_that_declines_has_received_no_data_of_the_household(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    nieuw = d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    assert [b.soort for b in d.casus.berichten] == []
    assert any(isinstance(e, g.Geregistreerd) and e.regel == "IJM-3.3.1d" for e in nieuw)
    d.doe("2027-04-01T10:00:00+02:00", "overdracht-weigeren", TEAM, reden="geen capaciteit")
    d.doe("2027-04-01T12:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="cjg-kennemerland")
    d.doe("2027-04-02T09:00:00+02:00", "overdracht-accepteren", "lokaal-team:cjg-kennemerland")
    formulieren = [(b.aan, b.op.isoformat()) for b in d.casus.berichten if b.soort == "overdrachtsformulier"]
    assert formulieren == [("lokaal-team:cjg-kennemerland", "2027-04-02T09:00:00+02:00")]


def test_IJM_3_3_1d_GM_5_1_5_gelderland_midden_hands_the_data_over_at_the_besluit(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    formulier = next(b for b in d.casus.berichten if b.soort == "overdrachtsformulier")
    assert (formulier.aan, formulier.regel, formulier.op.isoformat()) == ("lokaal-team:ede", "GM-5.1.3", "2028-01-12T10:00:00+01:00")


def test_IJM_3_3_2_the_household_also_hears_what_verrijking_brought(ijmond: Regelset) -> None:
    brief = next(b for b in bij_team(ijmond).casus.berichten if b.soort == "brief-gezin")
    assert brief.inhoud[-1] == "verrijking" and brief.regel == "IJM-3.3.1c"


def gm_na_dienst(gelderland: Regelset, besluit: str) -> Draaiboek:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "wageningen")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit=besluit)
    d.doe("2028-03-01T10:00:00+01:00", "dienst-afronden", "veilig-thuis", team="wageningen", conclusie="vastgesteld")
    return d


def test_GM_5_1_4_the_household_hears_that_veilig_thuis_ends_its_involvement_after_a_direct_overdracht(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    brief = next(b for b in d.casus.berichten if b.soort == "brief-gezin")
    assert (brief.regel, brief.inhoud) == ("GM-5.1.4", ("afsluiten-bemoeienis", "geinformeerden", "nieuwe-contactpersonen"))


def test_GM_5_1_4_after_voorwaarden_en_vervolg_the_letter_names_the_conditions_and_the_monitoring(gelderland: Regelset) -> None:
    brief = next(b for b in gm_na_dienst(gelderland, "voorwaarden-en-vervolg").casus.berichten if b.soort == "brief-gezin")
    assert brief.regel == "GM-5.1.4"
    assert brief.inhoud == ("veiligheidsvoorwaarden", "geinformeerden", "nieuwe-contactpersonen", "afspraken-monitoring")


def test_GM_5_1_4_GM_5_2_5_after_an_onderzoek_the_letter_adds_the_conclusions(gelderland: Regelset) -> None:
    brief = next(b for b in gm_na_dienst(gelderland, "onderzoek").casus.berichten if b.soort == "brief-gezin")
    assert brief.regel == "GM-5.2.5" and brief.inhoud[-1] == "conclusies-besluiten"
    assert "afsluiten-bemoeienis" not in brief.inhoud  # monitoring follows


def test_GM_7_3b_veilig_thuis_holding_casusregie_owes_the_team_contact_until_it_is_recorded(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    assert [(b.soort, b.aan, b.regel) for b in d.casus.berichten_open] == [("contact-lokaal-team", "lokaal-team:ede", "GM-7.3b")]
    assert uitkomst(d.casus)["berichten_open"][0]["sinds"] == "2028-01-10T09:00:00+01:00"
    with pytest.raises(Weigering) as fout:
        d.doe("2028-01-10T11:00:00+01:00", "lokaal-team-geinformeerd", "lokaal-team:ede")
    assert fout.value.regel == "GM-7.3b"
    d.doe("2028-01-10T12:00:00+01:00", "lokaal-team-geinformeerd", "veilig-thuis")
    assert d.casus.berichten_open == ()
    assert [(b.soort, b.aan, b.regel) for b in d.casus.berichten] == [("contact-lokaal-team", "lokaal-team:ede", "GM-7.3b")]


def test_GM_7_3b_is_no_arrangement_of_ijmond(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen", acuut=True)
    assert d.casus.berichten_open == ()


def test_GM_7_3c_the_team_that_closes_during_monitoring_informs_veilig_thuis(gelderland: Regelset) -> None:
    d = gm_na_dienst(gelderland, "voorwaarden-en-vervolg")
    d.doe("2028-07-11T10:00:00+02:00", "stabiele-veiligheid", "lokaal-team:wageningen", risicofactoren_aangepakt=True, herstel_gestart=True)
    d.doe("2028-07-12T10:00:00+02:00", "afsluiten", "lokaal-team:wageningen", reden="veiligheid stabiel", afgestemd_met_vt=True)
    gemeld = [(b.soort, b.aan, b.regel) for b in d.casus.berichten if b.soort == "afsluiting-gemeld"]
    assert gemeld == [("afsluiting-gemeld", "veilig-thuis", "GM-7.3c")]
    assert d.houders()[-1][0] == "clientsysteem" and d.casus.monitoring


def test_GM_5_2_7_the_richtduur_is_reported_with_the_monitoring_period(gelderland: Regelset, ijmond: Regelset) -> None:
    d = gm_na_dienst(gelderland, "voorwaarden-en-vervolg")
    d.doe("2028-05-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    periode = uitkomst(d.casus)["monitoring_periode"]
    assert periode == {"van": "2028-03-01T10:00:00+01:00", "tot": "2028-05-30T10:00:00+02:00", "dagen": 89, "richtduur_maanden": 18}
    assert uitkomst(bij_team(ijmond).casus)["monitoring_periode"] is None


def test_GM_5_1_4_IJM_3_3_2_a_policy_written_before_the_revision_keeps_the_letters_it_had(gelderland: Regelset, ijmond: Regelset) -> None:
    def zonder_brief(r: Regelset) -> Regelset:
        return r.model_copy(update={"beleid": r.beleid.model_copy(update={"brief_einde_bemoeienis": None})})

    brief = next(b for b in bij_team(zonder_brief(ijmond)).casus.berichten if b.soort == "brief-gezin")
    assert "verrijking" not in brief.inhoud and len(brief.inhoud) == 6
    oud = zonder_brief(gelderland)
    assert "brief-gezin" not in [b.soort for b in gm_na_dienst(oud, "voorwaarden-en-vervolg").casus.berichten]
    na_onderzoek = next(b for b in gm_na_dienst(oud, "onderzoek").casus.berichten if b.soort == "brief-gezin")
    assert (na_onderzoek.regel, na_onderzoek.inhoud) == ("GM-5.2.5", ("conclusies", "besluiten"))
