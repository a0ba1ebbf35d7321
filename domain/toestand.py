"""The state of a casus, folded from its events: `evolve(state, event) -> state`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain import gebeurtenissen as g
from domain.gebeurtenissen import Gebeurtenis, Melder
from domain.partijen import MELDER, VEILIG_THUIS

Fase = Literal["beoordeling", "overdracht-aangeboden", "dienst", "overgedragen", "afgesloten"]
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
    aangeboden_aan: str | None = None
    geaccepteerd_door: str | None = None
    verantwoordelijkheid: tuple[Interval, ...] = ()
    termijnen: tuple[Termijn, ...] = ()
    berichten: tuple[Bericht, ...] = ()
    contact_gelegd: datetime | None = None
    afgesloten_op: datetime | None = None
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


def begin(melding: g.MeldingOntvangen) -> Casus:
    return Casus(
        casus_id=melding.casus_id,
        beleid=melding.beleid,
        beleid_hash=melding.beleid_hash,
        kalender=melding.kalender,
        gemeente=melding.gemeente,
        huishouden=melding.huishouden,
        ontvangen=melding.op,
        acuut=melding.acuut,
        melder=melding.melder,
        fase_sinds=melding.op,
        versie=1,
    )


def evolve(casus: Casus | None, e: Gebeurtenis) -> Casus:
    if casus is None:
        if not isinstance(e, g.MeldingOntvangen):
            raise ValueError(f"a casus begins with MeldingOntvangen, not {e.type}")
        return begin(e)
    return _pas_toe(casus, e).model_copy(update={"versie": casus.versie + 1})


def herbouw(gebeurtenissen: Iterable[Gebeurtenis]) -> Casus | None:
    casus: Casus | None = None
    for e in gebeurtenissen:
        casus = evolve(casus, e)
    return casus


def _pas_toe(c: Casus, e: Gebeurtenis) -> Casus:  # noqa: PLR0911, PLR0912 - one branch per event type
    match e:
        case g.VerantwoordelijkheidOvergedragen():
            return _overgedragen(c, e)
        case g.TermijnGesteld():
            t = Termijn(id=e.termijn_id, soort=e.soort, uiterlijk=e.uiterlijk, regel=e.regel, gevolg=e.gevolg)
            return c.model_copy(update={"termijnen": (*c.termijnen, t)})
        case g.TermijnVoldaan():
            status: TermijnStatus = "te-laat" if e.te_laat else "voldaan"
            return _termijn(c, e.termijn_id, status=status, voldaan_op=e.op)
        case g.TermijnVerstreken():
            return _termijn(c, e.termijn_id, status="verstreken")
        case g.TermijnVervallen():
            return _termijn(c, e.termijn_id, status="vervallen")
        case g.SpoedVastgesteld():
            return c.model_copy(update={"acuut": True})
        case g.BeoordelingAfgerond():
            fase: Fase = "dienst" if e.besluit in ("voorwaarden-en-vervolg", "onderzoek") else c.fase
            return c.model_copy(update={"beoordeeld": True, "besluit": e.besluit, "fase": fase, "fase_sinds": e.op})
        case g.OverdrachtAangeboden():
            return c.model_copy(update={"aangeboden_aan": e.aan, "fase": "overdracht-aangeboden", "fase_sinds": e.op})
        case g.OverdrachtGeweigerd():
            return c.model_copy(update={"aangeboden_aan": None, "fase": "beoordeling", "fase_sinds": e.op})
        case g.OverdrachtGeaccepteerd():
            return c.model_copy(update={"aangeboden_aan": None, "geaccepteerd_door": e.door})
        case g.ContactGelegd():
            return c.model_copy(update={"contact_gelegd": e.op})
        case g.BerichtVerstuurd():
            b = Bericht(soort=e.soort, aan=e.aan, op=e.op, inhoud=e.inhoud, bezorgd=e.bezorgd, regel=e.regel)
            return c.model_copy(update={"berichten": (*c.berichten, b)})
        case g.CasusAfgesloten():
            return _afgesloten(c, e)
        case g.MeldingOntvangen():
            raise ValueError("a casus receives its melding once")


def _overgedragen(c: Casus, e: g.VerantwoordelijkheidOvergedragen) -> Casus:
    eerdere = tuple(i.model_copy(update={"tot": e.op}) if i.tot is None else i for i in c.verantwoordelijkheid)
    nieuw = Interval(partij=e.naar, van=e.op, tot=None, grond=e.regel)
    update: dict[str, object] = {"verantwoordelijkheid": (*eerdere, nieuw)}
    if e.naar not in (VEILIG_THUIS, MELDER):
        update |= {"fase": "overgedragen", "fase_sinds": e.op}
    return c.model_copy(update=update)


def _afgesloten(c: Casus, e: g.CasusAfgesloten) -> Casus:
    intervallen = tuple(i.model_copy(update={"tot": e.op}) if i.tot is None else i for i in c.verantwoordelijkheid)
    return c.model_copy(update={"verantwoordelijkheid": intervallen, "fase": "afgesloten", "fase_sinds": e.op, "afgesloten_op": e.op})


def _termijn(c: Casus, termijn_id: str, **wijziging: object) -> Casus:
    termijnen = tuple(t.model_copy(update=wijziging) if t.id == termijn_id else t for t in c.termijnen)
    return c.model_copy(update={"termijnen": termijnen})
