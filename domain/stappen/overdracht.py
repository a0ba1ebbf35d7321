"""Transfers to the lokaal team: direct (IJM-3.3; GM-5.1) and after a dienst (IJM-3.4; GM-5.2)."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import MELDER, VEILIG_THUIS, team
from domain.stap import Stap, controleer_team, vereis_fase, vereis_partij
from domain.tijd import einde_kalenderdag, einde_na_maanden, lokaal
from domain.weigering import Weigering

# What the household is told (IJM-3.3.2 / GM-5.1.4).
BRIEF_GEZIN = ("melding", "dossier", "besluit", "overnemende-partner", "doorgegeven-informatie", "vervolgstappen")
# The information handed over after a dienst (IJM-3.4.4 / GM-5.2.4).
FORMULIER_NA_DIENST = (
    "inhoud-melding", "contactgegevens-melder", "conclusie-dienst", "veiligheidsvoorwaarden", "consequenties",
    "afspraken-plan", "afspraken-monitoring",
)  # fmt: skip


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
    anoniem = s.casus.melder.anoniem
    gezin = f"huishouden:{s.casus.huishouden}"
    if not na_dienst:
        events += [
            s.maak(g.BerichtVerstuurd, regels.brieven, soort="brief-gezin", aan=gezin, inhoud=BRIEF_GEZIN),
            s.maak(
                g.BerichtVerstuurd,
                regels.brieven,
                soort="terugkoppeling-melder",
                aan=MELDER,
                inhoud=("vervolgstappen",),
                bezorgd=not anoniem,
            ),
        ]
        if regels.dossier_sluiten:  # IJM-3.3.2b: Veilig Thuis closes its dossier after handing over the data
            events.append(s.maak(g.Geregistreerd, regels.dossier_sluiten, actie="dossier-veilig-thuis-gesloten"))
        return events
    if regels.brieven_na_dienst and s.casus.besluit == "onderzoek":
        # GM-5.2.5: the household hears the conclusions and decisions after an onderzoek.
        events.append(
            s.maak(g.BerichtVerstuurd, regels.brieven_na_dienst, soort="brief-gezin", aan=gezin, inhoud=("conclusies", "besluiten"))
        )
    if regels.terugkoppeling_na_dienst:  # GM-5.2.6
        terugkoppeling = s.maak(
            g.BerichtVerstuurd, regels.terugkoppeling_na_dienst, soort="terugkoppeling-melder", aan=MELDER,
            inhoud=("vervolgstappen",), bezorgd=not anoniem,
        )  # fmt: skip
        events.append(terugkoppeling)
    # IJM-3.4.5a / GM-5.2.7: Veilig Thuis always monitors after an overdracht following a dienst.
    for maanden in beleid.monitoring_momenten_maanden:
        events.append(s.termijn(f"monitoring-{maanden}m", einde_na_maanden(s.op, maanden), regels.monitoring))
    return events


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
        return not s.casus.melder.anoniem  # IJM-3.4.4: only when the melder did not want to stay anonymous
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
    return [
        s.maak(g.OverdrachtGeaccepteerd, regel, door=s.actor.partij),
        *s.draag_over(s.actor.partij, regel),
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
