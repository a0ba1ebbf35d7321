"""What one decision works with: the rules in force, the casus, the actor and the two moments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from domain import gebeurtenissen as g
from domain.beleid import Beleid
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import VEILIG_THUIS, Actor, team, team_id
from domain.tijd import Kalender, Werkdagtelling, lokaal, na_uren
from domain.toestand import Casus, Termijn
from domain.weigering import Weigering

E = TypeVar("E", bound=BaseModel)


class Regelset(BaseModel):
    """The policy a casus runs under with the working-day calendar it counts with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    beleid: Beleid
    kalender: Kalender

    @property
    def werkdagen(self) -> Kalender:
        return self.kalender.met_sluitingsdagen(self.beleid.sluitingsdagen)


class Tik(BaseModel):
    """The clock: time has reached `nu`."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Stap:
    """Everything one decision needs, and a maker of events stamped with its moments and actor."""

    casus: Casus
    regelset: Regelset
    actor: Actor
    op: datetime
    nu: datetime
    # The rules as revised on 2026-11-30; off only for a casus whose recorded history decided under
    # the earlier ones (the workflow's patch), so that its replay decides as it did.
    herziening: bool = True

    @property
    def beleid(self) -> Beleid:
        return self.regelset.beleid

    def maak(self, klasse: type[E], regel: str, **velden: Any) -> E:
        stempel = {"op": self.op, "vastgelegd": self.nu, "actor": self.actor, "regel": regel}
        return klasse(**(stempel | velden))

    def termijn(self, soort: str, uiterlijk: datetime, regel: str, **velden: Any) -> g.TermijnGesteld:
        nummer = 1 + sum(1 for t in self.casus.termijnen if t.soort == soort)
        return self.maak(g.TermijnGesteld, regel, termijn_id=f"{soort}-{nummer}", soort=soort, uiterlijk=uiterlijk, **velden)

    def termijn_in_werkdagen(self, soort: str, telling: Werkdagtelling, regel: str, **velden: Any) -> g.TermijnGesteld:
        """A working-day deadline (T-2); counted past the calendar's horizon it is provisional and
        keeps how it was counted, so a later calendar can re-set it (T-6)."""
        kal = self.regelset.werkdagen
        voorlopig: dict[str, Any] = {"voorlopig": True, "werkdagen": telling} if telling.voorlopig(kal) else {}
        return self.termijn(soort, telling.uiterlijk(kal), regel, **voorlopig, **velden)

    def voldoe(self, termijn: Termijn | None) -> list[Gebeurtenis]:
        """A deadline met by this step, judged on the moment it took effect (T-5)."""
        if termijn is None or termijn.status not in ("open", "verstreken"):
            return []
        return [self.maak(g.TermijnVoldaan, termijn.regel, termijn_id=termijn.id, te_laat=self.op >= termijn.uiterlijk)]

    def draag_over(self, naar: str, regel: str) -> list[Gebeurtenis]:
        """A transfer of zicht op veiligheid; it cannot reach back before the current holder began."""
        c = self.casus
        if c.houder == naar:
            return []
        if self.op < c.houder_sinds:
            raise Weigering(
                "T-5",
                f"{c.houder} holds the responsibility since {lokaal(c.houder_sinds)}; "
                f"a transfer cannot take effect before that (op {lokaal(self.op)})",
                veld="op",
            )
        events: list[Gebeurtenis] = [self.maak(g.VerantwoordelijkheidOvergedragen, regel, van=c.houder, naar=naar)]
        if naar == VEILIG_THUIS:
            events += self.voldoe(c.termijn("verantwoordelijkheid-vt"))
        regie = self.beleid.regels.casusregie
        if regie and (naar == VEILIG_THUIS or team_id(naar)) and c.casusregie != naar:
            events.append(self.maak(g.CasusregieBelegd, regie, bij=naar))  # GM-7.3
        return events

    @property
    def houdend_team(self) -> str | None:
        houder = self.casus.houder
        return houder if houder and team_id(houder) else None

    def regel(self, regel: str | None, wat: str) -> str:
        """The rule grounding a step; a step the region's agreement does not have is refused."""
        if regel is None:
            raise Weigering("beleid", f"{self.beleid.id} makes no arrangement for {wat}")
        return regel


def crisis(s: Stap) -> list[Gebeurtenis]:
    """IJM-3.1b: the crisis service's own term of 72 hours; informative, it moves nothing."""
    if s.beleid.crisis_uren is None or s.beleid.regels.crisis is None:
        return []
    return [s.termijn("crisis", na_uren(s.op, s.beleid.crisis_uren), s.beleid.regels.crisis)]


def gemeente_team(s: Stap) -> str | None:
    """The lokaal team of the casus's gemeente that takes casussen (the first listed)."""
    return next((team(t.id) for t in s.beleid.teams if t.neemt_casussen and s.casus.gemeente in t.gemeenten), None)


def casusregie_bij_vt(s: Stap) -> list[Gebeurtenis]:
    """GM-7.3: casusregie lies with Veilig Thuis; GM-7.3b (rev. 2026-11-30): it then contacts the
    team of the gemeente as soon as possible, a message due at once, open until recorded."""
    regels = s.beleid.regels
    if regels.casusregie is None:
        return []
    events: list[Gebeurtenis] = [s.maak(g.CasusregieBelegd, regels.casusregie, bij=VEILIG_THUIS)]
    aan = gemeente_team(s)
    if regels.contact_lokaal_team and aan:
        events.append(s.maak(g.BerichtVerschuldigd, regels.contact_lokaal_team, soort="contact-lokaal-team", aan=aan))
    return events


def vereis_partij(s: Stap, toegestaan: str | tuple[str | None, ...] | None, regel: str, wat: str) -> None:
    partijen = [p for p in (toegestaan if isinstance(toegestaan, tuple) else (toegestaan,)) if p]
    if s.actor.partij not in partijen:
        wie = " or ".join(partijen) or "nobody in the current phase"
        raise Weigering(regel, f"{wat} may be done by {wie}, not {s.actor.partij}", veld="als")


def vereis_fase(s: Stap, fasen: tuple[str, ...], regel: str, wat: str) -> None:
    if s.casus.fase not in fasen:
        raise Weigering(regel, f"{wat} is possible in phase {' or '.join(fasen)}; the casus is in phase '{s.casus.fase}'")


def controleer_team(s: Stap, team_naam: str, regel: str) -> None:
    beleid = s.beleid
    geschikt = [x.id for x in beleid.teams if x.neemt_casussen and s.casus.gemeente in x.gemeenten]
    if team_naam not in geschikt:
        raise Weigering(
            regel, f"team '{team_naam}' does not take casussen in {s.casus.gemeente}; accepted: {', '.join(geschikt)}", veld="team"
        )
