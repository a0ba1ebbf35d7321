"""`casus audit ID --html FILE`: one self-contained page for an auditor: an SVG timeline of who
held zicht op veiligheid (a lane per party, each transfer marked with its rule), the deadlines
met, late or lapsed, and every recorded fact with what it changed.

The timeline is laid out so that nothing hides anything else, at every span from an hour to years:
labels are measured by their character count in a monospace font (an upper bound on their width)
and placed greedily, each in the first row where it clears the one before; an interval is never
narrower than `MIN_BREEDTE`; the axis runs from the melding to now (the record's moment) or to the
close, with the finest calendar step whose labels keep their distance."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape

from domain.gebeurtenissen import Gebeurtenis
from domain.tijd import ZONE, lokaal
from domain.toestand import Casus, Termijn
from projections.verantwoordelijkheid import Interval
from service.audit_feiten import details, kort

BREED, LINKS, RECHTS = 1100, 210, 16
"""The SVG's width, the column of lane names on its left, the margin on its right (px)."""
PLOT_EINDE = BREED - RECHTS
PLOT = PLOT_EINDE - LINKS
MIN_BREEDTE = 6.0
"""The narrowest an interval is drawn (px), however short it was."""
TEKEN = 0.62
"""A character's advance as a fraction of the font size: an upper bound for the monospace fonts."""
MONO = '"DejaVu Sans Mono", "Liberation Mono", "Noto Mono", monospace'
REGEL_PT, AS_PT, NUMMER_PT, LANE_PT = 11, 11, 10, 13
REGEL_RIJ, LANE, MERK_RIJ = 15, 32, 18
MAX_REGELRIJEN = 5
"""Rows for the transfers' rule labels; a label that clears none of them is left out of the drawing
(its rule stays on the transfer line's title and in the table)."""
TUSSENRUIMTE = 8.0
"""The least room between two labels on one row (px)."""
MIN_STAP = 60.0
"""The least room between two ticks of the axis (px): finer steps crowd the reader."""

MAANDEN = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
DAGEN = ("ma", "di", "wo", "do", "vr", "za", "zo")

# How a deadline's status is drawn: its colour and shape (each also in the legend).
MERK: dict[str, tuple[str, str]] = {
    "open": ("#616161", "ring"),
    "voldaan": ("#2e7d32", "rondje"),
    "te-laat": ("#ef6c00", "ruit"),
    "verstreken": ("#c62828", "vierkant"),
    "van-rechtswege": ("#1565c0", "driehoek"),
    "afgelopen": ("#78909c", "open-vierkant"),
    "vervallen": ("#90a4ae", "kruis"),
}
UITLEG: dict[str, str] = {
    "open": "open",
    "voldaan": "voldaan (op tijd)",
    "te-laat": "te laat voldaan",
    "verstreken": "verstreken (niet voldaan)",
    "van-rechtswege": "van rechtswege overgegaan",
    "afgelopen": "afgelopen (periode voorbij)",
    "vervallen": "vervallen",
}


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


# --- the timeline -------------------------------------------------------------------------------


def vorm(soort: str, cx: float, cy: float, kleur: str) -> str:
    """A deadline mark of a shape, centred on (cx, cy), about 12 px across."""
    if soort == "rondje":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5.5" fill="{kleur}"/>'
    if soort == "ring":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="#fff" stroke="{kleur}" stroke-width="2"/>'
    if soort == "vierkant":
        return f'<rect x="{cx - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10" fill="{kleur}"/>'
    if soort == "open-vierkant":
        return f'<rect x="{cx - 4.5:.1f}" y="{cy - 4.5:.1f}" width="9" height="9" fill="#fff" stroke="{kleur}" stroke-width="2"/>'
    punten = {
        "ruit": ((0, -6), (6, 0), (0, 6), (-6, 0)),
        "driehoek": ((0, -6), (6, 5), (-6, 5)),
    }
    if soort in punten:
        d = " ".join(f"{'M' if k == 0 else 'L'}{cx + dx:.1f},{cy + dy:.1f}" for k, (dx, dy) in enumerate(punten[soort]))
        return f'<path d="{d} Z" fill="{kleur}"/>'
    d = f"M{cx - 5:.1f},{cy - 5:.1f} L{cx + 5:.1f},{cy + 5:.1f} M{cx + 5:.1f},{cy - 5:.1f} L{cx - 5:.1f},{cy + 5:.1f}"
    return f'<path d="{d}" stroke="{kleur}" stroke-width="2.5" fill="none"/>'


