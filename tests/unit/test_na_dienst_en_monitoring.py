"""Overdracht after a dienst and monitoring (IJM-3.4; GM-5.2)."""

from __future__ import annotations

import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from domain.weigering import Weigering

IJM_ONTVANGEN = "2027-03-25T10:00:00+01:00"
GM_ONTVANGEN = "2028-01-10T09:00:00+01:00"


def ijm_dienst(ijmond: Regelset, besluit: str = "voorwaarden-en-vervolg", anoniem: bool = False) -> Draaiboek:
    d = Draaiboek(ijmond, IJM_ONTVANGEN, "velsen", anoniem=anoniem)
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit=besluit)
    d.doe(
        "2027-05-31T10:00:00+02:00",
        "dienst-afronden",
        "veilig-thuis",
        team="socius-md",
        conclusie="vastgesteld",
        voorwaarden=["geen geweld"],
    )
    return d


def ijm_overgedragen(ijmond: Regelset) -> Draaiboek:
    d = ijm_dienst(ijmond)
    d.doe("2027-05-31T11:00:00+02:00", "warme-overdracht", "veilig-thuis")  # IJM-3.4.2: required (rev. 2026-11-30)
    d.doe("2027-06-01T10:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    return d


def gm_dienst(gelderland: Regelset, besluit: str = "voorwaarden-en-vervolg") -> Draaiboek:
    d = Draaiboek(gelderland, GM_ONTVANGEN, "wageningen")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit=besluit)
    d.doe("2028-03-01T10:00:00+01:00", "dienst-afronden", "veilig-thuis", team="wageningen", conclusie="geen-oordeel")
    return d


