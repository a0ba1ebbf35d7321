"""The calendar's horizon (RULES.md T-6): deadlines counted past `bekend_tot` are provisional, and a
later calendar version re-sets the ones it moves as recorded facts (`TermijnHerzien`)."""

from __future__ import annotations

from datetime import date

from domain.beslissen import verstrijk
from domain.draaiboek import Draaiboek, t
from domain.evolueren import evolve
from domain.herzien import herzie_termijnen
from domain.stap import Regelset
from domain.tijd import Besluitdag
from domain.uitkomst import uitkomst

# Friday 22 December 2028; 25 and 26 December and 1 January are holidays: working days 1-3 are
# 27-29 December, 4 is Tuesday 2 January 2029, 5 Wednesday 3 January, 6 Thursday 4 January.
ONTVANGEN = "2028-12-22T10:00:00+01:00"


def later(regelset: Regelset, *besluitdagen: date, bekend_tot: date) -> Regelset:
    """A later calendar version, as a new decree would bring it."""
    nieuw = tuple(Besluitdag(datum=d, naam="test", bron="Besluit gelijkstelling (test)") for d in besluitdagen)
    kalender = regelset.kalender.model_copy(
        update={"versie": "2029.1", "besluitdagen": (*regelset.kalender.besluitdagen, *nieuw), "bekend_tot": bekend_tot}
    )
    return regelset.model_copy(update={"kalender": kalender})


def test_T_6_the_shipped_calendar_states_its_horizon(ijmond: Regelset) -> None:
    assert ijmond.kalender.bekend_tot == date(2028, 12, 31)


def test_T_6_a_deadline_counted_past_the_horizon_is_voorlopig_and_computed_with_the_days_known(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    assert d.termijn("veiligheidsbeoordeling") == ("open", "2029-01-04T00:00:00+01:00")
    assert d.termijn("verantwoordelijkheid-vt") == ("open", "2029-01-04T00:00:00+01:00")
    termijnen = {x["soort"]: x for x in uitkomst(d.casus)["termijnen"]}
    assert termijnen["veiligheidsbeoordeling"]["voorlopig"] is True
    assert termijnen["verantwoordelijkheid-vt"]["voorlopig"] is True


def test_T_6_a_deadline_within_the_horizon_is_not_voorlopig(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2028-12-14T10:00:00+01:00", "velsen")  # working day 6 is Friday 22 December
    assert all(x["voorlopig"] is False for x in uitkomst(d.casus)["termijnen"])


def test_T_6_a_new_decree_day_that_moves_a_provisional_deadline_re_sets_it_as_TermijnHerzien(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    nu = t("2028-12-27T09:00:00+01:00")
    herzien = herzie_termijnen(d.casus, later(ijmond, date(2029, 1, 2), bekend_tot=date(2029, 12, 31)), nu)
    assert {(h.termijn_id, h.uiterlijk.isoformat(), h.kalender, h.regel, h.voorlopig) for h in herzien} == {
        ("veiligheidsbeoordeling-1", "2029-01-05T00:00:00+01:00", "2029.1", "T-6", False),
        ("verantwoordelijkheid-vt-1", "2029-01-05T00:00:00+01:00", "2029.1", "T-6", False),
    }
    assert all(h.vastgelegd == nu and h.actor.partij == "systeem" for h in herzien)
    casus = d.casus
    for h in herzien:
        casus = evolve(casus, h)
    assert casus.volgende_termijn() == t("2029-01-05T00:00:00+01:00")
    # The clock now acts at the re-set moment, not at the one first computed.
    assert verstrijk(casus, ijmond, t("2029-01-04T12:00:00+01:00")) == []


def test_T_6_a_new_horizon_that_moves_nothing_confirms_the_deadline_and_an_unchanged_one_records_nothing(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    nu = t("2028-12-27T09:00:00+01:00")
    bevestigd = herzie_termijnen(d.casus, later(ijmond, bekend_tot=date(2029, 12, 31)), nu)
    assert {(h.uiterlijk.isoformat(), h.voorlopig) for h in bevestigd} == {("2029-01-04T00:00:00+01:00", False)}
    assert herzie_termijnen(d.casus, later(ijmond, bekend_tot=date(2028, 12, 31)), nu) == []


def test_T_6_deadlines_already_met_or_of_a_closed_casus_are_not_re_set(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.doe("2028-12-28T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    herzien = herzie_termijnen(d.casus, later(ijmond, date(2029, 1, 2), bekend_tot=date(2029, 12, 31)), t("2028-12-29T09:00:00+01:00"))
    assert herzien == []
