"""Deadlines are facts (DESIGN.md): computed once when the event that starts them happens, and
never recomputed when the calendar, the zone data or the policy changes afterwards."""

from __future__ import annotations

from datetime import date

from domain.beleid import Beleid
from domain.draaiboek import Draaiboek
from domain.evolueren import herbouw
from domain.stap import Regelset
from domain.tijd import Besluitdag


def test_T_1_a_new_decree_day_does_not_move_a_deadline_already_set(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    voor = d.termijn("veiligheidsbeoordeling")
    nieuw_besluit = Besluitdag(datum=date(2027, 4, 1), naam="nieuwe besluitdag", bron="test")
    kalender = ijmond.kalender.model_copy(update={"besluitdagen": (*ijmond.kalender.besluitdagen, nieuw_besluit)})
    later = Regelset(beleid=ijmond.beleid, kalender=kalender)
    herbouwd = herbouw(d.gebeurtenissen)
    assert herbouwd is not None and herbouwd.termijn("veiligheidsbeoordeling") == d.casus.termijn("veiligheidsbeoordeling")
    assert voor == ("open", "2027-04-06T00:00:00+02:00")
    # The new calendar counts differently for a melding received now, not for the one above.
    assert Draaiboek(later, "2027-03-25T10:00:00+01:00", "velsen").termijn("veiligheidsbeoordeling")[1] == "2027-04-07T00:00:00+02:00"


def test_IJM_2_2_a_policy_edit_leaves_the_running_casus_with_its_own_version(ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    strenger: Beleid = ijmond.beleid.model_copy(update={"beoordeling_werkdagen": 3})
    assert strenger.inhoud_hash != d.casus.beleid_hash
    herbouwd = herbouw(d.gebeurtenissen)
    assert herbouwd is not None and herbouwd.beleid_hash == ijmond.beleid.inhoud_hash
    assert d.termijn("veiligheidsbeoordeling")[1] == "2027-04-06T00:00:00+02:00"
