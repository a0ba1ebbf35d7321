"""The SVG timeline on the audit page (service/audit_html.py): who held zicht op veiligheid (a lane
per party, each transfer marked with its rule) and the deadlines met, late or lapsed, with its
legend. Laid out so that nothing hides anything else, at every span from an hour to years: rule
labels and deadline marks go in rows (service/audit_tijdas.py), and an interval is never narrower
than `MIN_BREEDTE`."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from domain.toestand import Casus, Termijn
from projections.verantwoordelijkheid import Interval
from service.audit_feiten import kort
from service.audit_tijdas import BREED, LINKS, PLOT_EINDE, TEKEN, TUSSENRUIMTE, As, aantal_rijen, breedte, rijen, teken_as, tikken

MIN_BREEDTE = 6.0
"""The narrowest an interval is drawn (px), however short it was."""
REGEL_PT, NUMMER_PT, LANE_PT = 11, 10, 13
REGEL_RIJ, LANE, MERK_RIJ = 15, 32, 18
MAX_REGELRIJEN = 5
"""Rows for the transfers' rule labels; a label that clears none of them is left out of the drawing
(its rule stays on the transfer line's title and in the table)."""

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

Regellabel = tuple[float, str, float, float]
"""A transfer's rule label: the x of the transfer, the label's anchor, and its span."""
Regelrijen = tuple[list[Regellabel], list[int | None]]
"""The transfers' rule labels and the row of each (None: left out of the drawing)."""


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


def _regellabels(intervallen: list[Interval], as_: As) -> list[Regellabel]:
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


def regelrijen(intervallen: list[Interval], as_: As) -> Regelrijen:
    """The transfers' rule labels and the row of each; None for a label left out of the drawing."""
    labels = _regellabels(intervallen, as_)
    return labels, rijen([(a, b) for _, _, a, b in labels], TUSSENRUIMTE, MAX_REGELRIJEN)


def _lane_naam(partij: str, y: float) -> str:
    past = int((LINKS - 14) / (LANE_PT * TEKEN))
    if len(partij) <= past:
        return f'<text x="8" y="{y}" class="lane">{escape(partij)}</text>'
    return f'<text x="8" y="{y}" class="lane">{escape(partij[: past - 1])}…<title>{escape(partij)}</title></text>'


def _banen(partijen: list[str], lanes_y: int) -> list[str]:
    delen = []
    for n, partij in enumerate(partijen):
        y = lanes_y + n * LANE
        delen.append(_lane_naam(partij, y + 19))
        delen.append(f'<line x1="{LINKS}" y1="{y + LANE - 2}" x2="{PLOT_EINDE}" y2="{y + LANE - 2}" class="baan"/>')
    return delen


def _overdrachten(intervallen: list[Interval], regels: Regelrijen, lanes_y: int, as_y: int) -> list[str]:
    """Each transfer's line from its rule label (or the lanes' top) down to the axis."""
    labels, regelrij = regels
    delen = []
    if aantal_rijen(regelrij, 0):
        delen.append(f'<text x="8" y="{10 + REGEL_RIJ - 4}" class="kop">overdracht (regel)</text>')
    for i, (x, anker, links, _), rij in zip(intervallen, labels, regelrij, strict=True):
        titel = f"overdracht naar {i.partij} op {kort(i.van)} ({i.grond})"
        boven = 10 + (rij + 1) * REGEL_RIJ - 2 if rij is not None else lanes_y - 4
        delen.append(f'<line x1="{x:.1f}" y1="{boven}" x2="{x:.1f}" y2="{as_y}" class="overdracht"><title>{escape(titel)}</title></line>')
        if rij is not None:
            ty = 10 + (rij + 1) * REGEL_RIJ - 4
            tx = links if anker == "start" else links + breedte(i.grond, REGEL_PT)
            delen.append(f'<text x="{tx:.1f}" y="{ty}" text-anchor="{anker}" class="regel">{escape(i.grond)}</text>')
    return delen


def _vlakken(intervallen: list[Interval], partijen: list[str], as_: As, lanes_y: int) -> list[str]:
    """Each interval on its party's lane, at least `MIN_BREEDTE` wide."""
    delen = []
    for i in intervallen:
        y = lanes_y + partijen.index(i.partij) * LANE
        x1, x2 = as_.x(i.van), as_.x(i.tot or as_.einde)
        x1 = min(x1, PLOT_EINDE - MIN_BREEDTE)
        titel = f"{i.partij}: {kort(i.van)} - {kort(i.tot) if i.tot else 'nu'} ({i.grond})"
        vlak = f'x="{x1:.1f}" y="{y + 6}" width="{max(x2 - x1, MIN_BREEDTE):.1f}" height="20" rx="2"'
        delen.append(f'<rect {vlak} class="interval" data-partij="{escape(i.partij)}"><title>{escape(titel)}</title></rect>')
    return delen


def _termijnmerken(merken: list[Merk], merkrij: list[int | None], termijnen_y: int) -> list[str]:
    delen = [f'<text x="8" y="{termijnen_y + 13}" class="kop">termijnen</text>']
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
    return delen


def teken_tijdlijn(intervallen: list[Interval], casus: Casus, as_: As, afgesloten: bool) -> str:
    """The timeline, top to bottom: the rule labels' rows, a lane per party, the deadlines' rows, the axis."""
    partijen = list(dict.fromkeys(i.partij for i in intervallen))
    regels = regelrijen(intervallen, as_)
    merken = _merken(casus, as_)
    merkrij = rijen([m.span for m in merken], 4.0)
    lanes_y = 10 + aantal_rijen(regels[1], 0) * REGEL_RIJ + 6
    termijnen_y = lanes_y + len(partijen) * LANE + 10
    as_y = termijnen_y + aantal_rijen(merkrij, 1) * MERK_RIJ + 8
    hoogte = as_y + 44
    delen = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{BREED}" height="{hoogte}" role="img" aria-label="tijdlijn" id="tijdlijn">']
    tiks = tikken(as_)
    for t in tiks:
        delen.append(f'<line x1="{t.x:.1f}" y1="{lanes_y}" x2="{t.x:.1f}" y2="{as_y}" class="raster"/>')
    delen += _banen(partijen, lanes_y)
    delen += _overdrachten(intervallen, regels, lanes_y, as_y)
    delen += _vlakken(intervallen, partijen, as_, lanes_y)
    delen += _termijnmerken(merken, merkrij, termijnen_y)
    delen += teken_as(as_, tiks, lanes_y, as_y, afgesloten)
    delen.append("</svg>")
    return "\n".join(delen)


def legenda(casus: Casus, later: bool, zonder_label: bool) -> str:
    """What each sign on the timeline means; only the deadline statuses drawn, and the extra
    signs only when drawn."""

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
