"""A new beoordeling cycle in a running casus: renewed concern (IJM-3.3.6) and a new melding
during a running trajectory (IJM-3.7), with the order in which Veilig Thuis makes contact."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis, Melder
from domain.partijen import VEILIG_THUIS
from domain.stap import Stap, crisis, vereis_fase, vereis_partij
from domain.tijd import Werkdagtelling
from domain.weigering import Weigering


def _termijnen(s: Stap, acuut: bool) -> list[Gebeurtenis]:
    """The new cycle's own deadlines; the team holds it until Veilig Thuis takes it, as the melder does."""
    beleid, regels = s.beleid, s.beleid.regels
    beoordeling = Werkdagtelling(vanaf=s.op, werkdagen=beleid.beoordeling_werkdagen, wijze="einde")
    events: list[Gebeurtenis] = [s.termijn_in_werkdagen("veiligheidsbeoordeling", beoordeling, regels.veiligheidsbeoordeling)]
    if acuut:
        return [*events, *s.draag_over(VEILIG_THUIS, regels.acuut), *crisis(s)]
    if beleid.vt_verantwoordelijk_vanaf == "ontvangst" and regels.vt_vanaf_ontvangst:
        return [*events, *s.draag_over(VEILIG_THUIS, regels.vt_vanaf_ontvangst)]
    if beleid.vt_uiterlijk_werkdag and regels.uiterlijke_overdracht_vt:
        zesde = Werkdagtelling(vanaf=s.op, werkdagen=beleid.vt_uiterlijk_werkdag, wijze="begin")
        gevolg = "verantwoordelijkheid-naar-vt"
        events.append(s.termijn_in_werkdagen("verantwoordelijkheid-vt", zesde, regels.uiterlijke_overdracht_vt, gevolg=gevolg))
    return events


def opnieuw_melden(s: Stap, m: o.OpnieuwMelden) -> list[Gebeurtenis]:
    regel = s.regel(s.beleid.regels.opnieuw_melden, "renewed concern reported by the team (opnieuw-melden)")
    vereis_fase(s, ("overgedragen",), regel, "opnieuw-melden")
    vereis_partij(s, s.houdend_team, regel, "opnieuw-melden")
    return [s.maak(g.BeoordelingGestart, regel, aanleiding="opnieuw-melden", inhoud=m.inhoud), *_termijnen(s, acuut=False)]


def nieuwe_melding(s: Stap, n: o.NieuweMelding) -> list[Gebeurtenis]:
    regel = s.regel(s.beleid.regels.nieuwe_melding, "a new melding within a running casus (start a new casus with `casus melding`)")
    vereis_partij(s, VEILIG_THUIS, regel, "nieuwe-melding")
    if s.houdend_team is None:
        raise Weigering(regel, "a new melding joins a casus that is with a lokaal team; otherwise it starts a new casus (`casus melding`)")
    melder = Melder(soort=n.melder_soort, anoniem=n.melder_anoniem)
    start = s.maak(
        g.BeoordelingGestart, regel, aanleiding="nieuwe-melding", inhoud=n.inhoud, gi_betrokken=n.gi_betrokken, melder=melder, acuut=n.acuut
    )
    return [start, *_termijnen(s, acuut=n.acuut)]


def contact_vastgelegd(s: Stap, c: o.ContactVastleggen) -> list[Gebeurtenis]:
    """IJM-3.7: Veilig Thuis contacts the household first, then the team; a GI, when involved, before both."""
    regels = s.beleid.regels
    regel = regels.nieuwe_melding or regels.veiligheidsbeoordeling
    vereis_partij(s, VEILIG_THUIS, regel, "contact-vastgelegd")
    vereis_fase(s, ("beoordeling",), regel, "contact-vastgelegd")
    gehad = s.casus.contacten
    if c.gezin_contacteren is not None and c.met != "gi":
        raise Weigering(regels.gi_contact or regel, "gezin-contacteren is the GI's say, with met: gi only", veld="gezin-contacteren")
    if s.casus.aanleiding == "nieuwe-melding":
        if s.beleid.gi_eerst and s.casus.gi_betrokken and c.met != "gi" and "gi" not in gehad:
            raise Weigering(regel, "a gecertificeerde instelling is involved: Veilig Thuis contacts the GI first", veld="met")
        # IJM-3.7b: the GI decides whether the household is contacted; when it says no, it is not required first.
        if c.met == "hulpverlener" and "gezin" not in gehad and s.casus.gi_gezin_contacteren:
            raise Weigering(regel, "Veilig Thuis contacts the household first, then the team", veld="met")
    if c.met == "gi" and regels.gi_contact:
        return [s.maak(g.ContactVastgelegd, regels.gi_contact, met=c.met, gezin_contacteren=c.gezin_contacteren)]
    return [s.maak(g.ContactVastgelegd, regel, met=c.met)]
