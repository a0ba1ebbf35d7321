"""The time axis of the audit page's timeline (service/audit_html.py), and the rows its labels go
in. Labels are measured by their character count in a monospace font (an upper bound on their
width) and placed greedily, each in the first row where it clears the one before; the axis runs
from the melding to now (the record's moment) or to the close, with the finest calendar step whose
labels keep their distance."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape

from domain.tijd import ZONE, lokaal

BREED, LINKS, RECHTS = 1100, 210, 16
"""The SVG's width, the column of lane names on its left, the margin on its right (px)."""
PLOT_EINDE = BREED - RECHTS
PLOT = PLOT_EINDE - LINKS
TEKEN = 0.62
"""A character's advance as a fraction of the font size: an upper bound for the monospace fonts."""
MONO = '"DejaVu Sans Mono", "Liberation Mono", "Noto Mono", monospace'
AS_PT = 11
TUSSENRUIMTE = 8.0
"""The least room between two labels on one row (px)."""
MIN_STAP = 60.0
"""The least room between two ticks of the axis (px): finer steps crowd the reader."""

MAANDEN = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
DAGEN = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _datum_tijd(moment: datetime) -> str:
    m = moment.astimezone(ZONE)
    return f"{m.day} {MAANDEN[m.month - 1]} {m.year} {m:%H:%M}"


def breedte(tekst: str, punt: float) -> float:
    """The width a text takes at most in the monospace font, at `punt` px."""
    return len(tekst) * punt * TEKEN


def rijen(spannen: Sequence[tuple[float, float]], gat: float, maximum: int | None = None) -> list[int | None]:
    """Greedy rows for horizontal spans: taken from left to right, each goes to the first row whose
    last span it clears by `gat`, or a new row; None when `maximum` rows are full. No two spans on
    one row overlap."""
    einden: list[float] = []
    rij: list[int | None] = [None] * len(spannen)
    for k in sorted(range(len(spannen)), key=lambda k: spannen[k]):
        links, rechts = spannen[k]
        vrij = next((r for r, einde in enumerate(einden) if links >= einde + gat), None)
        if vrij is None and (maximum is None or len(einden) < maximum):
            einden.append(rechts)
            vrij = len(einden) - 1
        elif vrij is not None:
            einden[vrij] = rechts
        rij[k] = vrij
    return rij


def aantal_rijen(rij: Sequence[int | None], minimum: int) -> int:
    """How many rows `rijen` filled, or `minimum` when it filled none."""
    return max((r + 1 for r in rij if r is not None), default=minimum)


@dataclass(frozen=True)
class As:
    """The time axis: from `begin` at x = LINKS to `einde` at x = PLOT_EINDE."""

    begin: datetime
    einde: datetime

    def x(self, moment: datetime) -> float:
        span = max((self.einde - self.begin).total_seconds(), 1.0)
        binnen = min(max(moment, self.begin), self.einde)
        return LINKS + (binnen - self.begin).total_seconds() / span * PLOT


# --- the axis's ticks ---------------------------------------------------------------------------

Stap = tuple[str, int]
STAPPEN: tuple[Stap, ...] = (
    ("uur", 1), ("uur", 3), ("uur", 6), ("uur", 12), ("dag", 1), ("dag", 2), ("week", 1), ("week", 2),
    ("maand", 1), ("maand", 3), ("maand", 6), ("jaar", 1), ("jaar", 2), ("jaar", 5), ("jaar", 10),
)  # fmt: skip
GEMIDDELD_S = {"uur": 3600, "dag": 86400, "week": 7 * 86400, "maand": 30 * 86400, "jaar": 365 * 86400}


def _middernacht(dag: date) -> datetime:
    return datetime(dag.year, dag.month, dag.day, tzinfo=ZONE)


