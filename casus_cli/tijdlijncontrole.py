"""The audit's answer checked against proven facts: the responsibility timeline recomputed from the
verified stream with the domain's own evolve (`herbouw`), compared with the read model's timeline
(what `casus audit` shows), every difference an afwijking. The read model and its tracking position
are not trusted: the position only says how much of the stream to recompute, and a position moved
back or forward makes the rows disagree with that prefix, which is reported all the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain import gebeurtenissen as g
from domain.evolueren import herbouw
from eventstore.keten import Afwijking
from eventstore.store import EventStore
from eventstore.views import ViewStore
from projections.verantwoordelijkheid import NAME, Interval, tijdlijn

SOORT = "leesmodel:verantwoordelijkheid"
Regel = tuple[str, datetime, datetime | None, str, str]


def positie(views: ViewStore) -> int:
    """The read model's tracked position: only how much of each stream to recompute (0: none here)."""
    try:
        return views.position(NAME)
    except Exception:
        return 0


def vergelijk_tijdlijn(store: EventStore, views: ViewStore, casus_id: str, gezien: int) -> list[Afwijking]:
    """`gezien`: the stream's last version at or before the read model's tracked position. Nothing
    when the read model does not exist here (no projection ever ran on this store)."""
    try:
        gelezen = [_regel(i) for i in tijdlijn(views, casus_id, None)]
    except Exception:
        return []
    try:
        gebeurtenissen = store.read(casus_id)[:gezien]
    except ValueError:
        return []  # the stream itself does not decode: the chain check names that event
    bewezen = _bewezen(gebeurtenissen)
    afwijkingen = []
    for nummer in range(max(len(bewezen), len(gelezen))):
        versie, verwacht = bewezen[nummer] if nummer < len(bewezen) else (0, None)
        feit = gelezen[nummer] if nummer < len(gelezen) else None
        if verwacht != feit:
            afwijkingen.append(
                Afwijking(versie, SOORT, f"interval {nummer + 1}: the read model says {_tekst(feit)}, "
                                         f"the verified stream (up to version {gezien}) says {_tekst(verwacht)}")
            )  # fmt: skip
    return afwijkingen


def _bewezen(gebeurtenissen: Sequence[g.Gebeurtenis]) -> list[tuple[int, Regel]]:
    casus = herbouw(gebeurtenissen)
    if casus is None:
        return []
    regels = []
    for i in casus.verantwoordelijkheid:
        begin = gebeurtenissen[i.versie - 1] if 0 < i.versie <= len(gebeurtenissen) else None
        actor = _actor(begin) if isinstance(begin, g.VerantwoordelijkheidOvergedragen) else "?"
        regels.append((i.versie, (i.partij, i.van, i.tot, i.grond, actor)))
    return regels


def _actor(e: g.VerantwoordelijkheidOvergedragen) -> str:
    """As the projection writes it (projections/verantwoordelijkheid.py)."""
    return e.actor.partij + (f"/{e.actor.medewerker}" if e.actor.medewerker else "")


def _regel(i: Interval) -> Regel:
    return (i.partij, i.van, i.tot, i.grond, i.actor)


def _tekst(regel: Regel | None) -> str:
    if regel is None:
        return "nothing"
    partij, van, tot, grond, actor = regel
    return f"{partij} from {van.isoformat()} to {tot.isoformat() if tot else 'now'} (grond {grond}, by {actor})"
