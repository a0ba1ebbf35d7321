"""The lokaal team's part after the overdracht (IJM-4; GM-7) and Veilig Thuis's support (IJM-3.5; GM-5.3a)."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import CLIENTSYSTEEM, MELDER, VEILIG_THUIS
from domain.stap import Stap, vereis_fase, vereis_partij
from domain.tijd import begin_van, lokaal, lokale_datum, maanden_later
from domain.weigering import Weigering


def incident(s: Stap, i: o.Incident) -> list[Gebeurtenis]:
    """IJM-4.1 / GM-7.1: an incident of unsafety restarts the six months towards stable safety."""
    regel = s.beleid.regels.stabiele_veiligheid
    vereis_partij(s, (VEILIG_THUIS, s.houdend_team), regel, "incident")
    return [s.maak(g.IncidentGeregistreerd, regel, omschrijving=i.omschrijving)]


def stabiele_veiligheid(s: Stap, v: o.StabieleVeiligheid) -> list[Gebeurtenis]:
    regel = s.beleid.regels.stabiele_veiligheid
    vereis_fase(s, ("overgedragen",), regel, "stabiele-veiligheid")
    vereis_partij(s, s.houdend_team, regel, "stabiele-veiligheid")
    maanden = s.beleid.stabiel_na_maanden
    laatste = s.casus.laatste_incident if s.herziening else s.casus.laatst_geregistreerd_incident
    basis = max(s.casus.ontvangen, laatste or s.casus.ontvangen)
    vanaf = begin_van(maanden_later(lokale_datum(basis), maanden))
    if s.op < vanaf:
        raise Weigering(
            regel, f"stable safety needs {maanden} months without an incident since {lokaal(basis)}: not before {lokaal(vanaf)}"
        )
    for veld, waarde in (("risicofactoren-aangepakt", v.risicofactoren_aangepakt), ("herstel-gestart", v.herstel_gestart)):
        if not waarde:
            raise Weigering(regel, f"stable safety needs {veld}: true", veld=veld)
    return [s.maak(g.StabieleVeiligheidVastgesteld, regel)]


def plan_vastleggen(s: Stap, p: o.PlanVastleggen) -> list[Gebeurtenis]:
    """IJM-4.2 / GM-7.2: the plan is a versioned document of the casus."""
    regel = s.beleid.regels.plan
    vereis_fase(s, ("overgedragen",), regel, "plan-vastleggen")
    vereis_partij(s, s.houdend_team, regel, "plan-vastleggen")
    return [s.maak(g.PlanVastgelegd, regel, versie=s.casus.plan_versie + 1, plan=p.plan)]


def afsluiten(s: Stap, a: o.Afsluiten) -> list[Gebeurtenis]:
    regels = s.beleid.regels
    houder = s.casus.houder
    if houder in (VEILIG_THUIS, MELDER):
        # IJM-3.1e: Veilig Thuis's responsibility ends only by a transfer to a partner.
        raise Weigering(
            regels.overdracht_uitkomst, f"{houder} holds the responsibility; it ends only by a transfer to a partner, not by closing"
        )
    if houder == CLIENTSYSTEEM and s.casus.monitoring:
        raise Weigering(
            regels.afsluiten_tijdens_monitoring, "the household holds the responsibility; the casus closes when monitoring ends"
        )
    team = s.houdend_team
    if team is None:
        vereis_partij(s, VEILIG_THUIS, regels.afsluiten, "afsluiten")  # an outside partner holds it: VT closes its dossier
        return _sluit(s, a.reden)
    vereis_partij(s, team, regels.afsluiten, "afsluiten")
    _controleer_grond(s, a)
    if not s.casus.monitoring:
        return _sluit(s, a.reden, regels.afsluiten_geen_contact if a.reden == "geen-contact-geen-zorgen" else None)
    return _sluit_tijdens_monitoring(s, a)


def _sluit_tijdens_monitoring(s: Stap, a: o.Afsluiten) -> list[Gebeurtenis]:
    """IJM-3.4.5d / IJM-4.3a: agreed with Veilig Thuis, the household holds it until monitoring ends."""
    regels = s.beleid.regels
    if not a.afgestemd_met_vt:
        raise Weigering(
            regels.afsluiten_tijdens_monitoring,
            "monitoring by Veilig Thuis still runs: ending the support needs consultation with Veilig Thuis (afgestemd-met-vt: true)",
            veld="afgestemd-met-vt",
        )
    events: list[Gebeurtenis] = [
        s.maak(g.Geregistreerd, regels.afsluiten, actie="afsluiten", velden={"reden": a.reden}),
        *s.draag_over(CLIENTSYSTEEM, regels.afsluiten),
    ]
    if regels.afsluiting_melden:  # GM-7.3c: the team tells Veilig Thuis, whose monitoring runs on
        events.append(s.maak(g.BerichtVerstuurd, regels.afsluiting_melden, soort="afsluiting-gemeld", aan=VEILIG_THUIS))
    return events


def _controleer_grond(s: Stap, a: o.Afsluiten) -> None:
    regels = s.beleid.regels
    if a.reden == "geen-contact-geen-zorgen":
        regel = s.regel(regels.afsluiten_geen_contact, "closing without contact (geen-contact-geen-zorgen)")
        if s.herziening and s.casus.overdracht != "direct":
            # Rev. 2026-11-30: the paragraph is about a direct overdracht; after a dienst the team closes on stable safety.
            raise Weigering(regel, "geen-contact-geen-zorgen ends the team's involvement only after a direct overdracht", veld="reden")
        if s.casus.contact_gelegd is not None:
            raise Weigering(regel, f"contact with the household was registered at {lokaal(s.casus.contact_gelegd)}", veld="reden")
    elif s.casus.stabiel_sinds is None:
        raise Weigering(
            regels.stabiele_veiligheid, "the team closes when safety is stable: register stabiele-veiligheid first", veld="reden"
        )


def _sluit(s: Stap, reden: str, regel: str | None = None) -> list[Gebeurtenis]:
    """IJM-4.3a: the casus closes; `regel` when another clause grounds the close (IJM-3.3.6)."""
    regels = s.beleid.regels
    events: list[Gebeurtenis] = [
        s.maak(g.TermijnVervallen, t.regel, termijn_id=t.id, reden="casus afgesloten") for t in s.casus.open_termijnen()
    ]
    if regels.casusregie and s.casus.casusregie:
        events.append(s.maak(g.CasusregieBelegd, regels.casusregie, bij=None))  # GM-7.3: ended together, recorded
    return [*events, s.maak(g.CasusAfgesloten, regel or regels.afsluiten, reden=reden)]


def ondersteuning_vt(s: Stap, v: o.OndersteuningVt) -> list[Gebeurtenis]:
    """IJM-3.5 / GM-5.3a: Veilig Thuis supports the team; it moves no responsibility."""
    regel = s.beleid.regels.ondersteuning
    vereis_fase(s, ("overgedragen",), regel, "ondersteuning-vt")
    vereis_partij(s, (VEILIG_THUIS, s.houdend_team), regel, "ondersteuning-vt")
    return [s.maak(g.Geregistreerd, regel, actie="ondersteuning-vt", velden={"vorm": v.vorm})]
