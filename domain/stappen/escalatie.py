"""Escalation when Veilig Thuis and the team cannot agree, and informing the gemeente (IJM-3.8; GM-5.4)."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import GEMEENTE, VEILIG_THUIS
from domain.stap import Stap, vereis_partij
from domain.tijd import einde_kalenderdag
from domain.weigering import Weigering


def _betrokken(s: Stap) -> tuple[str | None, ...]:
    """The parties to a disagreement; IJM-3.8a (rev. 2026-11-30): also the team that has just declined
    the casus, until it is offered to another team."""
    return (VEILIG_THUIS, s.houdend_team, s.casus.aangeboden_aan, s.casus.dienst_team, s.casus.geweigerd_door)


def opschalen(s: Stap, o_: o.Opschalen) -> list[Gebeurtenis]:
    regel = s.beleid.regels.opschalen
    vereis_partij(s, _betrokken(s), regel, "opschalen")
    if s.casus.opgeschaald:
        raise Weigering(regel, "the casus is escalated already; record the decision with opschaling-besluit")
    return [s.maak(g.Geregistreerd, regel, actie="opschalen", velden={"reden": o_.reden})]


def opschaling_besluit(s: Stap, b: o.OpschalingBesluit) -> list[Gebeurtenis]:
    regel = s.beleid.regels.opschalen
    vereis_partij(s, _betrokken(s), regel, "opschaling-besluit")
    if not s.casus.opgeschaald:
        raise Weigering(regel, "there is no escalation to decide on (opschalen first)")
    return [s.maak(g.Geregistreerd, regel, actie="opschaling-besluit", velden={"besluit": b.besluit})]


def gemeente_informeren(s: Stap, i: o.GemeenteInformeren) -> list[Gebeurtenis]:
    """IJM-3.8b: when parties repeatedly fail the agreements, the gemeente answers within 6 weeks."""
    beleid, regels = s.beleid, s.beleid.regels
    vereis_partij(s, _betrokken(s), regels.gemeente_informeren, "gemeente-informeren")
    events: list[Gebeurtenis] = [
        s.maak(g.Geregistreerd, regels.gemeente_informeren, actie="gemeente-informeren", velden={"reden": i.reden})
    ]
    if beleid.gemeente_reactie_weken and regels.gemeente_reactie:
        events.append(s.termijn("gemeente-reactie", einde_kalenderdag(s.op, 7 * beleid.gemeente_reactie_weken), regels.gemeente_reactie))
    return events


def gemeente_reactie(s: Stap, _: o.GemeenteReactie) -> list[Gebeurtenis]:
    regels = s.beleid.regels
    regel = regels.gemeente_reactie or regels.gemeente_informeren
    vereis_partij(s, GEMEENTE, regel, "gemeente-reactie")
    if not s.casus.gemeente_geinformeerd:
        raise Weigering(regel, "the gemeente was not informed about this casus (gemeente-informeren first)")
    return [s.maak(g.Geregistreerd, regel, actie="gemeente-reactie"), *s.voldoe(s.casus.termijn("gemeente-reactie"))]
