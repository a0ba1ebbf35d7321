"""`evolve(casus, event) -> casus`: the state a fact leaves behind. It decides nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from domain import gebeurtenissen as g
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import CLIENTSYSTEEM, MELDER, VEILIG_THUIS, team_id
from domain.toestand import Bericht, Casus, Fase, Interval, Termijn, TermijnStatus, status_bij_afloop


def begin(melding: g.MeldingOntvangen) -> Casus:
    return Casus(
        casus_id=melding.casus_id, beleid=melding.beleid, beleid_hash=melding.beleid_hash, kalender=melding.kalender,
        gemeente=melding.gemeente, huishouden=melding.huishouden, ontvangen=melding.op, acuut=melding.acuut,
        melder=melding.melder, cyclus_melders=(melding.melder,), fase_sinds=melding.op, versie=1,
    )  # fmt: skip


def evolve(casus: Casus | None, e: Gebeurtenis) -> Casus:
    if casus is None:
        if not isinstance(e, g.MeldingOntvangen):
            raise ValueError(f"a casus begins with MeldingOntvangen, not {e.type}")
        return begin(e)
    if isinstance(e, g.MeldingOntvangen):
        raise ValueError("a casus receives its melding once")
    wijziging = _WIJZIGINGEN.get(type(e), _niets)(casus, e)
    return casus.model_copy(update=wijziging | {"versie": casus.versie + 1})


def verder(casus: Casus | None, gebeurtenissen: Sequence[Gebeurtenis]) -> Casus:
    """The state these events leave behind after `casus`: the state `evolve` reaches one event at a
    time, made in one private copy changed in place instead of a copy per event (a rebuild folds
    every event of the log). The copy is nobody else's until it is returned; `casus` is untouched."""
    if casus is None:
        if not gebeurtenissen:
            raise ValueError("a casus begins with MeldingOntvangen, and there is no event")
        return verder_ter_plaatse(evolve(None, gebeurtenissen[0]), gebeurtenissen[1:])  # begin() makes a new one
    return verder_ter_plaatse(casus.model_copy(), gebeurtenissen)


def verder_ter_plaatse(casus: Casus, gebeurtenissen: Sequence[Gebeurtenis]) -> Casus:
    """`verder` into `casus` itself, which is returned: for a caller that owns the state (one it
    read back or made, that nobody else holds), saving the copy."""
    velden, gezet = casus.__dict__, casus.__pydantic_fields_set__
    for e in gebeurtenissen:
        if type(e) is g.MeldingOntvangen:  # by type: see domain/gebeurtenissen.py
            raise ValueError("a casus receives its melding once")
        wijziging = _WIJZIGINGEN.get(type(e), _niets)(casus, e)
        velden.update(wijziging)
        velden["versie"] += 1
        gezet.update(wijziging, ("versie",))
    return casus


def herbouw(gebeurtenissen: Iterable[Gebeurtenis]) -> Casus | None:
    reeks = list(gebeurtenissen)
    return verder(None, reeks) if reeks else None


Wijziging = dict[str, Any]


def _niets(_c: Casus, _e: Any) -> Wijziging:
    return {}


def _fase(fase: Fase, e: Gebeurtenis) -> Wijziging:
    return {"fase": fase, "fase_sinds": e.op}


def _overgedragen(c: Casus, e: g.VerantwoordelijkheidOvergedragen) -> Wijziging:
    eerdere = tuple(i.model_copy(update={"tot": e.op}) if i.tot is None else i for i in c.verantwoordelijkheid)
    nieuw = Interval(partij=e.naar, van=e.op, tot=None, grond=e.regel, versie=c.versie + 1)
    wijziging: Wijziging = {"verantwoordelijkheid": (*eerdere, nieuw)}
    if e.naar not in (VEILIG_THUIS, MELDER, CLIENTSYSTEEM) and c.fase != "overgedragen":
        wijziging |= _fase("overgedragen", e)
    if team_id(e.naar) is not None:
        wijziging |= {"overdracht": "na-dienst" if c.fase == "dienst" or c.dienst_team else "direct"}
    return wijziging


def _termijn(c: Casus, termijn_id: str, **velden: object) -> Wijziging:
    return {"termijnen": tuple(t.model_copy(update=velden) if t.id == termijn_id else t for t in c.termijnen)}


