"""Direct overdracht, contact with the household and closing (IJM-3.3, IJM-3.1e, IJM-4.3a; GM-5.1, GM-3a)."""

from __future__ import annotations

import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from domain.weigering import Weigering

ONTVANGEN = "2027-03-25T10:00:00+01:00"
BESLUIT = "2027-03-31T15:00:00+02:00"
ACCEPTATIE = "2027-04-01T11:00:00+02:00"


def aangeboden(ijmond: Regelset, team: str = "socius-md", anoniem: bool = False) -> Draaiboek:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen", anoniem=anoniem)
    if not anoniem:
        d.doe(BESLUIT, "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team=team)
    return d


def test_IJM_3_3_1b_responsibility_passes_to_the_team_at_its_acceptance(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    assert d.casus.fase == "overdracht-aangeboden"
    assert d.houders()[-1] == ("veilig-thuis", "IJM-3.1c")
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1c"), ("lokaal-team:socius-md", "IJM-3.3.1b")]
    assert d.casus.fase == "overgedragen"


def test_IJM_3_3_1b_only_the_team_the_casus_was_offered_to_may_accept(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    with pytest.raises(Weigering) as fout:
        d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:cjg-kennemerland")
    assert fout.value.regel == "IJM-3.3.1b"
    assert "lokaal-team:socius-md" in fout.value.melding


def test_IJM_3_3_1b_a_team_that_declines_leaves_the_casus_with_veilig_thuis_to_offer_again(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-weigeren", "lokaal-team:socius-md", reden="geen capaciteit")
    assert d.casus.fase == "beoordeling"
    assert d.houders()[-1][0] == "veilig-thuis"
    d.doe(ACCEPTATIE, "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="cjg-kennemerland")
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:cjg-kennemerland")
    assert d.houders()[-1] == ("lokaal-team:cjg-kennemerland", "IJM-3.3.1b")


def test_IJM_3_3_1b_a_team_that_does_not_serve_the_gemeente_cannot_be_offered_the_casus(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    with pytest.raises(Weigering) as fout:
        d.doe(BESLUIT, "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="met-heemskerk")
    assert fout.value.veld == "team" and "socius-md" in fout.value.melding
    with pytest.raises(Weigering):
        d.doe(BESLUIT, "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="sociaal-wijkteam-velsen")


def test_IJM_3_3_3_the_overdrachtsformulier_carries_the_four_information_items(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")  # IJM-3.3.1d: the form goes at acceptance
    formulier = next(b for b in d.casus.berichten if b.soort == "overdrachtsformulier")
    assert (formulier.soort, formulier.aan, formulier.regel) == ("overdrachtsformulier", "lokaal-team:socius-md", "IJM-3.3.3")
    assert formulier.inhoud == ("inhoud-melding", "contactgegevens-melder", "uitkomst-veiligheidsbeoordeling", "informatie-beoordeling")


def test_IJM_3_3_1c_letters_go_to_household_and_melder_after_the_decision(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    soorten = [(b.soort, b.regel) for b in d.casus.berichten]
    assert ("brief-gezin", "IJM-3.3.1c") in soorten and ("terugkoppeling-melder", "IJM-3.3.1c") in soorten


def test_IJM_3_3_2c_the_team_contacts_the_household_within_14_days_of_receiving_the_data(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    assert d.termijn("contact-gezin") == ("open", "2027-04-16T00:00:00+02:00")
    d.doe("2027-04-10T09:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    assert d.termijn("contact-gezin")[0] == "voldaan"


def test_IJM_3_3_2c_contact_after_the_term_is_recorded_as_late(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    d.tik("2027-04-16T00:00:00+02:00")
    assert d.termijn("contact-gezin")[0] == "verstreken"
    d.doe("2027-04-20T09:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    assert d.termijn("contact-gezin")[0] == "te-laat"


def test_IJM_3_3_2c_only_the_holding_team_registers_contact(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    with pytest.raises(Weigering, match="lokaal-team:socius-md"):
        d.doe("2027-04-10T09:00:00+02:00", "contact-gelegd", "veilig-thuis")


def test_GM_5_1_5_responsibility_passes_at_the_besluit_and_acceptance_moves_nothing(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    assert d.houders() == [("veilig-thuis", "GM-2"), ("lokaal-team:ede", "GM-5.1.5")]
    assert d.termijn("contact-gezin") == ("open", "2028-01-27T00:00:00+01:00")
    voor = d.houders()
    d.doe("2028-01-13T10:00:00+01:00", "overdracht-accepteren", "lokaal-team:ede")
    assert d.houders() == voor


def test_GM_5_1_3_no_melder_contact_data_on_the_form_when_the_melder_is_anonymous(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede", anoniem=True)
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    formulier = next(b for b in d.casus.berichten if b.soort == "overdrachtsformulier")
    assert "contactgegevens-melder" not in formulier.inhoud
    terugkoppeling = next(b for b in d.casus.berichten if b.soort == "terugkoppeling-melder")
    assert terugkoppeling.bezorgd is False


def test_IJM_3_1e_veilig_thuis_cannot_end_its_responsibility_by_closing(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    with pytest.raises(Weigering) as fout:
        d.doe(ACCEPTATIE, "afsluiten", "veilig-thuis", reden="klaar")
    assert fout.value.regel == "IJM-3.1e"


def test_IJM_4_3a_the_holding_team_closes_and_the_last_interval_ends_there(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    d.doe("2027-04-10T09:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    d.doe("2027-09-27T10:00:00+02:00", "stabiele-veiligheid", "lokaal-team:socius-md", risicofactoren_aangepakt=True, herstel_gestart=True)
    d.doe("2027-09-28T10:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="veiligheid stabiel")
    assert d.casus.fase == "afgesloten"
    assert d.casus.verantwoordelijkheid[-1].tot is not None
    with pytest.raises(Weigering, match="closed"):
        d.doe("2027-09-29T10:00:00+02:00", "incident", "lokaal-team:socius-md", omschrijving="ruzie")


def test_IJM_4_3a_the_team_closes_only_when_safety_is_stable(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    d.doe("2027-04-10T09:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-04-11T10:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="klaar")
    assert fout.value.regel == "IJM-4.1"


def test_IJM_3_3_6_without_contact_or_concerns_the_team_may_end_its_involvement(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    d.doe("2027-04-05T10:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="geen-contact-geen-zorgen")
    assert d.casus.fase == "afgesloten"
    assert d.termijn("contact-gezin")[0] == "vervallen"


def test_IJM_3_3_6_not_when_there_was_contact(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    d.doe("2027-04-02T10:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-04-05T10:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="geen-contact-geen-zorgen")
    assert fout.value.regel == "IJM-3.3.6"


def test_T_5_contact_cannot_take_effect_before_the_team_received_the_casus(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    with pytest.raises(Weigering) as fout:
        d.doe("2027-04-10T09:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md", op="2027-03-31T16:00:00+02:00")
    assert fout.value.regel == "T-5"


def test_a_refused_step_records_nothing(ijmond: Regelset) -> None:
    d = aangeboden(ijmond)
    voor = (d.casus, len(d.gebeurtenissen))
    with pytest.raises(Weigering):
        d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:cjg-kennemerland")
    assert (d.casus, len(d.gebeurtenissen)) == voor
