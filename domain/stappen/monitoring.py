"""Monitoring by Veilig Thuis after an overdracht following a dienst (IJM-3.4.5; GM-5.2.7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import CLIENTSYSTEEM, VEILIG_THUIS
from domain.stap import Stap, vereis_partij
from domain.tijd import begin_van, lokale_datum
from domain.toestand import Termijn
from domain.weigering import Weigering

MOMENTEN = ("monitoring-3m", "monitoring-12m", "monitoring-vervolg")


def _vereis_monitoring(s: Stap, wat: str) -> None:
    regels = s.beleid.regels
    vereis_partij(s, VEILIG_THUIS, regels.monitoring_oordeel, wat)
    if s.casus.monitoring:
        return
    if s.casus.overdracht == "direct":
        raise Weigering(regels.geen_monitoring_direct, "there is no monitoring after a direct overdracht")
    raise Weigering(regels.monitoring, "no monitoring runs for this casus (it starts with an overdracht after a dienst)")


def monitoring_oordeel(s: Stap, m: o.MonitoringOordeel) -> list[Gebeurtenis]:
    """IJM-3.4.5b / GM-5.2.7: the four questions at each planned moment; IJM-3.4.5b asks direct and
    stable safety as one question, and both must be positive either way."""
    regels = s.beleid.regels
    _vereis_monitoring(s, "monitoring-oordeel")
    planning = sorted(s.casus.openstaand(*MOMENTEN), key=lambda t: t.uiterlijk)
    if not planning:
        raise Weigering(regels.monitoring, "no monitoring moment is planned; plan one with monitoring-verlengen")
    moment, rest = planning[0], planning[1:]
    vanaf = venster_vanaf(s, moment)
    if vanaf is not None and s.op < vanaf:
        return [_oordeel(s, m, None, regels.monitoring_venster or regels.monitoring_oordeel)]
    oordeel = _oordeel(s, m, moment.id, regels.monitoring_oordeel)
    events: list[Gebeurtenis] = [oordeel, *s.voldoe(moment)]
    if oordeel.positief and rest and s.beleid.monitoring_vroeg_afsluiten and regels.monitoring_vroeg:
        # GM-5.2.7b: all four positive at any moment ends monitoring; the later moments lapse.
        events += [s.maak(g.TermijnVervallen, regels.monitoring_vroeg, termijn_id=t.id, reden="monitoring beëindigd") for t in rest]
        return events + _einde(s, regels.monitoring_vroeg)
    if rest:
        return events  # without an early end every planned moment is held, whatever the oordeel
    if oordeel.positief:
        return events + _einde(s, regels.monitoring)
    return [*events, s.maak(g.MonitoringBesluitNodig, regels.monitoring_oordeel)]


def venster_vanaf(s: Stap, moment: Termijn) -> datetime | None:
    """IJM-3.4.5e / GM-5.2.7d: an oordeel counts for a planned moment from `monitoring_venster_weken`
    before the moment's day (the day whose end is its deadline) until its deadline."""
    weken = s.beleid.monitoring_venster_weken
    if weken is None:
        return None  # a policy written before the revision of 2026-11-30 has no window
    dag = lokale_datum(moment.uiterlijk - timedelta(microseconds=1))
    return begin_van(dag - timedelta(weeks=weken))


def _oordeel(s: Stap, m: o.MonitoringOordeel, termijn_id: str | None, regel: str) -> g.MonitoringOordeelGegeven:
    """An oordeel on a planned moment, or (termijn_id None) an extra contact before its window,
    "vaker indien nodig": it meets no moment and ends no monitoring."""
    return s.maak(
        g.MonitoringOordeelGegeven, regel, termijn_id=termijn_id,
        voorwaarden_voldaan=m.voorwaarden_voldaan, directe_veiligheid=m.directe_veiligheid,
        stabiele_veiligheid=m.stabiele_veiligheid, herstel_aandacht=m.herstel_aandacht,
    )  # fmt: skip


def _einde(s: Stap, regel: str) -> list[Gebeurtenis]:
    events: list[Gebeurtenis] = [s.maak(g.MonitoringBeeindigd, regel, reden="positief oordeel")]
    if s.casus.houder == CLIENTSYSTEEM:
        # IJM-4.3a: the team closed while monitoring ran; the casus closes when monitoring ends.
        events.append(s.maak(g.CasusAfgesloten, s.beleid.regels.afsluiten, reden="monitoring beëindigd"))
    return events


def monitoring_verlengen(s: Stap, v: o.MonitoringVerlengen) -> list[Gebeurtenis]:
    """IJM-3.4.5a: more often or longer when needed: a further moment, deadline monitoring-vervolg."""
    regels = s.beleid.regels
    _vereis_monitoring(s, "monitoring-verlengen")
    if v.tot <= lokale_datum(s.op):
        raise Weigering(regels.monitoring, f"tot ({v.tot}) must lie after the day it is decided ({lokale_datum(s.op)})", veld="tot")
    uiterlijk = begin_van(v.tot + timedelta(days=1))
    return [
        s.maak(g.Geregistreerd, regels.monitoring, actie="monitoring-verlengen", velden={"tot": v.tot.isoformat()}),
        s.termijn("monitoring-vervolg", uiterlijk, regels.monitoring),
    ]