@dataclass(frozen=True)
class Merk:
    """A deadline on the timeline: its row in the deadline table (`nummer`), where and on which row."""

    nummer: int
    termijn: Termijn
    cx: float
    later: bool  # its moment lies after the axis's end: drawn at the end
    label: str
    links: bool  # the number stands left of the mark (at the right edge)

    @property
    def span(self) -> tuple[float, float]:
        tekst = breedte(self.label, NUMMER_PT)
        return (self.cx - 8 - tekst, self.cx + 7) if self.links else (self.cx - 7, self.cx + 8 + tekst)


def _merken(casus: Casus, as_: As) -> list[Merk]:
    merken = []
    for n, t in enumerate(casus.termijnen, start=1):
        later = t.uiterlijk > as_.einde
        label = f"{n}›" if later else str(n)
        cx = as_.x(t.uiterlijk)
        merken.append(Merk(n, t, cx, later, label, cx + 8 + breedte(label, NUMMER_PT) > BREED - 2))
    return merken


def _regellabels(intervallen: list[Interval], as_: As) -> list[tuple[float, str, float, float]]:
    """Per interval: the x of its transfer, the label's anchor, and its span."""
    labels = []
    for i in intervallen:
        x = as_.x(i.van)
        w = breedte(i.grond, REGEL_PT)
        if x + 3 + w <= PLOT_EINDE:
            labels.append((x, "start", x + 3, x + 3 + w))
        else:
            labels.append((x, "end", x - 3 - w, x - 3))
    return labels


def _regelrijen(intervallen: list[Interval], as_: As) -> tuple[list[tuple[float, str, float, float]], list[int | None]]:
    labels = _regellabels(intervallen, as_)
    return labels, rijen([(a, b) for _, _, a, b in labels], TUSSENRUIMTE, MAX_REGELRIJEN)


def _lane_naam(partij: str, y: float) -> str:
    past = int((LINKS - 14) / (LANE_PT * TEKEN))
    if len(partij) <= past:
        return f'<text x="8" y="{y}" class="lane">{escape(partij)}</text>'
    return f'<text x="8" y="{y}" class="lane">{escape(partij[: past - 1])}…<title>{escape(partij)}</title></text>'


