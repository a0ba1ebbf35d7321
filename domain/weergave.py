"""What an operator reads of a casus in Temporal's UI (issue 15): the casus's static summary, its
current details and each deadline timer's summary. Pseudonymous keys and rule ids only; never a
personal text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.tijd import lokaal
from domain.toestand import Casus, Termijn


def samenvatting(beleid: str, gemeente: str, huishouden: str) -> str:
    """The workflow's static summary: policy, gemeente and the household's pseudonymous key."""
    return f"{beleid} · {gemeente} · {huishouden}"


def _termijn(t: Termijn) -> str:
    return f"{t.soort} uiterlijk {lokaal(t.uiterlijk)} ({t.regel})"


def huidige_stand(casus: Casus) -> str:
    """The workflow's current details: who holds zicht op veiligheid, the phase, what it waits for."""
    open_ = sorted(casus.open_termijnen(), key=lambda t: (t.uiterlijk, t.soort))
    regels = [
        f"**houder** {casus.houder or '-'}",
        f"**fase** {casus.fase}" + (" (monitoring)" if casus.monitoring else ""),
        f"**volgende termijn** {_termijn(open_[0])}" if open_ else "**volgende termijn** geen",
    ]
    if len(open_) > 1:
        regels.append("**daarna** " + "; ".join(_termijn(t) for t in open_[1:4]))
    return "  \n".join(regels)


def wekker(termijnen: Sequence[Termijn], moment: datetime) -> str:
    """A deadline timer's summary: the open deadlines it is set for, with their rules."""
    op_tijd = [t for t in termijnen if t.status == "open" and t.uiterlijk == moment]
    return "; ".join(_termijn(t) for t in op_tijd) or f"termijn {lokaal(moment)}"
