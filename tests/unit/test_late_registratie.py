"""Late registration (RULES.md T-5a, T-5b, T-5c) and the deadline statuses of rev. 2026-11-30.

The casus of these tests: an IJmond melding received on Monday 7 June 2027; working day 4 is
Friday 11 June, working day 5 ends and working day 6 starts at Tuesday 15 June 00:00 (no holiday
in between), working day 8 is Thursday 17 June.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from domain import gebeurtenissen as g
from domain.beslissen import decide_op_tijd
from domain.draaiboek import Draaiboek, t, verzoek
from domain.evolueren import evolve, herbouw
from domain.stap import Regelset
from domain.uitkomst import uitkomst

ONTVANGEN = "2027-06-07T10:00:00+02:00"
DAG_4 = "2027-06-11T14:00:00+02:00"
DAG_6 = "2027-06-15T00:00:00+02:00"
DAG_8 = "2027-06-17T10:00:00+02:00"

BESLUITEN = [
    ({"besluit": "direct-overdracht", "team": "socius-md"}, [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]),
    ({"besluit": "voorwaarden-en-vervolg"}, [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]),
    ({"besluit": "onderzoek"}, [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]),
    (
        {"besluit": "instelling", "instelling": "ggz-velsen"},
        [("melder", "melding"), ("veilig-thuis", "IJM-3.1c"), ("instelling:ggz-velsen", "IJM-3.1e")],
    ),
    ({"besluit": "jeugdhulp"}, [("melder", "melding"), ("veilig-thuis", "IJM-3.1c"), ("jeugdhulp", "IJM-3.1e")]),
    ({"besluit": "clientsysteem"}, [("melder", "melding"), ("veilig-thuis", "IJM-3.1c"), ("clientsysteem", "IJM-3.1e")]),
]


def na_de_klok(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.tik(DAG_6)
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1d")]
    return d


@pytest.mark.parametrize(("velden", "houders"), BESLUITEN, ids=[b[0]["besluit"] for b in BESLUITEN])
def test_T_5a_a_besluit_registered_after_the_sixth_day_gives_veilig_thuis_the_responsibility_from_the_beoordeling(
    ijmond: Regelset, velden: dict[str, str], houders: list[tuple[str, str]]
) -> None:
    d = na_de_klok(ijmond)
    d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op=DAG_4, **velden)
    assert d.houders() == houders
    lijn = d.casus.verantwoordelijkheid
    assert (lijn[0].tot, lijn[1].van) == (t(DAG_4), t(DAG_4))
    assert all(a.tot == b.van for a, b in pairwise(lijn))
    assert d.termijn("veiligheidsbeoordeling")[0] == "voldaan"
    assert d.termijn("verantwoordelijkheid-vt")[0] == "voldaan"


def test_T_5a_the_superseded_transfer_is_named_by_its_version_and_nothing_recorded_is_rewritten(ijmond: Regelset) -> None:
    d = na_de_klok(ijmond)
    voor = list(d.gebeurtenissen)
    klok = next(k for k, e in enumerate(voor, start=1) if isinstance(e, g.VerantwoordelijkheidOvergedragen) and e.regel == "IJM-3.1d")
    nieuw = d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op=DAG_4, besluit="onderzoek")
    assert d.gebeurtenissen[: len(voor)] == voor
    vervangen = [e for e in nieuw if isinstance(e, g.OverdrachtVervangen)]
    assert len(vervangen) == 1
    v = vervangen[0]
    assert (v.vervangt, v.regel, v.termijn_id, v.op, v.vastgelegd) == (klok, "T-5a", "verantwoordelijkheid-vt-1", t(DAG_4), t(DAG_8))
    assert "IJM-3.1d" in v.reden
    assert herbouw(d.gebeurtenissen) == d.casus
    # The record as it stood before the correction still holds the clock's transfer.
    toen = herbouw(e for e in d.gebeurtenissen if e.vastgelegd <= t("2027-06-16T12:00:00+02:00"))
    assert toen is not None and [(i.partij, i.grond) for i in toen.verantwoordelijkheid][-1] == ("veilig-thuis", "IJM-3.1d")


def test_T_5a_late_acuteness_gives_veilig_thuis_the_responsibility_from_when_it_was_found(ijmond: Regelset) -> None:
    d = na_de_klok(ijmond)
    d.doe(DAG_8, "spoed-vastgesteld", "veilig-thuis", op=DAG_4)
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1a")]
    assert d.termijn("verantwoordelijkheid-vt")[0] == "voldaan"


def test_T_5a_a_late_fact_after_the_clocks_transfer_supersedes_nothing(ijmond: Regelset) -> None:
    d = na_de_klok(ijmond)
    nieuw = d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op="2027-06-16T09:00:00+02:00", besluit="onderzoek")
    assert not any(isinstance(e, g.OverdrachtVervangen) for e in nieuw)
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1d")]
    assert d.termijn("verantwoordelijkheid-vt")[0] == "van-rechtswege"
    assert d.termijn("veiligheidsbeoordeling")[0] == "te-laat"


def test_T_5a_a_casus_decided_before_the_revision_keeps_its_decision_when_replayed(ijmond: Regelset) -> None:
    d = na_de_klok(ijmond)
    v = verzoek("beoordeling-afronden", "veilig-thuis", t(DAG_4), besluit="onderzoek")
    oud = decide_op_tijd(d.casus, v, ijmond, t(DAG_8), herleiden=False)
    assert not any(isinstance(e, g.OverdrachtVervangen | g.VerantwoordelijkheidOvergedragen) for e in oud)


def _overgedragen(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-06-09T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-06-10T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    return d


def test_T_5b_IJM_4_1_an_older_incident_registered_late_does_not_reset_the_six_months(ijmond: Regelset) -> None:
    d = _overgedragen(ijmond)
    team = "lokaal-team:socius-md"
    d.doe("2027-09-01T10:00:00+02:00", "incident", team, omschrijving="ruzie")
    d.doe("2027-09-20T10:00:00+02:00", "incident", team, op="2027-07-01T10:00:00+02:00", omschrijving="eerder, laat gemeld")
    assert d.casus.laatste_incident == t("2027-09-01T10:00:00+02:00")
    with pytest.raises(Exception, match="2028-03-0"):
        d.doe("2028-01-05T10:00:00+01:00", "stabiele-veiligheid", team, risicofactoren_aangepakt=True, herstel_gestart=True)
    d.doe("2028-03-02T10:00:00+01:00", "stabiele-veiligheid", team, risicofactoren_aangepakt=True, herstel_gestart=True)
    assert d.casus.stabiel_sinds == t("2028-03-02T10:00:00+01:00")


def test_T_5b_a_later_incident_registered_late_still_resets_the_six_months(ijmond: Regelset) -> None:
    d = _overgedragen(ijmond)
    team = "lokaal-team:socius-md"
    d.doe("2027-07-01T10:00:00+02:00", "incident", team, omschrijving="eerste")
    d.doe("2027-09-20T10:00:00+02:00", "incident", team, op="2027-09-01T10:00:00+02:00", omschrijving="later, laat gemeld")
    assert d.casus.laatste_incident == t("2027-09-01T10:00:00+02:00")


def test_T_5c_a_deadline_met_in_time_but_recorded_late_is_voldaan_and_laat_vastgelegd(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-06-16T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", op=DAG_4, besluit="onderzoek")
    termijn = next(x for x in uitkomst(d.casus)["termijnen"] if x["soort"] == "veiligheidsbeoordeling")
    assert (termijn["status"], termijn["laat_vastgelegd"]) == ("voldaan", True)
    assert termijn["vastgelegd_op"] == "2027-06-16T10:00:00+02:00"
    assert termijn["laat_vastgelegd_dagen"] == 1.42  # 15 June 00:00 to 16 June 10:00


def test_T_5c_a_deadline_recorded_in_time_is_not_laat_vastgelegd(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2027-06-14T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", op=DAG_4, besluit="onderzoek")
    termijn = next(x for x in uitkomst(d.casus)["termijnen"] if x["soort"] == "veiligheidsbeoordeling")
    assert (termijn["status"], termijn["laat_vastgelegd"]) == ("voldaan", False)
    assert "laat_vastgelegd_dagen" not in termijn


def test_T_5c_IJM_3_1b_IJM_3_1d_informative_terms_end_afgelopen_and_the_sixth_day_is_van_rechtswege(ijmond: Regelset) -> None:
    acuut = Draaiboek(ijmond, ONTVANGEN, "velsen", acuut=True)
    acuut.tik("2027-06-11T00:00:00+02:00")
    assert acuut.termijn("crisis")[0] == "afgelopen"
    niemand = Draaiboek(ijmond, ONTVANGEN, "velsen")
    niemand.tik(DAG_6)
    assert niemand.termijn("verantwoordelijkheid-vt")[0] == "van-rechtswege"
    assert niemand.termijn("veiligheidsbeoordeling")[0] == "verstreken"  # the missed term is the beoordeling
    assert niemand.casus.openstaand("verantwoordelijkheid-vt") == ()


def test_T_5c_GM_6a_the_end_of_a_huisverbod_is_afgelopen(gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, ONTVANGEN, "ede", acuut=True)
    d.doe("2027-06-08T10:00:00+02:00", "huisverbod-opleggen", "burgemeester")
    d.tik("2027-06-30T00:00:00+02:00")
    assert d.termijn("huisverbod-einde")[0] == "afgelopen"


def test_T_5a_IJM_3_3_6_a_late_beoordeling_after_renewed_concern_supersedes_the_clocks_transfer_from_the_team(
    ijmond: Regelset,
) -> None:
    d = _overgedragen(ijmond)
    team = "lokaal-team:socius-md"
    d.doe("2027-09-06T10:00:00+02:00", "opnieuw-melden", team, inhoud="nieuwe zorgen")  # Monday: day 6 starts 14 Sept
    d.tik("2027-09-14T00:00:00+02:00")
    assert d.houders()[-2:] == [(team, "IJM-3.3.1b"), ("veilig-thuis", "IJM-3.1d")]
    d.doe("2027-09-15T10:00:00+02:00", "beoordeling-afronden", "veilig-thuis", op="2027-09-10T10:00:00+02:00", besluit="onderzoek")
    assert d.houders()[-2:] == [(team, "IJM-3.3.1b"), ("veilig-thuis", "IJM-3.1c")]
    assert d.casus.verantwoordelijkheid[-1].van == t("2027-09-10T10:00:00+02:00")
    assert d.termijn("verantwoordelijkheid-vt") == ("voldaan", "2027-09-14T00:00:00+02:00")


def test_T_5a_a_state_folded_before_intervals_kept_their_version_still_takes_the_supersession(ijmond: Regelset) -> None:
    d = na_de_klok(ijmond)
    nieuw = d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op=DAG_4, besluit="onderzoek")
    vervangen = next(e for e in nieuw if isinstance(e, g.OverdrachtVervangen))
    oud = herbouw(d.gebeurtenissen[: d.gebeurtenissen.index(vervangen)])
    assert oud is not None
    zonder_versies = oud.model_copy(
        update={"verantwoordelijkheid": tuple(i.model_copy(update={"versie": 0}) for i in oud.verantwoordelijkheid)}
    )
    casus = zonder_versies
    for e in nieuw:
        casus = evolve(casus, e)
    assert [(i.partij, i.grond) for i in casus.verantwoordelijkheid] == [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]


GM_BESLUITEN = [
    {"besluit": "direct-overdracht", "team": "ede"},
    {"besluit": "voorwaarden-en-vervolg"},
    {"besluit": "onderzoek"},
    {"besluit": "instelling", "instelling": "ggz-ede"},
    {"besluit": "mda"},
    {"besluit": "clientsysteem"},
]


@pytest.mark.parametrize("velden", GM_BESLUITEN, ids=[b["besluit"] for b in GM_BESLUITEN])
def test_T_5a_GM_4a_a_besluit_of_any_outcome_registered_after_its_deadline_is_judged_on_when_it_took_effect(
    gelderland: Regelset, velden: dict[str, str]
) -> None:
    d = Draaiboek(gelderland, ONTVANGEN, "ede")
    d.tik(DAG_6)
    assert d.termijn("veiligheidsbeoordeling")[0] == "verstreken"
    d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op=DAG_4, **velden)
    assert d.termijn("veiligheidsbeoordeling")[0] == "voldaan"
    assert next(x for x in uitkomst(d.casus)["termijnen"] if x["soort"] == "veiligheidsbeoordeling")["laat_vastgelegd"] is True
    lijn = d.casus.verantwoordelijkheid
    assert lijn[0].partij == "veilig-thuis" and all(i.van in (t(ONTVANGEN), t(DAG_4)) for i in lijn)


def test_T_5a_a_late_fact_that_arrives_with_the_clocks_own_tick_supersedes_the_transfer_in_the_same_decision(
    ijmond: Regelset,
) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")  # the timer has not fired yet (a worker was down)
    nieuw = d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op=DAG_4, besluit="onderzoek")
    klok = next(
        k for k, e in enumerate(d.gebeurtenissen, start=1) if isinstance(e, g.VerantwoordelijkheidOvergedragen) and e.regel == "IJM-3.1d"
    )
    assert [e.vervangt for e in nieuw if isinstance(e, g.OverdrachtVervangen)] == [klok]
    assert d.houders() == [("melder", "melding"), ("veilig-thuis", "IJM-3.1c")]
    assert herbouw(d.gebeurtenissen) == d.casus