def _termijn_gesteld(c: Casus, e: g.TermijnGesteld) -> Wijziging:
    t = Termijn(
        id=e.termijn_id, soort=e.soort, uiterlijk=e.uiterlijk, regel=e.regel, gevolg=e.gevolg,
        voorlopig=e.voorlopig, werkdagen=e.werkdagen,
    )  # fmt: skip
    # Monitoring runs from its first planned moment until MonitoringBeeindigd (IJM-3.4.5a).
    monitoring = {"monitoring": True, "monitoring_besluit_nodig": False} if t.soort.startswith("monitoring-") else {}
    return {"termijnen": (*c.termijnen, t)} | monitoring


def _voldaan(c: Casus, e: g.TermijnVoldaan) -> Wijziging:
    status: TermijnStatus = "te-laat" if e.te_laat else "voldaan"
    return _termijn(c, e.termijn_id, status=status, voldaan_op=e.op, vastgelegd_op=e.vastgelegd)


def _vervangen(c: Casus, e: g.OverdrachtVervangen) -> Wijziging:
    """T-5a: the superseded interval drops out of the effective timeline and the one before it runs
    on to where it ended; its deadline is lapsed again, to be judged on the late fact's `op`."""
    intervallen = list(c.verantwoordelijkheid)
    plek = _plek_van(c, e)
    if plek is None:
        return {}  # names nothing this state holds: nothing to re-derive
    weg = intervallen.pop(plek)
    if plek > 0:
        intervallen[plek - 1] = intervallen[plek - 1].model_copy(update={"tot": weg.tot})
    termijn = _termijn(c, e.termijn_id, status="verstreken") if e.termijn_id else {}
    return {"verantwoordelijkheid": tuple(intervallen)} | termijn


def _plek_van(c: Casus, e: g.OverdrachtVervangen) -> int | None:
    """The superseded interval: by the version that began it; in a state folded before intervals kept
    their version (a read model's stored state), by the deadline whose consequence it was."""
    lijn = c.verantwoordelijkheid
    plek = next((k for k, i in enumerate(lijn) if i.versie == e.vervangt), None)
    termijn = next((t for t in c.termijnen if t.id == e.termijn_id), None)
    if plek is None and termijn is not None:
        plek = next((k for k, i in enumerate(lijn) if i.versie == 0 and (i.van, i.grond) == (termijn.uiterlijk, termijn.regel)), None)
    return plek


def _incident(c: Casus, e: g.IncidentGeregistreerd) -> Wijziging:
    """T-5b: the latest incident is the one that took effect last, whenever it was registered."""
    if c.laatste_incident is not None and e.op <= c.laatste_incident:
        return {"laatst_geregistreerd_incident": e.op}
    return {"laatste_incident": e.op, "laatst_geregistreerd_incident": e.op, "stabiel_sinds": None}


def _beoordeeld(c: Casus, e: g.BeoordelingAfgerond) -> Wijziging:
    wijziging: Wijziging = {"beoordeeld": True, "besluit": e.besluit, "eerste_besluit": c.eerste_besluit or e.besluit}
    if e.besluit in ("voorwaarden-en-vervolg", "onderzoek"):
        wijziging |= _fase("dienst", e)
    return wijziging


def _afgesloten(c: Casus, e: g.CasusAfgesloten) -> Wijziging:
    intervallen = tuple(i.model_copy(update={"tot": e.op}) if i.tot is None else i for i in c.verantwoordelijkheid)
    einde = {"monitoring_tot": e.op} if c.monitoring and c.monitoring_sinds else {}
    return {"verantwoordelijkheid": intervallen, "afgesloten_op": e.op, "monitoring": False} | einde | _fase("afgesloten", e)


def _bericht(c: Casus, e: g.BerichtVerstuurd) -> Wijziging:
    b = Bericht(soort=e.soort, aan=e.aan, op=e.op, inhoud=e.inhoud, bezorgd=e.bezorgd, regel=e.regel)
    nog_open = tuple(o for o in c.berichten_open if (o.soort, o.aan) != (e.soort, e.aan))
    return {"berichten": (*c.berichten, b), "berichten_open": nog_open}


def _monitoring_gestart(e: g.MonitoringGestart) -> Wijziging:
    return {"monitoring_sinds": e.op, "monitoring_tot": None, "monitoring_richtduur_maanden": e.richtduur_maanden}


def _bericht_verschuldigd(c: Casus, e: g.BerichtVerschuldigd) -> Wijziging:
    b = Bericht(soort=e.soort, aan=e.aan, op=e.op, inhoud=(), bezorgd=False, regel=e.regel)
    return {"berichten_open": (*c.berichten_open, b)}


