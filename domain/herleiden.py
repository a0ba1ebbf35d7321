"""T-5a: what the clock did is re-derived when a fact registered late took effect before it.

The clock records the IJM-3.1d transfer by itself at the start of the sixth working day. A
beoordeling (or acuteness) registered afterwards that took effect earlier gave Veilig Thuis the
responsibility before that moment: in effective time the clock's transfer never happened. The
step is decided again on the casus as it stands without that transfer, and the transfer is
superseded by a recorded fact (`OverdrachtVervangen`) naming it; nothing recorded is removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from domain import gebeurtenissen as g
from domain.evolueren import evolve
from domain.gebeurtenissen import Gebeurtenis
from domain.stap import Stap
from domain.tijd import lokaal
from domain.toestand import Casus, Interval, Termijn
from domain.weigering import Weigering

REGEL = "T-5a"

Handler = Callable[[Stap, Any], list[Gebeurtenis]]


def klokovergangen_na(s: Stap) -> list[tuple[Interval, Termijn]]:
    """The transfers the clock made by itself after the step's `op` that still hold, each with the
    deadline whose consequence it was (the interval began at that deadline's instant)."""
    paren = []
    for termijn in s.casus.termijnen:
        if termijn.gevolg != "verantwoordelijkheid-naar-vt" or termijn.uiterlijk <= s.op:
            continue
        interval = next((i for i in s.casus.verantwoordelijkheid if _door_klok(i, termijn)), None)
        if interval is not None:
            paren.append((interval, termijn))
    return paren


def _door_klok(i: Interval, termijn: Termijn) -> bool:
    # An interval from a state carried over from before versions were kept (versie 0) cannot be named.
    return i.grond == termijn.regel and i.van == termijn.uiterlijk and i.versie > 0


def _vervanging(s: Stap, interval: Interval, termijn: Termijn, actie: str) -> g.OverdrachtVervangen:
    reden = (
        f"{actie} took effect at {lokaal(s.op)}, before the transfer the clock recorded at {lokaal(interval.van)} "
        f"({termijn.regel}); decided again in effective time"
    )
    return s.maak(g.OverdrachtVervangen, REGEL, vervangt=interval.versie, termijn_id=termijn.id, reden=reden)


def herleid(s: Stap, handler: Handler, opdracht: Any) -> list[Gebeurtenis] | None:
    """The step decided in effective time, preceded by the supersession of the clock's transfers
    it makes void; None when it changes nothing the clock did (decide it as it stands)."""
    paren = klokovergangen_na(s)
    if not paren:
        return None
    actie = getattr(opdracht, "actie", "the step")
    vervangingen: list[Gebeurtenis] = [_vervanging(s, interval, termijn, actie) for interval, termijn in paren]
    basis: Casus = s.casus
    for e in vervangingen:
        basis = evolve(basis, e)
    try:
        events = handler(replace(s, casus=basis), opdracht)
    except Weigering:
        return None  # refused without the clock's transfer: decided as it stands, with its own answer
    voldaan = {e.termijn_id for e in events if isinstance(e, g.TermijnVoldaan)}
    if not all(termijn.id in voldaan for _, termijn in paren):
        return None  # the late fact did not give Veilig Thuis the responsibility before the clock did
    return vervangingen + events
