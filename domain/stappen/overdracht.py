"""Transfers to the lokaal team: direct (IJM-3.3; GM-5.1) and after a dienst (IJM-3.4; GM-5.2)."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import MELDER, VEILIG_THUIS, team
from domain.stap import Stap, controleer_team, vereis_fase, vereis_partij
from domain.tijd import einde_kalenderdag, einde_na_maanden, lokaal
from domain.weigering import Weigering

# The letter of a policy written before the revision of 2026-11-30 (no `brief_einde_bemoeienis`).
BRIEF_VOOR_HERZIENING = ("melding", "dossier", "besluit", "overnemende-partner", "doorgegeven-informatie", "vervolgstappen")
# The information items of the overdrachtsformulier at a direct overdracht (IJM-3.3.3 / GM-5.1.3).
FORMULIER = ("inhoud-melding", "contactgegevens-melder", "uitkomst-veiligheidsbeoordeling", "informatie-beoordeling")
# The information handed over after a dienst (IJM-3.4.4 / GM-5.2.4).
FORMULIER_NA_DIENST = (
    "inhoud-melding", "contactgegevens-melder", "conclusie-dienst", "veiligheidsvoorwaarden", "consequenties",
    "afspraken-plan", "afspraken-monitoring",
)  # fmt: skip


def formulier_direct(s: Stap, naar: str) -> g.BerichtVerstuurd:
    """IJM-3.3.3 / GM-5.1.3; no contact data of a melder of this cycle who wants to stay anonymous (IJM-3.3)."""
    inhoud = tuple(i for i in FORMULIER if i != "contactgegevens-melder" or not s.casus.melder_anoniem)
    return s.maak(g.BerichtVerstuurd, s.beleid.regels.informatie_overdracht, soort="overdrachtsformulier", aan=naar, inhoud=inhoud)


def brief_gezin(s: Stap, *, na_dienst: bool) -> list[Gebeurtenis]:
    """What the household is told when Veilig Thuis hands over: the policy's items (IJM-3.3.2;
    GM-5.1.4, after a dienst too, and after an onderzoek under GM-5.2.5, which refers to it)."""
    brief, regels = s.beleid.brief_einde_bemoeienis, s.beleid.regels
    onderzoek = s.casus.besluit == "onderzoek"
    regel = (regels.brieven_na_dienst if na_dienst and onderzoek else None) or regels.brieven
    if brief is None:  # a policy written before the revision keeps the letters it had
        if not na_dienst:
            return [_brief(s, regel, BRIEF_VOOR_HERZIENING)]
        return [_brief(s, regel, ("conclusies", "besluiten"))] if onderzoek and regels.brieven_na_dienst else []
    if not (brief.na_dienst if na_dienst else brief.na_direct):
        return []
    monitoring = na_dienst and bool(s.beleid.monitoring_momenten_maanden)
    return [_brief(s, regel, brief.inhoud(na_dienst=na_dienst, onderzoek=onderzoek, monitoring=monitoring))]


def _brief(s: Stap, regel: str, inhoud: tuple[str, ...]) -> g.BerichtVerstuurd:
    return s.maak(g.BerichtVerstuurd, regel, soort="brief-gezin", aan=f"huishouden:{s.casus.huishouden}", inhoud=inhoud)


def na_overdracht(s: Stap, naar: str, *, na_dienst: bool) -> list[Gebeurtenis]:
    """T-3b: the team has received the data, so its 14 days run; letters and monitoring follow."""
    regels, beleid = s.beleid.regels, s.beleid
    events: list[Gebeurtenis] = []
    if s.casus.acuut and regels.acuut_contact:
        # GM-3b: after an acute situation contact starts at once; GM-5.1.2: also by telephone.
        events.append(s.termijn("contact-gezin", einde_kalenderdag(s.op, 0), regels.acuut_contact))
        if regels.telefonische_overdracht:
            events.append(s.maak(g.BerichtVerstuurd, regels.telefonische_overdracht, soort="telefonische-overdracht", aan=naar))
    else:
        # IJM-3.3.2c / GM-3a after a direct overdracht; IJM-3.4.3 / GM-5.2.3 as agreed after a dienst.
        regel = regels.afspraken if na_dienst else regels.contact_gezin
        events.append(s.termijn("contact-gezin", einde_kalenderdag(s.op, beleid.contact_gezin_dagen), regel))
    events += brief_gezin(s, na_dienst=na_dienst)
    if not na_dienst:
        events.append(_terugkoppeling(s, regels.brieven))
        if regels.dossier_sluiten:  # IJM-3.3.2b: Veilig Thuis closes its dossier after handing over the data
            events.append(s.maak(g.Geregistreerd, regels.dossier_sluiten, actie="dossier-veilig-thuis-gesloten"))
        return events
    if regels.terugkoppeling_na_dienst:  # GM-5.2.6
        events.append(_terugkoppeling(s, regels.terugkoppeling_na_dienst))
    return events + _monitoring(s)


def _terugkoppeling(s: Stap, regel: str) -> g.BerichtVerstuurd:
    """Feedback to the melder; not deliverable to one who wants to stay anonymous (IJM-3.3.1c, IJM-3.3)."""
    return s.maak(
        g.BerichtVerstuurd, regel, soort="terugkoppeling-melder", aan=MELDER, inhoud=("vervolgstappen",), bezorgd=not s.casus.melder_anoniem
    )


def _monitoring(s: Stap) -> list[Gebeurtenis]:
    """IJM-3.4.5a / GM-5.2.7: Veilig Thuis always monitors after an overdracht following a dienst."""
    beleid, regel = s.beleid, s.beleid.regels.monitoring
    momenten = [s.termijn(f"monitoring-{m}m", einde_na_maanden(s.op, m), regel) for m in beleid.monitoring_momenten_maanden]
    if not momenten or not beleid.herzien:
        return list(momenten)  # a casus under a policy from before the revision decides as it did (replay)
    return [s.maak(g.MonitoringGestart, regel, richtduur_maanden=beleid.monitoring_richtduur_maanden), *momenten]


def dienst_afronden(s: Stap, d: o.DienstAfronden) -> list[Gebeurtenis]:
    regels = s.beleid.regels
    vereis_partij(s, VEILIG_THUIS, regels.overdracht_na_dienst, "dienst-afronden")
    vereis_fase(s, ("dienst",), regels.overdracht_na_dienst, "dienst-afronden")
    controleer_team(s, d.team, regels.overdracht_na_dienst)
    naar = team(d.team)
    inhoud = tuple(i for i in FORMULIER_NA_DIENST if _hoort_erbij(s, i))
    events: list[Gebeurtenis] = [
        s.maak(g.DienstAfgerond, regels.overdracht_na_dienst, team=naar, conclusie=d.conclusie, voorwaarden=d.voorwaarden),
        s.maak(g.BerichtVerstuurd, regels.informatie_na_dienst, soort="overdrachtsformulier", aan=naar, inhoud=inhoud),
    ]
    if s.beleid.overdracht_na_dienst_moment == "acceptatie":
        # IJM-3.4.1: the information is handed over; the team still has to confirm acceptance.
        return [*events, s.maak(g.OverdrachtAangeboden, regels.overdracht_na_dienst, aan=naar)]
    return [*events, *s.draag_over(naar, regels.overdracht_na_dienst), *na_overdracht(s, naar, na_dienst=True)]


def _hoort_erbij(s: Stap, item: str) -> bool:
    if item == "contactgegevens-melder":
        return not s.casus.melder_anoniem  # IJM-3.4.4: only when the melder did not want to stay anonymous
    if item == "conclusie-dienst":
        return not s.beleid.conclusie_alleen_na_onderzoek or s.casus.besluit == "onderzoek"
    return True


def overdracht_accepteren(s: Stap, _: o.OverdrachtAccepteren) -> list[Gebeurtenis]:
    c = s.casus
    regel = s.beleid.regels.overdracht_na_dienst if c.dienst_team else s.beleid.regels.overdracht_direct
    if c.fase == "overgedragen" and c.houder == s.actor.partij and c.geaccepteerd_door is None:
        return [s.maak(g.OverdrachtGeaccepteerd, regel, door=s.actor.partij)]  # GM-5.1.5: recorded, moves nothing
    vereis_fase(s, ("overdracht-aangeboden",), regel, "overdracht-accepteren")
    vereis_partij(s, c.aangeboden_aan, regel, "overdracht-accepteren (only the team the casus was offered to)")
    if c.dienst_team and s.beleid.warme_overdracht == "verplicht" and not c.warm_overgedragen:
        raise Weigering(
            s.beleid.regels.warme_overdracht,
            "after a dienst a warme overdracht takes place (household, Veilig Thuis and team): record warme-overdracht first",
        )
    # IJM-3.3.1d: where the policy says so, the data of a direct overdracht reach the team at its acceptance.
    formulier = [formulier_direct(s, s.actor.partij)] if not c.dienst_team and s.beleid.formulier_direct_moment == "acceptatie" else []
    return [
        s.maak(g.OverdrachtGeaccepteerd, regel, door=s.actor.partij),
        *s.draag_over(s.actor.partij, regel),
        *formulier,
        *na_overdracht(s, s.actor.partij, na_dienst=c.dienst_team is not None),
    ]


def overdracht_weigeren(s: Stap, w: o.OverdrachtWeigeren) -> list[Gebeurtenis]:
    regel = s.beleid.regels.overdracht_geweigerd
    vereis_fase(s, ("overdracht-aangeboden",), regel, "overdracht-weigeren")
    vereis_partij(s, s.casus.aangeboden_aan, regel, "overdracht-weigeren (only the team the casus was offered to)")
    return [s.maak(g.OverdrachtGeweigerd, regel, door=s.actor.partij, reden=w.reden)]


def warme_overdracht(s: Stap, _: o.WarmeOverdracht) -> list[Gebeurtenis]:
    """IJM-3.4.2 / GM-5.2.2: a meeting of household, Veilig Thuis and team; it moves nothing."""
    regel = s.beleid.regels.warme_overdracht
    if s.casus.dienst_team is None:
        raise Weigering(regel, "a warme overdracht follows a dienst (dienst-afronden names the team)")
    vereis_partij(s, (VEILIG_THUIS, s.casus.dienst_team), regel, "warme-overdracht")
    return [s.maak(g.Geregistreerd, regel, actie="warme-overdracht", velden={"team": s.casus.dienst_team})]


def contact_gelegd(s: Stap, _: o.ContactLeggen) -> list[Gebeurtenis]:
    termijn = s.casus.termijn("contact-gezin")
    regel = termijn.regel if termijn else s.beleid.regels.contact_gezin
    vereis_fase(s, ("overgedragen",), regel, "contact-gelegd")
    vereis_partij(s, s.houdend_team, regel, "contact-gelegd")
    if s.casus.contact_gelegd is not None:
        raise Weigering(regel, f"contact with the household was registered already, at {lokaal(s.casus.contact_gelegd)}")
    return [s.maak(g.ContactGelegd, regel), *s.voldoe(termijn)]
