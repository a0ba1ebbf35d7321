"""The state of a casus, as `domain.evolueren.evolve` folds it from its events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.gebeurtenissen import Melder

Fase = Literal["beoordeling", "overdracht-aangeboden", "dienst", "overgedragen", "afgesloten"]
Overdracht = Literal["direct", "na-dienst", "uitkomst"]
TermijnStatus = Literal["open", "voldaan", "te-laat", "verstreken", "vervallen"]


class _Waarde(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(_Waarde):
    partij: str
    van: datetime
    tot: datetime | None
    grond: str


class Termijn(_Waarde):
    id: str
    soort: str
    uiterlijk: datetime
    regel: str
    status: TermijnStatus = "open"
    voldaan_op: datetime | None = None
    gevolg: Literal["geen", "verantwoordelijkheid-naar-vt"] = "geen"


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
    versie: int = 0

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
