"""T-6: a later calendar version re-sets the provisional deadlines it moves, as recorded facts.

A deadline is a fact computed once (DESIGN.md "Deadlines are facts"); one counted past the
calendar's `bekend_tot` was marked provisional and keeps how it was counted. When a new calendar
version (a new decree day) is adopted, each open provisional deadline of a casus is counted again
with it: one that moves, or that the new horizon confirms, gets a `TermijnHerzien` citing T-6 and
the calendar version. Deadlines already met, lapsed or no longer applying stay as they were.
"""

from __future__ import annotations

from datetime import datetime

from domain import gebeurtenissen as g
from domain.partijen import SYSTEEM_ACTOR
from domain.stap import Regelset
from domain.toestand import Casus, Termijn

REGEL = "T-6"


def herzie_termijnen(casus: Casus, nieuw: Regelset, nu: datetime) -> list[g.TermijnHerzien]:
    """The re-set deadlines of `casus` under the calendar of `nieuw` (its policy's closing days included)."""
    if casus.fase == "afgesloten":
        return []
    return [h for t in casus.open_termijnen() if (h := _herzien(t, nieuw, nu)) is not None]


def _herzien(termijn: Termijn, nieuw: Regelset, nu: datetime) -> g.TermijnHerzien | None:
    if not termijn.voorlopig or termijn.werkdagen is None:
        return None
    kalender = nieuw.werkdagen
    uiterlijk, voorlopig = termijn.werkdagen.uiterlijk(kalender), termijn.werkdagen.voorlopig(kalender)
    if uiterlijk == termijn.uiterlijk and voorlopig:
        return None  # still counted with the same days, still past the horizon: nothing to record
    return g.TermijnHerzien(
        op=nu, vastgelegd=nu, actor=SYSTEEM_ACTOR, regel=REGEL, termijn_id=termijn.id,
        uiterlijk=uiterlijk, kalender=nieuw.kalender.versie, voorlopig=voorlopig,
    )  # fmt: skip
