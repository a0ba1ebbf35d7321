"""`casus audit ID --html FILE`: one self-contained page for an auditor: an SVG timeline of who
held zicht op veiligheid (a lane per party, each transfer marked with its rule), the deadlines
met, late or lapsed, and every recorded fact with what it changed.

The timeline is drawn by service/audit_tijdlijn.py on the axis of service/audit_tijdas.py; the
facts' wording is service/audit_feiten.py's; this module puts them on one page."""

from __future__ import annotations

from datetime import datetime
from html import escape

from domain.gebeurtenissen import Gebeurtenis
from domain.toestand import Casus
from projections.verantwoordelijkheid import Interval
from service.audit_feiten import details, kort
from service.audit_tijdas import AS_PT, MONO, As
from service.audit_tijdlijn import LANE_PT, NUMMER_PT, REGEL_PT, legenda, regelrijen, teken_tijdlijn

_STIJL = f"""body {{ font-family: sans-serif; margin: 24px; color: #263238; }}
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
"""


def _rijen(cellen: list[list[str]]) -> str:
    return "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in rij) + "</tr>" for rij in cellen)


def _feiten(gebeurtenissen: list[Gebeurtenis]) -> list[list[str]]:
    return [
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
    overdrachten = [[i.partij, kort(i.van), kort(i.tot) if i.tot else "", i.grond, i.actor] for i in intervallen]
    status = "afgesloten" if casus.fase == "afgesloten" else "open"
    later = any(t.uiterlijk > as_.einde for t in casus.termijnen)
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Audit casus {escape(casus.casus_id)}</title>
<style>
{_STIJL}</style></head><body>
<h1>Audit casus {escape(casus.casus_id)}</h1>
<p>beleid <b>{escape(casus.beleid)}</b> (hash {escape(casus.beleid_hash[:12])}), gemeente <b>{escape(casus.gemeente)}</b>,
huishouden <b>{escape(casus.huishouden)}</b>, status <b id="status">{status}</b>, fase {escape(casus.fase)}</p>
<h2>Verantwoordelijkheid voor zicht op veiligheid</h2>
{teken_tijdlijn(intervallen, casus, as_, afgesloten)}
{legenda(casus, later, None in regelrijen(intervallen, as_)[1])}
<table id="verantwoordelijkheid"><tr><th>partij</th><th>van</th><th>tot</th><th>grond</th><th>actor</th></tr>
{_rijen(overdrachten)}</table>
<h2>Termijnen</h2>
<table id="termijnen"><tr><th>#</th><th>soort</th><th>uiterlijk</th><th>status</th><th>voldaan op</th><th>regel</th></tr>
{_rijen(termijnen)}</table>
<h2>Gebeurtenissen</h2>
<table id="gebeurtenissen">
<tr><th>#</th><th>gebeurtenis</th><th>op</th><th>vastgelegd</th><th>actor</th><th>regel</th><th>gegevens</th></tr>
{_rijen(_feiten(gebeurtenissen))}</table>
</body></html>
"""
