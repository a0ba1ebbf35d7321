"""The facts of a casus, in the past tense. Each carries when it took effect (`op`), when it was
recorded (`vastgelegd`), who caused it (`actor`) and the rule id it applies (`regel`) (T-5).

Every kind of fact is a class of its own directly under `_Gebeurtenis`, and none is a subclass of
another (a unit test holds it to that): so `type(e) is X` says exactly what `isinstance(e, X)`
says. Code that runs for every event of the log (the read models, the fold, the check of a stored
event) tests by type: pydantic's classes answer `isinstance` through `ABCMeta`, which costs about
0.3 us for each kind that does not match (the read model `termijnen` asked up to eight for every
event: 1.5 of its 3.4 us per event)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.partijen import Actor
from domain.tijd import Werkdagtelling


class _Gebeurtenis(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    op: datetime
    vastgelegd: datetime
    actor: Actor
    regel: str


class Melder(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    soort: Literal["professional", "burger"] = "professional"
    anoniem: bool = False


class MeldingOntvangen(_Gebeurtenis):
    type: Literal["MeldingOntvangen"] = "MeldingOntvangen"
    casus_id: str
    beleid: str
    beleid_hash: str
    kalender: str
    gemeente: str
    huishouden: str
    acuut: bool
    melder: Melder
    inhoud: str
    aparte_casus: str | None = None  # IJM-3.7c: the reason for a casus of its own (sealed)


class VerantwoordelijkheidOvergedragen(_Gebeurtenis):
    """A change of the holder of zicht op veiligheid; `van` is None for the first holder."""

    type: Literal["VerantwoordelijkheidOvergedragen"] = "VerantwoordelijkheidOvergedragen"
    van: str | None
    naar: str


class TermijnGesteld(_Gebeurtenis):
    """A deadline, computed once when the event that starts it happens (a fact, never recomputed)."""

    type: Literal["TermijnGesteld"] = "TermijnGesteld"
    termijn_id: str
    soort: str
    uiterlijk: datetime
    gevolg: Literal["geen", "verantwoordelijkheid-naar-vt"] = "geen"
    # T-6: counted past the calendar's `bekend_tot`; `werkdagen` says how, to count it again.
    voorlopig: bool = False
    werkdagen: Werkdagtelling | None = None


class TermijnHerzien(_Gebeurtenis):
    """T-6: a later calendar version moves a provisional deadline (or confirms it); `kalender` is
    the version it was counted with now. The deadline set before stays in the record."""

    type: Literal["TermijnHerzien"] = "TermijnHerzien"
    termijn_id: str
    uiterlijk: datetime
    kalender: str
    voorlopig: bool


class OverdrachtVervangen(_Gebeurtenis):
    """T-5a: a transfer the clock recorded by itself (IJM-3.1d) no longer holds in effective time,
    because a fact registered late took effect before it. Nothing is removed: this names the
    superseded event by its version in the stream, and why; `termijn_id` is the deadline whose
    consequence it was, to be judged again on the late fact's `op`."""

    type: Literal["OverdrachtVervangen"] = "OverdrachtVervangen"
    vervangt: int
    termijn_id: str | None
    reden: str


class TermijnVoldaan(_Gebeurtenis):
    type: Literal["TermijnVoldaan"] = "TermijnVoldaan"
    termijn_id: str
    te_laat: bool


class TermijnVerstreken(_Gebeurtenis):
    type: Literal["TermijnVerstreken"] = "TermijnVerstreken"
    termijn_id: str


class TermijnVervallen(_Gebeurtenis):
    type: Literal["TermijnVervallen"] = "TermijnVervallen"
    termijn_id: str
    reden: str


class SpoedVastgesteld(_Gebeurtenis):
    type: Literal["SpoedVastgesteld"] = "SpoedVastgesteld"


class BeoordelingAfgerond(_Gebeurtenis):
    type: Literal["BeoordelingAfgerond"] = "BeoordelingAfgerond"
    besluit: str
    team: str | None = None
    instelling: str | None = None
    criteria: tuple[str, ...] = ()


class OverdrachtAangeboden(_Gebeurtenis):
    type: Literal["OverdrachtAangeboden"] = "OverdrachtAangeboden"
    aan: str


class OverdrachtGeaccepteerd(_Gebeurtenis):
    type: Literal["OverdrachtGeaccepteerd"] = "OverdrachtGeaccepteerd"
    door: str


class OverdrachtGeweigerd(_Gebeurtenis):
    type: Literal["OverdrachtGeweigerd"] = "OverdrachtGeweigerd"
    door: str
    reden: str


class ContactGelegd(_Gebeurtenis):
    type: Literal["ContactGelegd"] = "ContactGelegd"


class BerichtVerstuurd(_Gebeurtenis):
    """A letter, notice or form; `bezorgd` is false when it could not be delivered (anonymous melder)."""

    type: Literal["BerichtVerstuurd"] = "BerichtVerstuurd"
    soort: str
    aan: str
    inhoud: tuple[str, ...] = ()
    bezorgd: bool = True


class CasusAfgesloten(_Gebeurtenis):
    type: Literal["CasusAfgesloten"] = "CasusAfgesloten"
    reden: str


class DienstAfgerond(_Gebeurtenis):
    type: Literal["DienstAfgerond"] = "DienstAfgerond"
    team: str
    conclusie: str
    voorwaarden: tuple[str, ...] = ()


class Geregistreerd(_Gebeurtenis):
    """A step that is recorded and moves nothing by itself: warme overdracht, support offered,
    escalation, a coercive measure, informing the gemeente, the huisverbod's follow-up, ..."""

    type: Literal["Geregistreerd"] = "Geregistreerd"
    actie: str
    velden: dict[str, str | bool] = {}


