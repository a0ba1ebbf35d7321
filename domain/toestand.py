"""The state of a casus, as `domain.evolueren.evolve` folds it from its events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.gebeurtenissen import Melder
from domain.tijd import Werkdagtelling

Fase = Literal["beoordeling", "overdracht-aangeboden", "dienst", "overgedragen", "afgesloten"]
Overdracht = Literal["direct", "na-dienst", "uitkomst"]
TermijnStatus = Literal["open", "voldaan", "te-laat", "verstreken", "vervallen", "afgelopen", "van-rechtswege"]
# How a deadline ends when its moment passes unmet (CONTRACT.md, rev. 2026-11-30): an informative
# period simply ends (IJM-3.1b crisis, GM-6 huisverbod), the sixth-day transfer takes effect by law
# (IJM-3.1d); neither is a missed term. Every other kind lapses `verstreken`.
STATUS_BIJ_AFLOOP: dict[str, TermijnStatus] = {
    "crisis": "afgelopen",
    "huisverbod-einde": "afgelopen",
    "verantwoordelijkheid-vt": "van-rechtswege",
}


def status_bij_afloop(termijn_id: str) -> TermijnStatus:
    """The status a deadline gets when it passes unmet; its id is `<soort>-<n>`."""
    return STATUS_BIJ_AFLOOP.get(termijn_id.rsplit("-", 1)[0], "verstreken")


class _Waarde(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Waarde):
    partij: str
    van: datetime
    tot: datetime | None
    grond: str
    versie: int = 0  # the stream version of the transfer that began it (T-5a names it when superseded)


class Termijn(_Waarde):
    id: str
    soort: str
    uiterlijk: datetime
    regel: str
    status: TermijnStatus = "open"
    voldaan_op: datetime | None = None
    gevolg: Literal["geen", "verantwoordelijkheid-naar-vt"] = "geen"
    voorlopig: bool = False  # T-6
    werkdagen: Werkdagtelling | None = None  # how a provisional deadline was counted (T-6)
    vastgelegd_op: datetime | None = None  # when its being met was recorded (T-5c)

    @property
    def laat_vastgelegd(self) -> bool:
        """T-5c: met in time, but recorded after the moment it would have lapsed."""
        return self.status == "voldaan" and self.vastgelegd_op is not None and self.vastgelegd_op >= self.uiterlijk


class Bericht(_Waarde):
    soort: str
    aan: str
    op: datetime
    inhoud: tuple[str, ...]
    bezorgd: bool
    regel: str


class Casus(_Waarde):
    casus_id: str
    beleid: str
    beleid_hash: str
    kalender: str
    gemeente: str
    huishouden: str
    ontvangen: datetime
    acuut: bool
    melder: Melder
    fase: Fase = "beoordeling"
    fase_sinds: datetime
    beoordeeld: bool = False
    besluit: str | None = None
    eerste_besluit: str | None = None
    aangeboden_aan: str | None = None
    geaccepteerd_door: str | None = None
    verantwoordelijkheid: tuple[Interval, ...] = ()
    termijnen: tuple[Termijn, ...] = ()
    berichten: tuple[Bericht, ...] = ()
    contact_gelegd: datetime | None = None
    afgesloten_op: datetime | None = None
    overdracht: Overdracht | None = None
    dienst_team: str | None = None
    monitoring: bool = False
    monitoring_besluit_nodig: bool = False
    laatste_incident: datetime | None = None
    # The incident registered last, whatever its `op`: what decided before T-5b (rev. 2026-11-30).
    laatst_geregistreerd_incident: datetime | None = None
    stabiel_sinds: datetime | None = None
    plan_versie: int = 0
    cyclus: int = 1
    aanleiding: str = "melding"
    gi_betrokken: bool = False
    contacten: tuple[str, ...] = ()
    huisverbod_sinds: datetime | None = None
    huisverbod_verlengd: bool = False
    opgeschaald: bool = False
    gemeente_geinformeerd: bool = False
    casusregie: str | None = None
    # Rev. 2026-11-30: every melding keeps its own melder (IJM-3.2/3.3, IJM-3.7); who declined and may
    # still escalate (IJM-3.8a); the warme overdracht (IJM-3.4.2); the GI's say (IJM-3.7b); messages
    # due at once, open until recorded (GM-7.3b).
    cyclus_melders: tuple[Melder, ...] = ()
    geweigerd_door: str | None = None
    warm_overgedragen: bool = False
    gi_gezin_contacteren: bool = True
    berichten_open: tuple[Bericht, ...] = ()
    contact_door: tuple[str, ...] = ()  # the teams that recorded contact with the household (IJM-3.6b)
    monitoring_sinds: datetime | None = None
    monitoring_tot: datetime | None = None
    monitoring_richtduur_maanden: int | None = None
    versie: int = 0

    @property
    def melder_anoniem(self) -> bool:
        """IJM-3.3 (rev. 2026-11-30): any melder of the cycle being decided who wants to stay anonymous."""
        return any(m.anoniem for m in (self.cyclus_melders or (self.melder,)))

    @property
    def houder(self) -> str | None:
        laatste = self.verantwoordelijkheid[-1] if self.verantwoordelijkheid else None
        return laatste.partij if laatste and laatste.tot is None else None

    @property
    def houder_sinds(self) -> datetime:
        return self.verantwoordelijkheid[-1].van if self.verantwoordelijkheid else self.ontvangen

    def open_termijnen(self) -> tuple[Termijn, ...]:
        return tuple(t for t in self.termijnen if t.status == "open")

    def termijn(self, soort: str) -> Termijn | None:
        """The latest deadline of a kind (a kind may recur in a new beoordeling cycle)."""
        return next((t for t in reversed(self.termijnen) if t.soort == soort), None)

    def volgende_termijn(self) -> datetime | None:
        return min((t.uiterlijk for t in self.open_termijnen()), default=None)

    def openstaand(self, *soorten: str) -> tuple[Termijn, ...]:
        """Deadlines of these kinds not yet met: open, or lapsed and still to be met late."""
        return tuple(t for t in self.termijnen if t.soort in soorten and t.status in ("open", "verstreken"))
