"""The tijdelijk huisverbod beside the casus (GM-6). Its own terms are calendar days (Wet tijdelijk
huisverbod art. 13 excludes the Algemene termijnenwet), the conversation is in working days."""

from __future__ import annotations

from datetime import timedelta

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import BURGEMEESTER, VEILIG_THUIS
from domain.stap import Stap, vereis_partij
from domain.tijd import ZONE, Werkdagtelling, einde_kalenderdag, lokaal
from domain.weigering import Weigering


def _regels(s: Stap) -> tuple[str, str, str, str]:
    r = s.beleid.regels
    s.regel(r.huisverbod if s.beleid.huisverbod else None, "a tijdelijk huisverbod")
    assert r.huisverbod and r.huisverbod_team and r.huisverbod_advies and r.huisverbod_gesprek  # checked by Beleid
    return r.huisverbod, r.huisverbod_team, r.huisverbod_advies, r.huisverbod_gesprek


def huisverbod_opleggen(s: Stap, _: o.HuisverbodOpleggen) -> list[Gebeurtenis]:
    opleggen, team, advies, gesprek = _regels(s)
    assert s.beleid.huisverbod is not None
    termen = s.beleid.huisverbod
    vereis_partij(s, BURGEMEESTER, opleggen, "huisverbod-opleggen")
    lopend = s.casus.termijn("huisverbod-einde")
    if lopend is not None and lopend.status == "open":
        raise Weigering(opleggen, f"a huisverbod runs until {lokaal(lopend.uiterlijk)}")
    dag1 = s.op  # day 1 is the day of imposition (GM-6b)
    gesprek_telling = Werkdagtelling(vanaf=dag1, werkdagen=termen.gesprek_werkdagen, wijze="einde")
    return [
        s.maak(g.HuisverbodOpgelegd, opleggen),
        s.termijn("huisverbod-einde", (dag1.astimezone(ZONE) + timedelta(days=termen.dagen)), opleggen),
        s.termijn("huisverbod-lokaal-team-informeren", einde_kalenderdag(dag1, termen.team_informeren_dag - 1), team),
        s.termijn("huisverbod-advies", einde_kalenderdag(dag1, termen.advies_dag - 1), advies),
        s.termijn_in_werkdagen("huisverbod-gesprek", gesprek_telling, gesprek),
    ]


def huisverbod_verlengen(s: Stap, _: o.HuisverbodVerlengen) -> list[Gebeurtenis]:
    opleggen = _regels(s)[0]
    vereis_partij(s, BURGEMEESTER, opleggen, "huisverbod-verlengen")
    einde = s.casus.termijn("huisverbod-einde")
    if einde is None or einde.status != "open" or s.casus.huisverbod_sinds is None or s.beleid.huisverbod is None:
        raise Weigering(opleggen, "no huisverbod runs that could be extended")
    if s.casus.huisverbod_verlengd:
        raise Weigering(opleggen, "a huisverbod is extended once, to 28 days in all; it was extended already")
    tot = s.casus.huisverbod_sinds.astimezone(ZONE) + timedelta(days=s.beleid.huisverbod.verlengd_tot_dagen)
    return [s.maak(g.HuisverbodVerlengd, opleggen, termijn_id=einde.id, uiterlijk=tot)]


def lokaal_team_geinformeerd(s: Stap, _: o.LokaalTeamGeinformeerd) -> list[Gebeurtenis]:
    """GM-6b: the team informed of the huisverbod; GM-7.3b (rev. 2026-11-30): also Veilig Thuis's
    contact with the team while it holds casusregie, a message open until recorded here."""
    verschuldigd = [b for b in s.casus.berichten_open if b.soort == "contact-lokaal-team"]
    termijn = s.casus.termijn("huisverbod-lokaal-team-informeren")
    if not verschuldigd:
        return _voldoe(s, "huisverbod-lokaal-team-informeren", "lokaal-team-geinformeerd", (VEILIG_THUIS,))
    vereis_partij(s, VEILIG_THUIS, verschuldigd[0].regel, "lokaal-team-geinformeerd")
    events: list[Gebeurtenis] = [s.maak(g.BerichtVerstuurd, b.regel, soort=b.soort, aan=b.aan) for b in verschuldigd]
    if termijn is not None and termijn.status in ("open", "verstreken"):
        events += _voldoe(s, "huisverbod-lokaal-team-informeren", "lokaal-team-geinformeerd", (VEILIG_THUIS,))
    return events


def huisverbod_advies(s: Stap, a: o.HuisverbodAdvies) -> list[Gebeurtenis]:
    return _voldoe(s, "huisverbod-advies", "huisverbod-advies", (VEILIG_THUIS,), {"advies": a.advies})


def gezamenlijk_gesprek(s: Stap, _: o.GezamenlijkGesprek) -> list[Gebeurtenis]:
    return _voldoe(s, "huisverbod-gesprek", "gezamenlijk-gesprek", (VEILIG_THUIS, s.houdend_team, s.casus.dienst_team))


def _voldoe(s: Stap, soort: str, actie: str, wie: tuple[str | None, ...], velden: dict[str, str | bool] | None = None) -> list[Gebeurtenis]:
    _regels(s)
    termijn = s.casus.termijn(soort)
    if termijn is None:
        raise Weigering(s.beleid.regels.huisverbod or "beleid", f"{actie} follows a huisverbod; none was imposed")
    vereis_partij(s, wie, termijn.regel, actie)
    return [s.maak(g.Geregistreerd, termijn.regel, actie=actie, velden=velden or {}), *s.voldoe(termijn)]
