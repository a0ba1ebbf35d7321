"""The decider: `decide(casus, opdracht, regelset, nu) -> events`, or a `Weigering`.

`nu` is the moment of recording; a step's own `op` is when it took effect (T-5). The clock tick
(`Tik`) yields what the passing of time implies: lapsed deadlines and their consequences.
"""

from __future__ import annotations

from datetime import datetime

from domain import gebeurtenissen as g
from domain.beleid import Beleid
from domain.evolueren import evolve
from domain.gebeurtenissen import Gebeurtenis
from domain.herleiden import herleid
from domain.opdrachten import Melden, Verzoek
from domain.partijen import MELDER, SYSTEEM_ACTOR, TEAM_PREFIX, VASTE_ACTOREN, VEILIG_THUIS, Actor, team_id
from domain.stap import Regelset, Stap, Tik, casusregie_bij_vt, crisis
from domain.stappen import HANDLERS
from domain.tijd import Werkdagtelling, lokaal
from domain.toestand import Casus
from domain.weigering import Weigering


def decide(casus: Casus | None, opdracht: Melden | Verzoek | Tik, regelset: Regelset, nu: datetime) -> list[Gebeurtenis]:
    if isinstance(opdracht, Melden):
        if casus is not None:
            raise Weigering(regelset.beleid.regels.melding, f"casus {casus.casus_id} already has its melding")
        return meld(opdracht, regelset, nu)
    if casus is None:
        raise Weigering("casus", "there is no casus to act on; it begins with a melding")
    if isinstance(opdracht, Tik):
        return verstrijk(casus, regelset, nu)
    return stap(casus, opdracht, regelset, nu)


def decide_op_tijd(casus: Casus, verzoek: Verzoek, regelset: Regelset, nu: datetime, herleiden: bool = True) -> list[Gebeurtenis]:
    """A step preceded by whatever the clock implies up to now, so a step never overtakes a
    deadline that lapsed just before it (a timer and an update may arrive together)."""
    klok = verstrijk(casus, regelset, nu)
    bijgewerkt = casus
    for e in klok:
        bijgewerkt = evolve(bijgewerkt, e)
    return klok + stap(bijgewerkt, verzoek, regelset, nu, herleiden)


def meld(melding: Melden, regelset: Regelset, nu: datetime) -> list[Gebeurtenis]:
    beleid, regels = regelset.beleid, regelset.beleid.regels
    if melding.actor.partij != VEILIG_THUIS:
        raise Weigering(regels.melding, f"a melding is received and registered by {VEILIG_THUIS}, not {melding.actor.partij}", veld="als")
    if melding.gemeente not in beleid.gemeenten:
        raise Weigering(
            regels.melding,
            f"gemeente '{melding.gemeente}' is not part of {beleid.id}; accepted: {', '.join(beleid.gemeenten)}",
            veld="gemeente",
        )
    if melding.ontvangen > nu:
        raise Weigering("T-5", f"a melding cannot be received in the future ({lokaal(melding.ontvangen)})", veld="ontvangen")
    return _ontvang(melding, regelset, nu)


def _ontvang(melding: Melden, regelset: Regelset, nu: datetime) -> list[Gebeurtenis]:
    beleid, regels = regelset.beleid, regelset.beleid.regels
    ontvangen = g.MeldingOntvangen(
        op=melding.ontvangen, vastgelegd=nu, actor=melding.actor, regel=regels.melding,
        casus_id=melding.casus_id, beleid=beleid.id, beleid_hash=beleid.inhoud_hash,
        kalender=regelset.kalender.versie, gemeente=melding.gemeente, huishouden=melding.huishouden,
        acuut=melding.acuut, melder=melding.melder, inhoud=melding.inhoud, aparte_casus=melding.aparte_casus,
    )  # fmt: skip
    s = Stap(casus=evolve(None, ontvangen), regelset=regelset, actor=melding.actor, op=melding.ontvangen, nu=nu)
    if beleid.vt_verantwoordelijk_vanaf == "ontvangst" and regels.vt_vanaf_ontvangst:
        houder, grond = VEILIG_THUIS, regels.vt_vanaf_ontvangst  # GM-2
    elif melding.acuut:
        houder, grond = VEILIG_THUIS, regels.acuut  # IJM-3.1a
    else:
        houder, grond = MELDER, "melding"  # IJM-3.1c: the melder holds it until the beoordeling
    events: list[Gebeurtenis] = [ontvangen, s.maak(g.VerantwoordelijkheidOvergedragen, grond, van=None, naar=houder)]
    if houder == VEILIG_THUIS:
        events += casusregie_bij_vt(s)  # GM-7.3, GM-7.3b
    beoordeling = Werkdagtelling(vanaf=melding.ontvangen, werkdagen=beleid.beoordeling_werkdagen, wijze="einde")
    events.append(s.termijn_in_werkdagen("veiligheidsbeoordeling", beoordeling, regels.veiligheidsbeoordeling))
    if houder == MELDER and beleid.vt_uiterlijk_werkdag and regels.uiterlijke_overdracht_vt:
        zesde = Werkdagtelling(vanaf=melding.ontvangen, werkdagen=beleid.vt_uiterlijk_werkdag, wijze="begin")
        gevolg = "verantwoordelijkheid-naar-vt"
        events.append(s.termijn_in_werkdagen("verantwoordelijkheid-vt", zesde, regels.uiterlijke_overdracht_vt, gevolg=gevolg))
    if melding.acuut:
        events += crisis(s)
    return events


