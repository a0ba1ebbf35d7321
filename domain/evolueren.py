"""`evolve(casus, event) -> casus`: the state a fact leaves behind. It decides nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain import gebeurtenissen as g
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import CLIENTSYSTEEM, MELDER, VEILIG_THUIS, team_id
from domain.toestand import Bericht, Casus, Fase, Interval, Termijn, TermijnStatus


def begin(melding: g.MeldingOntvangen) -> Casus:
    return Casus(
        casus_id=melding.casus_id, beleid=melding.beleid, beleid_hash=melding.beleid_hash, kalender=melding.kalender,
        gemeente=melding.gemeente, huishouden=melding.huishouden, ontvangen=melding.op, acuut=melding.acuut,
        melder=melding.melder, fase_sinds=melding.op, versie=1,
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


def herbouw(gebeurtenissen: Iterable[Gebeurtenis]) -> Casus | None:
    casus: Casus | None = None
    for e in gebeurtenissen:
        casus = evolve(casus, e)
    return casus


Wijziging = dict[str, Any]


def _niets(_c: Casus, _e: Any) -> Wijziging:
    return {}


def _fase(fase: Fase, e: Gebeurtenis) -> Wijziging:
    return {"fase": fase, "fase_sinds": e.op}


def _overgedragen(c: Casus, e: g.VerantwoordelijkheidOvergedragen) -> Wijziging:
    eerdere = tuple(i.model_copy(update={"tot": e.op}) if i.tot is None else i for i in c.verantwoordelijkheid)
    wijziging: Wijziging = {"verantwoordelijkheid": (*eerdere, Interval(partij=e.naar, van=e.op, tot=None, grond=e.regel))}
    if e.naar not in (VEILIG_THUIS, MELDER, CLIENTSYSTEEM) and c.fase != "overgedragen":
        wijziging |= _fase("overgedragen", e)
    if team_id(e.naar) is not None:
        wijziging |= {"overdracht": "na-dienst" if c.fase == "dienst" or c.dienst_team else "direct"}
    return wijziging


def _termijn(c: Casus, termijn_id: str, **velden: object) -> Wijziging:
    return {"termijnen": tuple(t.model_copy(update=velden) if t.id == termijn_id else t for t in c.termijnen)}


def _termijn_gesteld(c: Casus, e: g.TermijnGesteld) -> Wijziging:
    t = Termijn(id=e.termijn_id, soort=e.soort, uiterlijk=e.uiterlijk, regel=e.regel, gevolg=e.gevolg)
    # Monitoring runs from its first planned moment until MonitoringBeeindigd (IJM-3.4.5a).
    monitoring = {"monitoring": True, "monitoring_besluit_nodig": False} if t.soort.startswith("monitoring-") else {}
    return {"termijnen": (*c.termijnen, t)} | monitoring


def _voldaan(c: Casus, e: g.TermijnVoldaan) -> Wijziging:
    status: TermijnStatus = "te-laat" if e.te_laat else "voldaan"
    return _termijn(c, e.termijn_id, status=status, voldaan_op=e.op)


def _beoordeeld(c: Casus, e: g.BeoordelingAfgerond) -> Wijziging:
    wijziging: Wijziging = {"beoordeeld": True, "besluit": e.besluit, "eerste_besluit": c.eerste_besluit or e.besluit}
    if e.besluit in ("voorwaarden-en-vervolg", "onderzoek"):
        wijziging |= _fase("dienst", e)
    return wijziging


def _afgesloten(c: Casus, e: g.CasusAfgesloten) -> Wijziging:
    intervallen = tuple(i.model_copy(update={"tot": e.op}) if i.tot is None else i for i in c.verantwoordelijkheid)
    return {"verantwoordelijkheid": intervallen, "afgesloten_op": e.op, "monitoring": False} | _fase("afgesloten", e)


def _bericht(c: Casus, e: g.BerichtVerstuurd) -> Wijziging:
    b = Bericht(soort=e.soort, aan=e.aan, op=e.op, inhoud=e.inhoud, bezorgd=e.bezorgd, regel=e.regel)
    return {"berichten": (*c.berichten, b)}


def _beoordeling_gestart(c: Casus, e: g.BeoordelingGestart) -> Wijziging:
    return {
        "beoordeeld": False, "besluit": None, "cyclus": c.cyclus + 1, "contacten": (), "gi_betrokken": e.gi_betrokken,
        "aanleiding": e.aanleiding, "dienst_team": None, "contact_gelegd": None,
        "acuut": c.acuut or e.acuut,
    } | _fase("beoordeling", e)  # fmt: skip


_VLAGGEN: dict[str, Wijziging] = {
    "opschalen": {"opgeschaald": True},
    "opschaling-besluit": {"opgeschaald": False},
    "gemeente-informeren": {"gemeente_geinformeerd": True},
    "gemeente-reactie": {"gemeente_geinformeerd": False},
}


def _geregistreerd(c: Casus, e: g.Geregistreerd) -> Wijziging:
    return _VLAGGEN.get(e.actie, {})


_WIJZIGINGEN: dict[type[Any], Callable[[Casus, Any], Wijziging]] = {
    g.VerantwoordelijkheidOvergedragen: _overgedragen,
    g.TermijnGesteld: _termijn_gesteld,
    g.TermijnVoldaan: _voldaan,
    g.TermijnVerstreken: lambda c, e: _termijn(c, e.termijn_id, status="verstreken"),
    g.TermijnVervallen: lambda c, e: _termijn(c, e.termijn_id, status="vervallen"),
    g.SpoedVastgesteld: lambda c, e: {"acuut": True},
    g.BeoordelingAfgerond: _beoordeeld,
    g.OverdrachtAangeboden: lambda c, e: {"aangeboden_aan": e.aan} | _fase("overdracht-aangeboden", e),
    g.OverdrachtGeweigerd: lambda c, e: {"aangeboden_aan": None} | _fase("dienst" if c.dienst_team else "beoordeling", e),
    g.OverdrachtGeaccepteerd: lambda c, e: {"aangeboden_aan": None, "geaccepteerd_door": e.door},
    g.ContactGelegd: lambda c, e: {"contact_gelegd": e.op},
    g.BerichtVerstuurd: _bericht,
    g.CasusAfgesloten: _afgesloten,
    g.DienstAfgerond: lambda c, e: {"dienst_team": e.team},
    g.Geregistreerd: _geregistreerd,
    g.MonitoringOordeelGegeven: lambda c, e: {"monitoring_besluit_nodig": False},
    g.MonitoringBeeindigd: lambda c, e: {"monitoring": False, "monitoring_besluit_nodig": False},
    g.MonitoringBesluitNodig: lambda c, e: {"monitoring_besluit_nodig": True},
    g.IncidentGeregistreerd: lambda c, e: {"laatste_incident": e.op, "stabiel_sinds": None},
    g.StabieleVeiligheidVastgesteld: lambda c, e: {"stabiel_sinds": e.op},
    g.PlanVastgelegd: lambda c, e: {"plan_versie": e.versie},
    g.BeoordelingGestart: _beoordeling_gestart,
    g.ContactVastgelegd: lambda c, e: {"contacten": (*c.contacten, e.met)},
    g.HuisverbodOpgelegd: lambda c, e: {"huisverbod_sinds": e.op, "huisverbod_verlengd": False},
    g.HuisverbodVerlengd: lambda c, e: {"huisverbod_verlengd": True} | _termijn(c, e.termijn_id, uiterlijk=e.uiterlijk),
    g.CasusregieBelegd: lambda c, e: {"casusregie": e.bij},
}