def _tijdlijn(intervallen: list[Interval], casus: Casus, as_: As, afgesloten: bool) -> str:
    partijen = list(dict.fromkeys(i.partij for i in intervallen))
    labels, regelrij = _regelrijen(intervallen, as_)
    regelrijen = max((r + 1 for r in regelrij if r is not None), default=0)
    merken = _merken(casus, as_)
    merkrij = rijen([m.span for m in merken], 4.0)
    merkrijen = max((r + 1 for r in merkrij if r is not None), default=1)

    lanes_y = 10 + regelrijen * REGEL_RIJ + 6
    termijnen_y = lanes_y + len(partijen) * LANE + 10
    as_y = termijnen_y + merkrijen * MERK_RIJ + 8
    hoogte = as_y + 44
    delen = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{BREED}" height="{hoogte}" role="img" aria-label="tijdlijn" id="tijdlijn">']
    tiks = tikken(as_)
    for t in tiks:
        delen.append(f'<line x1="{t.x:.1f}" y1="{lanes_y}" x2="{t.x:.1f}" y2="{as_y}" class="raster"/>')
    for n, partij in enumerate(partijen):
        y = lanes_y + n * LANE
        delen.append(_lane_naam(partij, y + 19))
        delen.append(f'<line x1="{LINKS}" y1="{y + LANE - 2}" x2="{PLOT_EINDE}" y2="{y + LANE - 2}" class="baan"/>')
    if regelrijen:
        delen.append(f'<text x="8" y="{10 + REGEL_RIJ - 4}" class="kop">overdracht (regel)</text>')
    for i, (x, anker, links, _), rij in zip(intervallen, labels, regelrij, strict=True):
        titel = f"overdracht naar {i.partij} op {kort(i.van)} ({i.grond})"
        boven = 10 + (rij + 1) * REGEL_RIJ - 2 if rij is not None else lanes_y - 4
        delen.append(f'<line x1="{x:.1f}" y1="{boven}" x2="{x:.1f}" y2="{as_y}" class="overdracht"><title>{escape(titel)}</title></line>')
        if rij is not None:
            ty = 10 + (rij + 1) * REGEL_RIJ - 4
            tx = links if anker == "start" else links + breedte(i.grond, REGEL_PT)
            delen.append(f'<text x="{tx:.1f}" y="{ty}" text-anchor="{anker}" class="regel">{escape(i.grond)}</text>')
    for i in intervallen:
        y = lanes_y + partijen.index(i.partij) * LANE
        x1, x2 = as_.x(i.van), as_.x(i.tot or as_.einde)
        x1 = min(x1, PLOT_EINDE - MIN_BREEDTE)
        titel = f"{i.partij}: {kort(i.van)} - {kort(i.tot) if i.tot else 'nu'} ({i.grond})"
        vlak = f'x="{x1:.1f}" y="{y + 6}" width="{max(x2 - x1, MIN_BREEDTE):.1f}" height="20" rx="2"'
        delen.append(f'<rect {vlak} class="interval" data-partij="{escape(i.partij)}"><title>{escape(titel)}</title></rect>')
    delen.append(f'<text x="8" y="{termijnen_y + 13}" class="kop">termijnen</text>')
    for m, rij in zip(merken, merkrij, strict=True):
        cy = termijnen_y + (rij or 0) * MERK_RIJ + MERK_RIJ / 2
        kleur, soort = MERK[m.termijn.status]
        tm = m.termijn
        uitleg = f"{m.nummer}: {tm.soort} {tm.status}, uiterlijk {kort(tm.uiterlijk)} ({tm.regel})"
        nx, anker = (m.cx - 8, "end") if m.links else (m.cx + 8, "start")
        delen.append(
            f'<g class="merk" data-status="{tm.status}" data-nummer="{m.nummer}"><title>{escape(uitleg)}</title>'
            f"{vorm(soort, m.cx, cy, kleur)}"
            f'<text x="{nx:.1f}" y="{cy + 3.5:.1f}" text-anchor="{anker}" class="nummer">{escape(m.label)}</text></g>'
        )
    delen += _as(as_, tiks, lanes_y, as_y, afgesloten)
    delen.append("</svg>")
    return "\n".join(delen)


def _as(as_: As, tiks: list[Tik], lanes_y: int, as_y: int, afgesloten: bool) -> list[str]:
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


def _legenda(casus: Casus, later: bool, zonder_label: bool) -> str:
    def item(sleutel: str, teken: str, tekst: str) -> str:
        return f'<span class="item" data-legenda="{sleutel}">{teken} {escape(tekst)}</span>'

    def icoon(inhoud: str) -> str:
        return f'<svg width="16" height="16" aria-hidden="true">{inhoud}</svg>'

    delen = [
        item("interval", icoon('<rect x="1" y="3" width="14" height="10" rx="2" class="interval"/>'), "wie zicht op veiligheid had"),
        item("overdracht", icoon('<line x1="8" y1="0" x2="8" y2="16" class="overdracht"/>'), "overdracht, met de regel erboven"),
    ]
    if zonder_label:
        delen.append(
            item(
                "zonder-label",
                icoon('<line x1="8" y1="6" x2="8" y2="16" class="overdracht"/>'),
                "overdracht zonder plaats voor zijn regel: zie de tabel",
            )
        )
    gebruikt = {t.status for t in casus.termijnen}
    for status, (kleur, soort) in MERK.items():
        if status in gebruikt:
            delen.append(item(status, icoon(vorm(soort, 8, 8, kleur)), f"termijn {UITLEG[status]}"))
    if casus.termijnen:
        delen.append(item("nummer", '<span class="nummer">3</span>', "de termijn op rij 3 van de tabel Termijnen"))
    if later:
        delen.append(item("later", '<span class="nummer">3›</span>', "uiterlijk na het einde van de as, aan het eind getekend"))
    return '<div class="legenda" id="legenda">' + "".join(delen) + "</div>"


def _rijen(cellen: list[list[str]]) -> str:
    return "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in rij) + "</tr>" for rij in cellen)


def einde_van(casus: Casus, intervallen: list[Interval], gebeurtenissen: list[Gebeurtenis], nu: datetime) -> datetime:
    """Where the axis ends: the close, or now (the moment the record is read as of); never before
    a recorded fact or transfer, when a clock runs behind the record."""
    if casus.afgesloten_op is not None:
        return casus.afgesloten_op
    return max(nu, casus.ontvangen, *(e.op for e in gebeurtenissen), *(i.van for i in intervallen))