def test_IJM_3_4_1_after_a_dienst_the_team_holds_it_once_informed_and_accepted(ijmond: Regelset) -> None:
    d = ijm_dienst(ijmond)
    assert d.casus.fase == "overdracht-aangeboden" and d.houders()[-1][0] == "veilig-thuis"
    d.doe("2027-05-31T11:00:00+02:00", "warme-overdracht", "veilig-thuis")
    d.doe("2027-06-01T10:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    assert d.houders()[-1] == ("lokaal-team:socius-md", "IJM-3.4.1")


def test_GM_5_2_1_after_a_dienst_the_team_holds_it_once_the_information_is_handed_over(gelderland: Regelset) -> None:
    d = gm_dienst(gelderland)
    assert d.houders() == [("veilig-thuis", "GM-2"), ("lokaal-team:wageningen", "GM-5.2.1")]


def test_GM_4b_veilig_thuis_tells_the_team_when_it_keeps_the_casus_for_a_dienst(gelderland: Regelset) -> None:
    d = gm_dienst(gelderland)
    assert ("dienst-ingezet", "lokaal-team:wageningen", "GM-4b") in [(b.soort, b.aan, b.regel) for b in d.casus.berichten]


def test_GM_4b_and_when_it_places_the_follow_up_with_an_instelling_or_mda(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="instelling", instelling="ggz")
    assert [(b.soort, b.regel) for b in d.casus.berichten] == [("besluit-gemeld", "GM-4b")]


def test_IJM_3_4_4_the_information_after_a_dienst(ijmond: Regelset) -> None:
    formulier = next(b for b in ijm_dienst(ijmond).casus.berichten if b.soort == "overdrachtsformulier")
    assert formulier.regel == "IJM-3.4.4"
    assert formulier.inhoud == (
        "inhoud-melding", "contactgegevens-melder", "conclusie-dienst", "veiligheidsvoorwaarden", "consequenties",
        "afspraken-plan", "afspraken-monitoring",
    )  # fmt: skip


def test_IJM_3_4_4_no_melder_contact_data_when_the_melder_stays_anonymous(ijmond: Regelset) -> None:
    formulier = next(b for b in ijm_dienst(ijmond, anoniem=True).casus.berichten if b.soort == "overdrachtsformulier")
    assert "contactgegevens-melder" not in formulier.inhoud


@pytest.mark.parametrize(("besluit", "met_conclusie"), [("voorwaarden-en-vervolg", False), ("onderzoek", True)])
def test_GM_5_2_4_the_conclusion_of_the_dienst_only_after_an_onderzoek(gelderland: Regelset, besluit: str, met_conclusie: bool) -> None:
    formulier = next(b for b in gm_dienst(gelderland, besluit).casus.berichten if b.soort == "overdrachtsformulier")
    assert ("conclusie-dienst" in formulier.inhoud) is met_conclusie
    assert formulier.regel == "GM-5.2.4"


def test_GM_5_2_5_GM_5_2_6_the_household_hears_the_conclusions_after_an_onderzoek_and_the_melder_gets_feedback(
    gelderland: Regelset,
) -> None:
    soorten = [(b.soort, b.regel) for b in gm_dienst(gelderland, "onderzoek").casus.berichten]
    assert ("brief-gezin", "GM-5.2.5") in soorten and ("terugkoppeling-melder", "GM-5.2.6") in soorten
    # Rev. 2026-11-30: after voorwaarden-en-vervolg the household hears GM-5.1.4's letter, without conclusions.
    zonder_onderzoek = [(b.soort, b.regel) for b in gm_dienst(gelderland, "voorwaarden-en-vervolg").casus.berichten]
    assert ("brief-gezin", "GM-5.1.4") in zonder_onderzoek and ("terugkoppeling-melder", "GM-5.2.6") in zonder_onderzoek


@pytest.mark.parametrize("policy", ["ijmond", "gelderland"])
def test_IJM_3_4_2_GM_5_2_2_a_warme_overdracht_is_recorded_and_moves_nothing(policy: str, request: pytest.FixtureRequest) -> None:
    regelset: Regelset = request.getfixturevalue(policy)
    d = ijm_dienst(regelset) if policy == "ijmond" else gm_dienst(regelset)
    voor = d.houders()
    nieuw = d.doe(
        "2028-03-02T10:00:00+01:00" if policy == "gelderland" else "2027-05-31T11:00:00+02:00", "warme-overdracht", "veilig-thuis"
    )
    assert nieuw[-1].regel == ("IJM-3.4.2" if policy == "ijmond" else "GM-5.2.2")
    assert d.houders() == voor


def test_IJM_3_4_3_GM_5_2_3_the_team_contacts_the_household_within_14_days_after_the_dienst(ijmond: Regelset, gelderland: Regelset) -> None:
    assert ijm_overgedragen(ijmond).termijn("contact-gezin") == ("open", "2027-06-16T00:00:00+02:00")
    assert gm_dienst(gelderland).termijn("contact-gezin") == ("open", "2028-03-16T00:00:00+01:00")


def test_IJM_3_4_5a_monitoring_at_3_and_12_months_after_the_overdracht(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    assert d.termijn("monitoring-3m") == ("open", "2027-09-02T00:00:00+02:00")
    assert d.termijn("monitoring-12m") == ("open", "2028-06-02T00:00:00+02:00")
    assert d.casus.termijn("monitoring-3m").regel == "IJM-3.4.5a"  # type: ignore[union-attr]


def test_IJM_3_4_5b_IJM_3_4_5c_ijmond_holds_both_moments_and_the_team_keeps_the_responsibility(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    d.doe("2027-08-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
          voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    assert d.termijn("monitoring-3m")[0] == "voldaan"
    assert d.termijn("monitoring-12m")[0] == "open"
    assert d.casus.monitoring
    assert d.houders()[-1][0] == "lokaal-team:socius-md"
    d.doe("2028-05-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
          voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    assert not d.casus.monitoring


def test_GM_5_2_7b_four_positive_answers_end_monitoring_and_the_later_moments_lapse(gelderland: Regelset) -> None:
    d = gm_dienst(gelderland)
    d.doe("2028-05-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
          voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    assert d.termijn("monitoring-12m")[0] == "vervallen"
    assert not d.casus.monitoring


def test_GM_5_2_7_a_negative_answer_keeps_monitoring(gelderland: Regelset) -> None:
    d = gm_dienst(gelderland)
    d.doe("2028-05-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
          voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=False, herstel_aandacht=True)  # fmt: skip
    assert d.termijn("monitoring-3m")[0] == "voldaan" and d.termijn("monitoring-12m")[0] == "open"


def test_IJM_3_4_5a_a_negative_last_oordeel_awaits_a_further_moment(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    for op in ("2027-08-30T10:00:00+02:00", "2028-05-30T10:00:00+02:00"):
        d.doe(op, "monitoring-oordeel", "veilig-thuis",
              voorwaarden_voldaan=False, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    assert d.casus.monitoring_besluit_nodig
    with pytest.raises(Weigering, match="monitoring-verlengen"):
        d.doe("2028-05-31T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
              voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    d.doe("2028-05-31T10:00:00+02:00", "monitoring-verlengen", "veilig-thuis", tot="2028-11-30")
    assert d.termijn("monitoring-vervolg") == ("open", "2028-12-01T00:00:00+01:00")
    assert not d.casus.monitoring_besluit_nodig


def test_IJM_3_3_5_GM_5_2_7c_no_monitoring_after_a_direct_overdracht(ijmond: Regelset, gelderland: Regelset) -> None:
    d = Draaiboek(ijmond, IJM_ONTVANGEN, "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    with pytest.raises(Weigering) as ijm:
        d.doe("2027-07-01T11:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
              voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    g = Draaiboek(gelderland, GM_ONTVANGEN, "ede")
    g.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    with pytest.raises(Weigering) as gm:
        g.doe("2028-04-12T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
              voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    assert (ijm.value.regel, gm.value.regel) == ("IJM-3.3.5", "GM-5.2.7c")


def test_IJM_3_4_5d_IJM_4_3b_ending_support_during_monitoring_needs_veilig_thuis(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    d.doe("2027-06-05T10:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    d.doe("2027-12-01T10:00:00+01:00", "stabiele-veiligheid", "lokaal-team:socius-md", risicofactoren_aangepakt=True, herstel_gestart=True)
    with pytest.raises(Weigering) as fout:
        d.doe("2027-12-02T10:00:00+01:00", "afsluiten", "lokaal-team:socius-md", reden="doelen bereikt")
    assert fout.value.regel == "IJM-3.4.5d" and fout.value.veld == "afgestemd-met-vt"


def test_IJM_4_3a_closing_during_monitoring_hands_the_responsibility_to_the_household(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    d.doe("2027-06-05T10:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    d.doe("2027-08-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
          voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    d.doe("2027-12-01T10:00:00+01:00", "stabiele-veiligheid", "lokaal-team:socius-md", risicofactoren_aangepakt=True, herstel_gestart=True)
    d.doe("2027-12-02T10:00:00+01:00", "afsluiten", "lokaal-team:socius-md", reden="doelen bereikt", afgestemd_met_vt=True)
    assert d.houders()[-1] == ("clientsysteem", "IJM-4.3a")
    assert d.casus.fase != "afgesloten"
    d.doe("2028-05-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis",
          voorwaarden_voldaan=True, directe_veiligheid=True, stabiele_veiligheid=True, herstel_aandacht=True)  # fmt: skip
    assert d.casus.fase == "afgesloten"
    assert d.casus.verantwoordelijkheid[-1].tot is not None