def _momenten(begin: datetime, einde: datetime, stap: Stap) -> Iterator[datetime]:
    """The calendar boundaries of a step in local time from `begin` to `einde`, both included."""
    eenheid, n = stap
    if eenheid == "uur":
        t = begin.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        while t <= einde:
            lokaal_ = t.astimezone(ZONE)
            if t >= begin and lokaal_.minute == 0 and lokaal_.hour % n == 0:
                yield lokaal_
            t += timedelta(hours=1)
        return
    if eenheid in ("dag", "week"):
        dag = begin.astimezone(ZONE).date()
        while (t := _middernacht(dag)) <= einde:
            past = dag.toordinal() % n == 0 if eenheid == "dag" else dag.weekday() == 0 and (dag.toordinal() // 7) % n == 0
            if t >= begin and past:
                yield t
            dag += timedelta(days=1)
        return
    lokaal_begin = begin.astimezone(ZONE)
    jaar, maand = lokaal_begin.year, lokaal_begin.month
    while (t := datetime(jaar, maand, 1, tzinfo=ZONE)) <= einde:
        past = (maand - 1) % n == 0 if eenheid == "maand" else maand == 1 and jaar % n == 0
        if t >= begin and past:
            yield t
        jaar, maand = (jaar + 1, 1) if maand == 12 else (jaar, maand + 1)


def _tik_label(moment: datetime, stap: Stap) -> str:
    eenheid = stap[0]
    dagnaam = f"{DAGEN[moment.weekday()]} {moment.day} {MAANDEN[moment.month - 1]}"
    if eenheid == "uur":
        return dagnaam if moment.hour == 0 else f"{moment:%H:%M}"
    if eenheid == "dag":
        return dagnaam
    if eenheid == "week":
        return f"{moment.day} {MAANDEN[moment.month - 1]}"
    if eenheid == "maand":
        return f"{MAANDEN[moment.month - 1]} {moment.year}" if moment.month == 1 else MAANDEN[moment.month - 1]
    return str(moment.year)


@dataclass(frozen=True)
class Tik:
    moment: datetime
    x: float
    label: str | None  # None: a tick without a label, where the label would leave the drawing


def tikken(as_: As) -> list[Tik]:
    """The finest calendar step whose ticks are `MIN_STAP` apart and whose labels keep
    `TUSSENRUIMTE` between them, all within the drawing."""
    seconden = (as_.einde - as_.begin).total_seconds()
    for stap in STAPPEN:
        if seconden / GEMIDDELD_S[stap[0]] / stap[1] > PLOT / MIN_STAP + 2:
            continue
        momenten = list(_momenten(as_.begin, as_.einde, stap))
        xs = [as_.x(m) for m in momenten]
        if any(b - a < MIN_STAP for a, b in itertools.pairwise(xs)):
            continue
        lijst = []
        for m, x in zip(momenten, xs, strict=True):
            label = _tik_label(m, stap)
            half = breedte(label, AS_PT) / 2
            lijst.append(Tik(m, x, label if x - half >= LINKS - 8 and x + half <= BREED - 2 else None))
        labels = [(t.x - breedte(t.label, AS_PT) / 2, t.x + breedte(t.label, AS_PT) / 2) for t in lijst if t.label]
        if all(b[0] - a[1] >= TUSSENRUIMTE for a, b in itertools.pairwise(labels)):
            return lijst
    return []


# --- the axis drawn -----------------------------------------------------------------------------


def teken_as(as_: As, tiks: list[Tik], lanes_y: int, as_y: int, afgesloten: bool) -> list[str]:
    """The axis's line, its ticks and their labels, and its begin and end (now, or the close)."""
    delen = [f'<line x1="{LINKS}" y1="{as_y}" x2="{PLOT_EINDE}" y2="{as_y}" class="as-lijn"/>']
    for t in tiks:
        delen.append(
            f'<line x1="{t.x:.1f}" y1="{as_y}" x2="{t.x:.1f}" y2="{as_y + 5}" class="as-lijn streep" data-t="{lokaal(t.moment)}"/>'
        )
        if t.label:
            delen.append(
                f'<text x="{t.x:.1f}" y="{as_y + 17}" text-anchor="middle" class="tik" data-t="{lokaal(t.moment)}">{escape(t.label)}</text>'
            )
    einde = f"{'afgesloten' if afgesloten else 'stand'} {_datum_tijd(as_.einde)}"
    delen += [
        f'<line x1="{PLOT_EINDE}" y1="{lanes_y - 4}" x2="{PLOT_EINDE}" y2="{as_y + 5}" class="einde-lijn"/>',
        f'<text x="{LINKS}" y="{as_y + 35}" class="as-begin" data-t="{lokaal(as_.begin)}">ontvangen {_datum_tijd(as_.begin)}</text>',
        f'<text x="{PLOT_EINDE}" y="{as_y + 35}" text-anchor="end" class="as-einde" data-t="{lokaal(as_.einde)}">{einde}</text>',
    ]
    return delen