def pagina(casus: Casus, intervallen: list[Interval], gebeurtenissen: list[Gebeurtenis], nu: datetime) -> str:
    as_ = As(casus.ontvangen, einde_van(casus, intervallen, gebeurtenissen, nu))
    afgesloten = casus.afgesloten_op is not None
    termijnen = [
        [str(n), t.soort, kort(t.uiterlijk), t.status, kort(t.voldaan_op) if t.voldaan_op else "", t.regel]
        for n, t in enumerate(casus.termijnen, start=1)
    ]
    feiten = [
        [
            str(n),
            e.type,
            kort(e.op),
            kort(e.vastgelegd),
            e.actor.partij + (f"/{e.actor.medewerker}" if e.actor.medewerker else ""),
            e.regel,
            details(e),
        ]
        for n, e in enumerate(gebeurtenissen, start=1)
    ]
    overdrachten = [[i.partij, kort(i.van), kort(i.tot) if i.tot else "", i.grond, i.actor] for i in intervallen]
    status = "afgesloten" if casus.fase == "afgesloten" else "open"
    later = any(t.uiterlijk > as_.einde for t in casus.termijnen)
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Audit casus {escape(casus.casus_id)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #263238; }}
table {{ border-collapse: collapse; margin-bottom: 24px; }} td, th {{ border: 1px solid #cfd8dc; padding: 3px 8px; font-size: 13px; }}
th {{ background: #eceff1; text-align: left; }} td {{ white-space: nowrap; }}
td:last-child {{ white-space: normal; max-width: 560px; }} #gebeurtenissen td:nth-child(5) {{ white-space: normal; }}
svg text {{ font-family: {MONO}; }}
.lane {{ font-size: {LANE_PT}px; font-family: sans-serif !important; }}
.kop {{ font-size: 11px; fill: #607d8b; font-family: sans-serif !important; }}
.regel {{ font-size: {REGEL_PT}px; fill: #37474f; paint-order: stroke; stroke: #fff; stroke-width: 3px; }}
.interval {{ fill: #42a5f5; }} .overdracht {{ stroke: #78909c; stroke-dasharray: 3 3; }}
.baan {{ stroke: #eceff1; }} .raster {{ stroke: #f3f5f6; }} .as-lijn {{ stroke: #90a4ae; }}
.einde-lijn {{ stroke: #455a64; stroke-width: 1.5; }}
.tik, .as-begin, .as-einde {{ font-size: {AS_PT}px; fill: #546e7a; }} .as-einde {{ fill: #263238; }}
.nummer {{ font-size: {NUMMER_PT}px; fill: #37474f; font-family: {MONO}; }} .legenda .nummer {{ font-size: 12px; font-weight: bold; }}
.legenda {{ margin: 6px 0 18px; }}
.legenda .item {{ display: inline-flex; align-items: center; gap: 4px; margin-right: 16px; font-size: 13px; }}
</style></head><body>
<h1>Audit casus {escape(casus.casus_id)}</h1>
<p>beleid <b>{escape(casus.beleid)}</b> (hash {escape(casus.beleid_hash[:12])}), gemeente <b>{escape(casus.gemeente)}</b>,
huishouden <b>{escape(casus.huishouden)}</b>, status <b id="status">{status}</b>, fase {escape(casus.fase)}</p>
<h2>Verantwoordelijkheid voor zicht op veiligheid</h2>
{_tijdlijn(intervallen, casus, as_, afgesloten)}
{_legenda(casus, later, None in _regelrijen(intervallen, as_)[1])}
<table id="verantwoordelijkheid"><tr><th>partij</th><th>van</th><th>tot</th><th>grond</th><th>actor</th></tr>
{_rijen(overdrachten)}</table>
<h2>Termijnen</h2>
<table id="termijnen"><tr><th>#</th><th>soort</th><th>uiterlijk</th><th>status</th><th>voldaan op</th><th>regel</th></tr>
{_rijen(termijnen)}</table>
<h2>Gebeurtenissen</h2>
<table id="gebeurtenissen">
<tr><th>#</th><th>gebeurtenis</th><th>op</th><th>vastgelegd</th><th>actor</th><th>regel</th><th>gegevens</th></tr>
{_rijen(feiten)}</table>
</body></html>
"""
