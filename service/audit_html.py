"""`casus audit ID --html FILE`: one self-contained page for an auditor: an SVG timeline of who
held zicht op veiligheid (a lane per party, each transfer marked with its rule), the deadlines
met, late or lapsed, and every recorded fact."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from domain.gebeurtenissen import Gebeurtenis
from domain.tijd import lokaal
from domain.toestand import Casus
from projections.verantwoordelijkheid import Interval

KLEUR = {"voldaan": "#2e7d32", "te-laat": "#ef6c00", "verstreken": "#c62828", "open": "#757575", "vervallen": "#b0bec5",
         "afgelopen": "#b0bec5", "van-rechtswege": "#1565c0"}  # fmt: skip
LANE, LINKS, BREED = 34, 230, 1100


def _kort(moment: datetime) -> str:
    return lokaal(moment)[:16].replace("T", " ")


def _tijdlijn(intervallen: list[Interval], casus: Casus, einde: datetime) -> str:
    begin = casus.ontvangen
    span = max((einde - begin).total_seconds(), 1.0)

    def x(moment: datetime) -> float:
        return LINKS + (moment - begin).total_seconds() / span * (BREED - LINKS - 20)

    partijen = list(dict.fromkeys(i.partij for i in intervallen))
    hoogte = (len(partijen) + 2) * LANE + 40
    delen = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{BREED}" height="{hoogte}" role="img" aria-label="tijdlijn">']
    for n, partij in enumerate(partijen):
        y = 20 + n * LANE
        delen.append(f'<text x="8" y="{y + 21}" class="lane">{escape(partij)}</text>')
        delen.append(f'<line x1="{LINKS}" y1="{y + 30}" x2="{BREED - 10}" y2="{y + 30}" stroke="#eceff1"/>')
    for i in intervallen:
        y = 20 + partijen.index(i.partij) * LANE
        x1, x2 = x(i.van), x(i.tot or einde)
        titel = f"{i.partij}: {_kort(i.van)} - {_kort(i.tot) if i.tot else 'nu'} ({i.grond})"
        vlak = f'x="{x1:.1f}" y="{y + 6}" width="{max(x2 - x1, 2):.1f}" height="22" rx="3"'
        delen.append(f'<rect {vlak} class="interval"><title>{escape(titel)}</title></rect>')
        delen.append(f'<line x1="{x1:.1f}" y1="8" x2="{x1:.1f}" y2="{hoogte - 60}" class="overdracht"/>')
        delen.append(f'<text x="{x1 + 3:.1f}" y="{y + 4}" class="regel">{escape(i.grond)}</text>')
    y = 20 + len(partijen) * LANE + 10
    delen.append(f'<text x="8" y="{y + 12}" class="lane">termijnen</text>')
    for t in casus.termijnen:
        cx = x(min(t.uiterlijk, einde))
        uitleg = escape(f"{t.soort} {t.status}")
        delen.append(f'<circle cx="{cx:.1f}" cy="{y + 8}" r="6" fill="{KLEUR[t.status]}"><title>{uitleg}</title></circle>')
    delen.append(f'<text x="{LINKS}" y="{hoogte - 8}" class="as">{escape(_kort(begin))}</text>')
    delen.append(f'<text x="{BREED - 150}" y="{hoogte - 8}" class="as">{escape(_kort(einde))}</text>')
    delen.append("</svg>")
    return "\n".join(delen)


def _rijen(cellen: list[list[str]]) -> str:
    return "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in rij) + "</tr>" for rij in cellen)


def pagina(casus: Casus, intervallen: list[Interval], gebeurtenissen: list[Gebeurtenis], nu: datetime) -> str:
    einde = casus.afgesloten_op or max(nu, *(e.op for e in gebeurtenissen)) + timedelta(days=1)
    termijnen = [[t.soort, _kort(t.uiterlijk), t.status, _kort(t.voldaan_op) if t.voldaan_op else "", t.regel] for t in casus.termijnen]
    feiten = [
        [
            str(n),
            e.type,
            _kort(e.op),
            _kort(e.vastgelegd),
            e.actor.partij + (f"/{e.actor.medewerker}" if e.actor.medewerker else ""),
            e.regel,
        ]
        for n, e in enumerate(gebeurtenissen, start=1)
    ]
    overdrachten = [[i.partij, _kort(i.van), _kort(i.tot) if i.tot else "", i.grond, i.actor] for i in intervallen]
    status = "afgesloten" if casus.fase == "afgesloten" else "open"
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Audit casus {escape(casus.casus_id)}</title>
<style>
body {{ font-family: sans-serif; margin: 24px; color: #263238; }}
table {{ border-collapse: collapse; margin-bottom: 24px; }} td, th {{ border: 1px solid #cfd8dc; padding: 3px 8px; font-size: 13px; }}
th {{ background: #eceff1; text-align: left; }} .lane {{ font-size: 13px; }} .regel {{ font-size: 11px; fill: #37474f; }}
.interval {{ fill: #42a5f5; }} .overdracht {{ stroke: #90a4ae; stroke-dasharray: 3 3; }} .as {{ font-size: 11px; fill: #607d8b; }}
.legenda span {{ display: inline-block; margin-right: 14px; font-size: 13px; }}
</style></head><body>
<h1>Audit casus {escape(casus.casus_id)}</h1>
<p>beleid <b>{escape(casus.beleid)}</b> (hash {escape(casus.beleid_hash[:12])}), gemeente <b>{escape(casus.gemeente)}</b>,
huishouden <b>{escape(casus.huishouden)}</b>, status <b id="status">{status}</b>, fase {escape(casus.fase)}</p>
<h2>Verantwoordelijkheid voor zicht op veiligheid</h2>
{_tijdlijn(intervallen, casus, einde)}
<p class="legenda">{"".join(f'<span style="color:{k}">&#9679; {escape(s)}</span>' for s, k in KLEUR.items())}</p>
<table id="verantwoordelijkheid"><tr><th>partij</th><th>van</th><th>tot</th><th>grond</th><th>actor</th></tr>
{_rijen(overdrachten)}</table>
<h2>Termijnen</h2>
<table id="termijnen"><tr><th>soort</th><th>uiterlijk</th><th>status</th><th>voldaan op</th><th>regel</th></tr>
{_rijen(termijnen)}</table>
<h2>Gebeurtenissen</h2>
<table id="gebeurtenissen"><tr><th>#</th><th>gebeurtenis</th><th>op</th><th>vastgelegd</th><th>actor</th><th>regel</th></tr>
{_rijen(feiten)}</table>
</body></html>
"""