def verstrijk(casus: Casus, regelset: Regelset, nu: datetime) -> list[Gebeurtenis]:
    """Every open deadline that lapsed by `nu`, at its own instant, with its consequence."""
    events: list[Gebeurtenis] = []
    for termijn in sorted(casus.open_termijnen(), key=lambda t: t.uiterlijk):
        if termijn.uiterlijk > nu:
            break
        s = Stap(casus=casus, regelset=regelset, actor=SYSTEEM_ACTOR, op=termijn.uiterlijk, nu=nu)
        nieuw: list[Gebeurtenis] = [s.maak(g.TermijnVerstreken, termijn.regel, termijn_id=termijn.id)]
        if termijn.gevolg == "verantwoordelijkheid-naar-vt" and casus.houder not in (VEILIG_THUIS, None):
            # IJM-3.1d: at the start of the 6th working day VT holds it, with nobody acting.
            nieuw.append(s.maak(g.VerantwoordelijkheidOvergedragen, termijn.regel, van=casus.houder, naar=VEILIG_THUIS))
        for e in nieuw:
            casus = evolve(casus, e)
        events += nieuw
    return events


def weiger_beeindiging(casus: Casus, regelset: Regelset, nu: datetime) -> list[Gebeurtenis]:
    """A request to end the casus from outside the agreements (the engine's cancel) is recorded and
    refused: a casus ends only by its close, under the policy's rule for it."""
    if casus.fase == "afgesloten":
        return []
    return [g.BeeindigingGeweigerd(op=nu, vastgelegd=nu, actor=SYSTEEM_ACTOR, regel=regelset.beleid.regels.afsluiten)]


def stap(casus: Casus, verzoek: Verzoek, regelset: Regelset, nu: datetime, herleiden: bool = True) -> list[Gebeurtenis]:
    """One step; `herleiden` (T-5a) re-derives what the clock did before a late fact's `op` (off only
    for casussen whose recorded history decided without it)."""
    regels = regelset.beleid.regels
    if casus.fase == "afgesloten":
        raise Weigering(regels.afsluiten, f"casus {casus.casus_id} was closed at {lokaal(casus.afgesloten_op or nu)}")
    controleer_actor(verzoek.actor, regelset.beleid)
    op = verzoek.op or nu
    controleer_moment(casus, op, nu)
    s = Stap(casus=casus, regelset=regelset, actor=verzoek.actor, op=op, nu=nu, herziening=herleiden)
    handler = HANDLERS[verzoek.opdracht.actie]
    herleid_events = herleid(s, handler, verzoek.opdracht) if herleiden else None
    return herleid_events if herleid_events is not None else handler(s, verzoek.opdracht)


def controleer_actor(actor: Actor, beleid: Beleid) -> None:
    tid = team_id(actor.partij)
    if actor.partij in VASTE_ACTOREN or (tid is not None and beleid.team(tid) is not None):
        return
    teams = ", ".join(f"{TEAM_PREFIX}{t.id}" for t in beleid.teams)
    raise Weigering(
        beleid.regels.rollen,
        f"unknown party '{actor.partij}' for {beleid.id}; accepted: {', '.join(VASTE_ACTOREN)}, {teams}",
        veld="als",
    )


def controleer_moment(casus: Casus, op: datetime, nu: datetime) -> None:
    """T-5: a fact takes effect neither in the future nor before the casus (or its phase) began."""
    if op > nu:
        raise Weigering("T-5", f"a step cannot take effect in the future ({lokaal(op)}; now is {lokaal(nu)})", veld="op")
    if op < casus.ontvangen:
        raise Weigering("T-5", f"a step cannot take effect before the melding was received ({lokaal(casus.ontvangen)})", veld="op")
    if op < casus.fase_sinds:
        raise Weigering(
            "T-5",
            f"the casus is in phase '{casus.fase}' since {lokaal(casus.fase_sinds)}; a step cannot take effect before that",
            veld="op",
        )
