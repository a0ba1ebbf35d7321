"""The veiligheidsbeoordeling and its besluit (IJM-3.1, IJM-3.2, IJM-3.3; GM-4, GM-5.1)."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import CLIENTSYSTEEM, JEUGDHULP, MDA, VEILIG_THUIS, instelling, team
from domain.stap import Stap, controleer_team, crisis, vereis_fase, vereis_partij
from domain.stappen.overdracht import formulier_direct, na_overdracht
from domain.weigering import Weigering

DIENSTEN = ("voorwaarden-en-vervolg", "onderzoek")


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
    controleer_besluit(s, b)
    events: list[Gebeurtenis] = [
        s.maak(g.BeoordelingAfgerond, regels.uitkomsten, besluit=b.besluit, team=b.team, instelling=b.instelling, criteria=b.criteria)
    ]
    if not s.casus.beoordeeld:
        # IJM-3.3.1a / GM-5.1.1: a late beoordeling is accepted and recorded as late.
        events += s.voldoe(s.casus.termijn("veiligheidsbeoordeling"))
    if s.casus.houder != VEILIG_THUIS:
        # IJM-3.1c; after renewed concern the team holds it "as the melder does" (IJM-3.3.6).
        events += s.draag_over(VEILIG_THUIS, regels.na_beoordeling)
    if b.besluit == "direct-overdracht" and b.team is not None:
        return events + _direct(s, team(b.team))
    if b.besluit in DIENSTEN:
        return events + _team_ingelicht(s, "dienst-ingezet")
    naar = {"jeugdhulp": JEUGDHULP, "mda": MDA, "clientsysteem": CLIENTSYSTEEM}.get(b.besluit) or instelling(b.instelling or "")
    meldingen = _team_ingelicht(s, "besluit-gemeld") if b.besluit in ("instelling", "mda") else []
    return events + s.draag_over(naar, regels.overdracht_uitkomst) + meldingen


def _team_ingelicht(s: Stap, soort: str) -> list[Gebeurtenis]:
    """GM-4b: Veilig Thuis tells the team of the gemeente when it keeps the casus or places it elsewhere."""
    regel = s.beleid.regels.dienst_melden
    teams = [t.id for t in s.beleid.teams if t.neemt_casussen and s.casus.gemeente in t.gemeenten]
    if regel is None or not teams:
        return []
    return [s.maak(g.BerichtVerstuurd, regel, soort=soort, aan=team(teams[0]), inhoud=("besluit",))]


def controleer_besluit(s: Stap, b: o.BeoordelingAfronden) -> None:
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
        controleer_team(s, b.team, regels.overdracht_direct)
        _controleer_tenzij(s, b.criteria)


def _controleer_tenzij(s: Stap, criteria: tuple[str, ...]) -> None:
    """IJM-3.2 / IJM-3.3: no direct overdracht when a criterion holds; melder-anoniem (any melder of
    this cycle, rev. 2026-11-30) and acute-dreiging follow from the meldingen themselves."""
    anoniem = s.casus.melder_anoniem if s.herziening else s.casus.melder.anoniem
    afgeleid = {"melder-anoniem": anoniem, "acute-dreiging": s.casus.acuut}
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
    if s.beleid.formulier_direct_moment == "acceptatie" and regels.formulier_bij_acceptatie:
        # IJM-3.3.1d: the data go at the overdrachtstafel, when the team accepts; one that declines gets none.
        aangehouden = s.maak(g.Geregistreerd, regels.formulier_bij_acceptatie, actie="formulier-bij-acceptatie", velden={"team": naar})
        return [s.maak(g.OverdrachtAangeboden, regels.overdracht_direct, aan=naar), aangehouden]
    formulier = formulier_direct(s, naar)
    if s.beleid.overdracht_direct_moment == "acceptatie":
        return [s.maak(g.OverdrachtAangeboden, regels.overdracht_direct, aan=naar), formulier]
    # GM-5.1.5 / GM-3g: the team holds it from the besluit (digital receipt).
    return [*s.draag_over(naar, regels.overdracht_direct), formulier, *na_overdracht(s, naar, na_dienst=False)]
