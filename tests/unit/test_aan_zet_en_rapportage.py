"""Who must act on each deadline and its cycle (domain/aan_zet.py); how the report counts a term's
days and which figures a policy's report shows (domain/rapportage.py)."""

from __future__ import annotations

from datetime import date, datetime

from domain import gebeurtenissen as g
from domain.aan_zet import INFORMATIEF, MONITORING, VEILIG_THUIS_TERMIJNEN, aan_zet, cycli
from domain.draaiboek import Draaiboek
from domain.rapportage import AANDEEL_DIRECT, WERKDAGTERMIJNEN, dagen_tot, geldt_voor
from domain.stap import Regelset
from domain.toestand import Casus

TEAM = "lokaal-team:socius-md"


def bij_team(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", TEAM)
    return d


def soort(casus: Casus, termijn_id: str) -> str:
    return next(t.soort for t in casus.termijnen if t.id == termijn_id)


def test_IJM_3_1c_veilig_thuis_must_finish_the_beoordeling_while_the_melder_holds_the_casus(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    assert d.casus.houder == "melder"
    assert aan_zet("veiligheidsbeoordeling", d.casus) == ("veilig-thuis",)
    assert aan_zet("verantwoordelijkheid-vt", d.casus) == ("veilig-thuis",)  # IJM-3.1d


def test_IJM_3_3_2c_the_team_that_received_the_data_must_contact_the_household(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    assert aan_zet("contact-gezin", d.casus) == (TEAM,)


def test_IJM_3_7_after_a_new_melding_veilig_thuis_must_act_on_the_second_cycle_the_team_holds(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.tik("2027-04-20T00:00:00+02:00")  # contact-gezin lapsed
    d.doe("2027-05-03T10:00:00+02:00", "nieuwe-melding", "veilig-thuis", inhoud="school")
    assert d.casus.houder == TEAM and d.casus.cyclus == 2
    per_termijn = cycli(d.casus)
    beoordelingen = sorted((per_termijn[t.id], t.status) for t in d.casus.termijnen if t.soort == "veiligheidsbeoordeling")
    assert beoordelingen == [(1, "voldaan"), (2, "open")]  # the two rows told apart by their cycle
    assert per_termijn["contact-gezin-1"] == 1 and per_termijn["verantwoordelijkheid-vt-2"] == 2
    assert max(per_termijn.values()) == d.casus.cyclus
    assert aan_zet("veiligheidsbeoordeling", d.casus) == ("veilig-thuis",)
    assert aan_zet("contact-gezin", d.casus) == (TEAM,)


def test_IJM_3_1b_GM_6_informative_periods_ask_nobody_to_act(ijmond: Regelset, gelderland: Regelset) -> None:
    acuut = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen", acuut=True)
    assert acuut.casus.termijn("crisis") is not None and aan_zet("crisis", acuut.casus) == ()
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-12T18:00:00+01:00", "huisverbod-opleggen", "burgemeester")
    assert aan_zet("huisverbod-einde", gm.casus) == ()
    assert aan_zet("huisverbod-advies", gm.casus) == ("veilig-thuis",)  # GM-6c
    assert aan_zet("huisverbod-lokaal-team-informeren", gm.casus) == ("veilig-thuis",)  # GM-6b


def test_GM_6d_the_conversation_is_veilig_thuis_and_the_team_together(gelderland: Regelset) -> None:
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-11T09:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    gm.doe("2028-01-12T18:00:00+01:00", "huisverbod-opleggen", "burgemeester")
    assert aan_zet("huisverbod-gesprek", gm.casus) == ("veilig-thuis", "lokaal-team:ede")


def test_IJM_3_8b_IJM_3_4_5a_the_gemeente_answers_and_veilig_thuis_monitors(ijmond: Regelset) -> None:
    d = bij_team(ijmond)
    d.doe("2027-04-05T10:00:00+02:00", "gemeente-informeren", "veilig-thuis", reden="afspraken niet nagekomen")
    assert aan_zet("gemeente-reactie", d.casus) == ("gemeente",)
    assert aan_zet("monitoring-12m", d.casus) == aan_zet("monitoring-vervolg", d.casus) == ("veilig-thuis",)


def alle_paden(regelset: Regelset, gelderland: Regelset) -> list[g.Gebeurtenis]:
    """Casussen that set every kind of deadline there is, under both regions' rules."""
    ijm = Draaiboek(regelset, "2027-03-25T10:00:00+01:00", "velsen", acuut=True)
    ijm.doe("2027-03-26T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    ijm.doe("2027-04-26T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    ijm.doe("2027-04-26T11:00:00+02:00", "warme-overdracht", "veilig-thuis")
    ijm.doe("2027-04-27T10:00:00+02:00", "overdracht-accepteren", TEAM)
    ijm.doe("2027-05-03T10:00:00+02:00", "gemeente-informeren", "veilig-thuis", reden="afspraken niet nagekomen")
    ijm.doe("2027-05-04T10:00:00+02:00", "opnieuw-melden", TEAM, inhoud="nieuwe zorgen")
    gm = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    gm.doe("2028-01-12T18:00:00+01:00", "huisverbod-opleggen", "burgemeester")
    return ijm.gebeurtenissen + gm.gebeurtenissen


def test_T_2_the_report_counts_in_working_days_exactly_the_deadlines_the_decider_counts_so(ijmond: Regelset, gelderland: Regelset) -> None:
    """Past the calendar's horizon every working-day deadline carries how it was counted (T-6), so
    the decider itself says which kinds are in working days; every kind has a party to act."""
    verleden = date(2026, 1, 1)
    zonder_horizon = [
        r.model_copy(update={"kalender": r.kalender.model_copy(update={"bekend_tot": verleden})}) for r in (ijmond, gelderland)
    ]
    gesteld = [e for e in alle_paden(*zonder_horizon) if isinstance(e, g.TermijnGesteld)]
    assert {e.soort for e in gesteld if e.werkdagen is not None} == WERKDAGTERMIJNEN
    bekend = INFORMATIEF | VEILIG_THUIS_TERMIJNEN | {"contact-gezin", "gemeente-reactie", "huisverbod-gesprek"}
    assert {e.soort for e in gesteld if not e.soort.startswith(MONITORING)} <= bekend


def test_T_2_a_working_day_term_counts_the_working_days_after_the_day_it_began(ijmond: Regelset) -> None:
    kalender = ijmond.werkdagen
    vrijdag = datetime.fromisoformat("2027-03-19T16:00:00+01:00")
    assert dagen_tot(kalender, "veiligheidsbeoordeling", vrijdag, datetime.fromisoformat("2027-03-19T18:00:00+01:00")) == 0
    assert dagen_tot(kalender, "veiligheidsbeoordeling", vrijdag, datetime.fromisoformat("2027-03-20T10:00:00+01:00")) == 0  # Saturday
    assert dagen_tot(kalender, "veiligheidsbeoordeling", vrijdag, datetime.fromisoformat("2027-03-22T10:00:00+01:00")) == 1
    # T-1: Goede Vrijdag 26 March 2027 and tweede Paasdag 29 March are no working days; Thursday 25 March to Thursday 1 April: 3.
    donderdag = datetime.fromisoformat("2027-03-25T10:00:00+01:00")
    assert dagen_tot(kalender, "veiligheidsbeoordeling", donderdag, datetime.fromisoformat("2027-04-01T10:00:00+02:00")) == 3
    assert dagen_tot(kalender, "contact-gezin", donderdag, datetime.fromisoformat("2027-04-01T09:00:00+02:00")) == 7  # T-3


def test_GM_1_is_reported_only_under_the_agreement_it_belongs_to(ijmond: Regelset, gelderland: Regelset) -> None:
    assert geldt_voor(AANDEEL_DIRECT, gelderland.beleid)
    assert not geldt_voor(AANDEEL_DIRECT, ijmond.beleid)
    assert geldt_voor("T-2", ijmond.beleid) and geldt_voor("IJM-3.1d", ijmond.beleid)