def _beoordeling_gestart(c: Casus, e: g.BeoordelingGestart) -> Wijziging:
    return {
        "beoordeeld": False, "besluit": None, "cyclus": c.cyclus + 1, "contacten": (), "gi_betrokken": e.gi_betrokken,
        "aanleiding": e.aanleiding, "dienst_team": None, "contact_gelegd": None,
        "acuut": c.acuut or e.acuut, "cyclus_melders": (e.melder or g.Melder(),), "gi_gezin_contacteren": True,
        "warm_overgedragen": False, "geweigerd_door": None,
    } | _fase("beoordeling", e)  # fmt: skip


_VLAGGEN: dict[str, Wijziging] = {
    "opschalen": {"opgeschaald": True},
    "opschaling-besluit": {"opgeschaald": False},
    "gemeente-informeren": {"gemeente_geinformeerd": True},
    "gemeente-reactie": {"gemeente_geinformeerd": False},
    "warme-overdracht": {"warm_overgedragen": True},
}


def _geregistreerd(c: Casus, e: g.Geregistreerd) -> Wijziging:
    return _VLAGGEN.get(e.actie, {})


_WIJZIGINGEN: dict[type[Any], Callable[[Casus, Any], Wijziging]] = {
    g.VerantwoordelijkheidOvergedragen: _overgedragen,
    g.TermijnGesteld: _termijn_gesteld,
    g.TermijnVoldaan: _voldaan,
    g.TermijnVerstreken: lambda c, e: _termijn(c, e.termijn_id, status=status_bij_afloop(e.termijn_id)),
    g.TermijnHerzien: lambda c, e: _termijn(c, e.termijn_id, uiterlijk=e.uiterlijk, voorlopig=e.voorlopig),
    g.OverdrachtVervangen: _vervangen,
    g.TermijnVervallen: lambda c, e: _termijn(c, e.termijn_id, status="vervallen"),
    g.SpoedVastgesteld: lambda c, e: {"acuut": True},
    g.BeoordelingAfgerond: _beoordeeld,
    g.OverdrachtAangeboden: lambda c, e: {"aangeboden_aan": e.aan, "geweigerd_door": None} | _fase("overdracht-aangeboden", e),
    g.OverdrachtGeweigerd: lambda c, e: (
        {"aangeboden_aan": None, "geweigerd_door": e.door} | _fase("dienst" if c.dienst_team else "beoordeling", e)
    ),
    g.OverdrachtGeaccepteerd: lambda c, e: {"aangeboden_aan": None, "geaccepteerd_door": e.door},
    g.ContactGelegd: lambda c, e: {"contact_gelegd": e.op, "contact_door": (*c.contact_door, e.actor.partij)},
    g.BerichtVerstuurd: _bericht,
    g.BerichtVerschuldigd: _bericht_verschuldigd,
    g.CasusAfgesloten: _afgesloten,
    g.DienstAfgerond: lambda c, e: {"dienst_team": e.team, "warm_overgedragen": False},
    g.Geregistreerd: _geregistreerd,
    g.MonitoringOordeelGegeven: lambda c, e: {"monitoring_besluit_nodig": False},
    g.MonitoringGestart: lambda c, e: _monitoring_gestart(e),
    g.MonitoringBeeindigd: lambda c, e: {"monitoring": False, "monitoring_besluit_nodig": False, "monitoring_tot": e.op},
    g.MonitoringBesluitNodig: lambda c, e: {"monitoring_besluit_nodig": True},
    g.IncidentGeregistreerd: _incident,
    g.StabieleVeiligheidVastgesteld: lambda c, e: {"stabiel_sinds": e.op},
    g.PlanVastgelegd: lambda c, e: {"plan_versie": e.versie},
    g.BeoordelingGestart: _beoordeling_gestart,
    g.ContactVastgelegd: lambda c, e: (
        {"contacten": (*c.contacten, e.met)} | ({"gi_gezin_contacteren": e.gezin_contacteren is not False} if e.met == "gi" else {})
    ),
    g.HuisverbodOpgelegd: lambda c, e: {"huisverbod_sinds": e.op, "huisverbod_verlengd": False},
    g.HuisverbodVerlengd: lambda c, e: {"huisverbod_verlengd": True} | _termijn(c, e.termijn_id, uiterlijk=e.uiterlijk),
    g.CasusregieBelegd: lambda c, e: {"casusregie": e.bij},
    # Appended outside the workflow (eventstore/vergeten.py); the decider needs nothing of it.
    g.HuishoudenVergeten: _niets,
}