class MonitoringOordeelGegeven(_Gebeurtenis):
    type: Literal["MonitoringOordeelGegeven"] = "MonitoringOordeelGegeven"
    termijn_id: str | None
    voorwaarden_voldaan: bool
    directe_veiligheid: bool
    stabiele_veiligheid: bool
    herstel_aandacht: bool

    @property
    def positief(self) -> bool:
        return self.voorwaarden_voldaan and self.directe_veiligheid and self.stabiele_veiligheid and self.herstel_aandacht


class MonitoringGestart(_Gebeurtenis):
    """Monitoring begins with the overdracht after a dienst; `richtduur_maanden` is the region's
    average duration to report against (GM-5.2.7: "gemiddeld anderhalf jaar"), not a term."""

    type: Literal["MonitoringGestart"] = "MonitoringGestart"
    richtduur_maanden: int | None = None


class MonitoringBeeindigd(_Gebeurtenis):
    type: Literal["MonitoringBeeindigd"] = "MonitoringBeeindigd"
    reden: str


class MonitoringBesluitNodig(_Gebeurtenis):
    """A negative oordeel on the last planned moment: Veilig Thuis must plan a further one."""

    type: Literal["MonitoringBesluitNodig"] = "MonitoringBesluitNodig"


class IncidentGeregistreerd(_Gebeurtenis):
    type: Literal["IncidentGeregistreerd"] = "IncidentGeregistreerd"
    omschrijving: str


class StabieleVeiligheidVastgesteld(_Gebeurtenis):
    type: Literal["StabieleVeiligheidVastgesteld"] = "StabieleVeiligheidVastgesteld"


class PlanVastgelegd(_Gebeurtenis):
    type: Literal["PlanVastgelegd"] = "PlanVastgelegd"
    versie: int
    plan: str


class BeoordelingGestart(_Gebeurtenis):
    """A new beoordeling cycle in the same casus: renewed concern or a new melding (IJM-3.3.6, IJM-3.7)."""

    type: Literal["BeoordelingGestart"] = "BeoordelingGestart"
    aanleiding: Literal["opnieuw-melden", "nieuwe-melding"]
    inhoud: str
    gi_betrokken: bool = False
    melder: Melder | None = None
    acuut: bool = False


class ContactVastgelegd(_Gebeurtenis):
    type: Literal["ContactVastgelegd"] = "ContactVastgelegd"
    met: str
    gezin_contacteren: bool | None = None  # IJM-3.7b: the GI's say, with met "gi"


class BerichtVerschuldigd(_Gebeurtenis):
    """A message due at once, with no term: open until it is recorded as sent (GM-7.3b)."""

    type: Literal["BerichtVerschuldigd"] = "BerichtVerschuldigd"
    soort: str
    aan: str


class HuisverbodOpgelegd(_Gebeurtenis):
    type: Literal["HuisverbodOpgelegd"] = "HuisverbodOpgelegd"


class HuisverbodVerlengd(_Gebeurtenis):
    type: Literal["HuisverbodVerlengd"] = "HuisverbodVerlengd"
    termijn_id: str
    uiterlijk: datetime


class CasusregieBelegd(_Gebeurtenis):
    type: Literal["CasusregieBelegd"] = "CasusregieBelegd"
    bij: str | None


class BeeindigingGeweigerd(_Gebeurtenis):
    """Someone asked the engine to end the casus outside the agreements (a cancel request); the casus
    runs on, because it ends only by the agreements' own close (`regel`)."""

    type: Literal["BeeindigingGeweigerd"] = "BeeindigingGeweigerd"
    verzoek: Literal["annuleren"] = "annuleren"


class HuishoudenVergeten(_Gebeurtenis):
    """Wmo 2015 art. 5.3.5: the personal data of the casus's household was destroyed on request
    (its key `generatie` and every one before it). Recorded in each casus of the household, so its
    audit shows who had it forgotten, when and why; `reden` stays for the retention period, so it
    names the request, never a person. Texts sealed before it read as forgotten from now on."""

    type: Literal["HuishoudenVergeten"] = "HuishoudenVergeten"
    huishouden: str
    generatie: int
    reden: str


Gebeurtenis = Annotated[
    MeldingOntvangen
    | VerantwoordelijkheidOvergedragen
    | TermijnGesteld
    | TermijnHerzien
    | OverdrachtVervangen
    | TermijnVoldaan
    | TermijnVerstreken
    | TermijnVervallen
    | SpoedVastgesteld
    | BeoordelingAfgerond
    | OverdrachtAangeboden
    | OverdrachtGeaccepteerd
    | OverdrachtGeweigerd
    | ContactGelegd
    | BerichtVerstuurd
    | BerichtVerschuldigd
    | CasusAfgesloten
    | DienstAfgerond
    | Geregistreerd
    | MonitoringOordeelGegeven
    | MonitoringGestart
    | MonitoringBeeindigd
    | MonitoringBesluitNodig
    | IncidentGeregistreerd
    | StabieleVeiligheidVastgesteld
    | PlanVastgelegd
    | BeoordelingGestart
    | ContactVastgelegd
    | HuisverbodOpgelegd
    | HuisverbodVerlengd
    | CasusregieBelegd
    | BeeindigingGeweigerd
    | HuishoudenVergeten,
    Field(discriminator="type"),
]

GEBEURTENIS = TypeAdapter[Gebeurtenis](Gebeurtenis)
