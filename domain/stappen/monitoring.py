"""Monitoring by Veilig Thuis after an overdracht following a dienst (IJM-3.4.5; GM-5.2.7)."""

from __future__ import annotations

from datetime import timedelta

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import CLIENTSYSTEEM, VEILIG_THUIS
from domain.stap import Stap, vereis_partij
from domain.tijd import begin_van, lokale_datum
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
    oordeel = s.maak(
        g.MonitoringOordeelGegeven, regels.monitoring_oordeel, termijn_id=moment.id,
        voorwaarden_voldaan=m.voorwaarden_voldaan, directe_veiligheid=m.directe_veiligheid,
        stabiele_veiligheid=m.stabiele_veiligheid, herstel_aandacht=m.herstel_aandacht,
    )  # fmt: skip
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
