"""Figures the agreements ask to report, not to enforce, and how the report counts a term's days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from domain.beleid import Beleid
from domain.tijd import Kalender, lokale_datum
from domain.toestand import Casus

AANDEEL_DIRECT = "GM-1"
# T-2: the deadlines the decider counts in working days: the beoordeling (IJM-3.3.1a / GM-5.1.1), the
# sixth working day (IJM-3.1d) and the conversation after a huisverbod (GM-6d). Every other term is in
# calendar days, months or hours (T-3).
WERKDAGTERMIJNEN = frozenset({"veiligheidsbeoordeling", "verantwoordelijkheid-vt", "huisverbod-gesprek"})
Eenheid = Literal["werkdagen", "dagen"]


def aandeel_direct(casussen: Iterable[Casus]) -> float | None:
    """GM-1: the share of beoordeelde casussen transferred directly (about 85 % is expected)."""
    besluiten = [c.eerste_besluit for c in casussen if c.eerste_besluit is not None]
    if not besluiten:
        return None
    return sum(b == "direct-overdracht" for b in besluiten) / len(besluiten)


def geldt_voor(regel: str, beleid: Beleid) -> bool:
    """Whether a rule belongs to the agreement a policy implements: a rule id is `<agreement>-<clause>`
    (RULES.md) and a policy cites its own agreement's ids in `regels`; the time rules (`T-…`) hold for
    every policy. So a region's report shows its own agreement's figures only."""
    bron = regel.split("-", 1)[0]
    if bron == "T":
        return True
    return any(isinstance(r, str) and r.split("-", 1)[0] == bron for r in beleid.regels.model_dump().values())


def eenheid(soort: str) -> Eenheid:
    return "werkdagen" if soort in WERKDAGTERMIJNEN else "dagen"


def dagen_tot(kalender: Kalender, soort: str, van: datetime, tot: datetime) -> int:
    """How long meeting a deadline took, in the term's own unit, on local dates: a working-day term
    met on working day N after the day it began took N (T-2: that day is day 0, a day off counts
    for nothing); a calendar term met on calendar day N took N (T-3)."""
    eerste, laatste = lokale_datum(van), lokale_datum(tot)
    if eenheid(soort) == "dagen":
        return (laatste - eerste).days
    return sum(kalender.is_werkdag(eerste + timedelta(days=i)) for i in range(1, (laatste - eerste).days + 1))
