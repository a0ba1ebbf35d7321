"""One decision per caseworker action; each cites the rule it applies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import (
    CLIENTSYSTEEM,
    JEUGDHULP,
    MDA,
    MELDER,
    VEILIG_THUIS,
    instelling,
    team,
    team_id,
)
from domain.stap import Stap, crisis, vereis_fase, vereis_partij
from domain.tijd import einde_kalenderdag, lokaal
from domain.weigering import Weigering

DIENSTEN = ("voorwaarden-en-vervolg", "onderzoek")
# The information items of the overdrachtsformulier (IJM-3.3.3 / GM-5.1.3).
FORMULIER = ("inhoud-melding", "contactgegevens-melder", "uitkomst-veiligheidsbeoordeling", "informatie-beoordeling")
# What the household is told (IJM-3.3.2 / GM-5.1.4).
BRIEF_GEZIN = ("melding", "dossier", "besluit", "overnemende-partner", "doorgegeven-informatie", "vervolgstappen")


def spoed_vaststellen(s: Stap, _: o.SpoedVaststellen) -> list[Gebeurtenis]:
    """IJM-3.1a: acuteness found later gives Veilig Thuis the responsibility from that moment."""
    regel = s.beleid.regels.acuut
    vereis_partij(s, VEILIG_THUIS, regel, "spoed-vastgesteld")
    vereis_fase(s, ("beoordeling",), regel, "spoed-vastgesteld")
    if s.casus.acuut:
        raise Weigering(regel, "the casus is acute already")
    return [s.maak(g.SpoedVastgesteld, regel), *s.draag_over(VEILIG_THUIS, regel), *crisis(s)]


def beoordeling_afronden(s: Stap, b: o.BeoordelingAfronden) -> list[Gebeurtenis]:
    regels = s.beleid.regels
    vereis_partij(s, VEILIG_THUIS, regels.uitkomsten, "beoordeling-afronden")
    vereis_fase(s, ("beoordeling",), regels.uitkomsten, "beoordeling-afronden")
    _controleer_besluit(s, b)
    events: list[Gebeurtenis] = [
        s.maak(g.BeoordelingAfgerond, regels.uitkomsten, besluit=b.besluit, team=b.team, instelling=b.instelling, criteria=b.criteria)
    ]
    if not s.casus.beoordeeld:
        # IJM-3.3.1a / GM-5.1.1: a late beoordeling is accepted and recorded as late.
        events += s.voldoe(s.casus.termijn("veiligheidsbeoordeling"))
    if s.casus.houder == MELDER:
        events += s.draag_over(VEILIG_THUIS, regels.na_beoordeling)  # IJM-3.1c
    if b.besluit == "direct-overdracht" and b.team is not None:
        return events + _direct(s, team(b.team))
    if b.besluit in DIENSTEN:
        return events
    naar = {"jeugdhulp": JEUGDHULP, "mda": MDA, "clientsysteem": CLIENTSYSTEEM}.get(b.besluit)
    return events + s.draag_over(naar or instelling(b.instelling or ""), regels.overdracht_uitkomst)


def _controleer_besluit(s: Stap, b: o.BeoordelingAfronden) -> None:
    beleid, regels = s.beleid, s.beleid.regels
    if b.besluit not in beleid.uitkomsten:
        raise Weigering(
            regels.uitkomsten,
            f"besluit '{b.besluit}' is not an outcome of {beleid.id}; accepted: {', '.join(beleid.uitkomsten)}",
            veld="besluit",
        )
    if (b.team is not None) != (b.besluit == "direct-overdracht"):
        raise Weigering(regels.uitkomsten, "team is required with besluit direct-overdracht, and only there", veld="team")
    if (b.instelling is not None) != (b.besluit == "instelling"):
        raise Weigering(regels.uitkomsten, "instelling is required with besluit instelling, and only there", veld="instelling")
    onbekend = [c for c in b.criteria if c not in beleid.tenzij_criteria]
    if onbekend:
        bekend = ", ".join(beleid.tenzij_criteria) or "none"
        raise Weigering(
            regels.tenzij or regels.uitkomsten, f"unknown criteria {', '.join(onbekend)}; {beleid.id} knows: {bekend}", veld="criteria"
        )
    if b.team is not None:
        _controleer_team(s, b.team)
        _controleer_tenzij(s, b.criteria)


def _controleer_team(s: Stap, team_naam: str) -> None:
    beleid = s.beleid
    t = beleid.team(team_naam)
    geschikt = [x.id for x in beleid.teams if x.neemt_casussen and s.casus.gemeente in x.gemeenten]
    if t is None or team_naam not in geschikt:
        raise Weigering(
            beleid.regels.overdracht_direct,
            f"team '{team_naam}' does not take casussen in {s.casus.gemeente}; accepted: {', '.join(geschikt)}",
            veld="team",
        )


def _controleer_tenzij(s: Stap, criteria: tuple[str, ...]) -> None:
    """IJM-3.2 / IJM-3.3: no direct overdracht when a criterion holds; melder-anoniem and
    acute-dreiging follow from the melding itself."""
    afgeleid = {"melder-anoniem": s.casus.melder.anoniem, "acute-dreiging": s.casus.acuut}
    gelden = [c for c in s.beleid.tenzij_criteria if c in criteria or afgeleid.get(c, False)]
    if gelden and s.beleid.regels.tenzij:
        raise Weigering(
            s.beleid.regels.tenzij,
            f"direct-overdracht is not allowed when {', '.join(gelden)} holds; "
            "Veilig Thuis keeps the casus (besluit voorwaarden-en-vervolg or onderzoek)",
            veld="criteria",
        )


def _direct(s: Stap, naar: str) -> list[Gebeurtenis]:
    regels = s.beleid.regels
    formulier = s.maak(g.BerichtVerstuurd, regels.informatie_overdracht, soort="overdrachtsformulier", aan=naar, inhoud=_formulier(s))
    if s.beleid.overdracht_direct_moment == "acceptatie":
        return [s.maak(g.OverdrachtAangeboden, regels.overdracht_direct, aan=naar), formulier]
    return [*s.draag_over(naar, regels.overdracht_direct), formulier, *_na_overdracht(s)]  # GM-5.1.5


def _formulier(s: Stap) -> tuple[str, ...]:
    return tuple(i for i in FORMULIER if i != "contactgegevens-melder" or not s.casus.melder.anoniem)


def _na_overdracht(s: Stap) -> list[Gebeurtenis]:
    """T-3b: the team has received the data; its 14 days run. IJM-3.3.1c: letters go out."""
    regels = s.beleid.regels
    dagen = s.beleid.contact_gezin_dagen
    anoniem = s.casus.melder.anoniem
    return [
        s.termijn("contact-gezin", einde_kalenderdag(s.op, dagen), regels.contact_gezin),
        s.maak(g.BerichtVerstuurd, regels.brieven, soort="brief-gezin", aan=f"huishouden:{s.casus.huishouden}", inhoud=BRIEF_GEZIN),
        s.maak(
            g.BerichtVerstuurd, regels.brieven, soort="terugkoppeling-melder", aan=MELDER, inhoud=("vervolgstappen",), bezorgd=not anoniem
        ),
    ]


def overdracht_accepteren(s: Stap, _: o.OverdrachtAccepteren) -> list[Gebeurtenis]:
    regel = s.beleid.regels.overdracht_direct
    c = s.casus
    if c.fase == "overgedragen" and c.houder == s.actor.partij and c.geaccepteerd_door is None:
        return [s.maak(g.OverdrachtGeaccepteerd, regel, door=s.actor.partij)]  # GM-5.1.5: recorded, moves nothing
    vereis_fase(s, ("overdracht-aangeboden",), regel, "overdracht-accepteren")
    vereis_partij(s, c.aangeboden_aan, regel, "overdracht-accepteren (only the team the casus was offered to)")
    return [s.maak(g.OverdrachtGeaccepteerd, regel, door=s.actor.partij), *s.draag_over(s.actor.partij, regel), *_na_overdracht(s)]


def overdracht_weigeren(s: Stap, w: o.OverdrachtWeigeren) -> list[Gebeurtenis]:
    regel = s.beleid.regels.overdracht_geweigerd
    vereis_fase(s, ("overdracht-aangeboden",), regel, "overdracht-weigeren")
    vereis_partij(s, s.casus.aangeboden_aan, regel, "overdracht-weigeren (only the team the casus was offered to)")
    return [s.maak(g.OverdrachtGeweigerd, regel, door=s.actor.partij, reden=w.reden)]


def contact_gelegd(s: Stap, _: o.ContactLeggen) -> list[Gebeurtenis]:
    regel = s.beleid.regels.contact_gezin
    houder = s.casus.houder
    vereis_fase(s, ("overgedragen",), regel, "contact-gelegd")
    vereis_partij(s, houder if houder and team_id(houder) else None, regel, "contact-gelegd")
    if s.casus.contact_gelegd is not None:
        raise Weigering(regel, f"contact with the household was registered already, at {lokaal(s.casus.contact_gelegd)}")
    return [s.maak(g.ContactGelegd, regel), *s.voldoe(s.casus.termijn("contact-gezin"))]


def afsluiten(s: Stap, a: o.Afsluiten) -> list[Gebeurtenis]:
    regels = s.beleid.regels
    houder = s.casus.houder
    if houder in (VEILIG_THUIS, MELDER):
        # IJM-3.1e: Veilig Thuis's responsibility ends only by a transfer to a partner.
        raise Weigering(
            regels.overdracht_uitkomst, f"{houder} holds the responsibility; it ends only by a transfer to a partner, not by closing"
        )
    sluiter = houder if houder and team_id(houder) else VEILIG_THUIS
    vereis_partij(s, sluiter, regels.afsluiten, "afsluiten")
    vervallen = [s.maak(g.TermijnVervallen, t.regel, termijn_id=t.id, reden="casus afgesloten") for t in s.casus.open_termijnen()]
    return [*vervallen, s.maak(g.CasusAfgesloten, regels.afsluiten, reden=a.reden)]


HANDLERS: dict[str, Callable[[Stap, Any], list[Gebeurtenis]]] = {
    "spoed-vastgesteld": spoed_vaststellen,
    "beoordeling-afronden": beoordeling_afronden,
    "overdracht-accepteren": overdracht_accepteren,
    "overdracht-weigeren": overdracht_weigeren,
    "contact-gelegd": contact_gelegd,
    "afsluiten": afsluiten,
}
