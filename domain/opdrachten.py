"""What a caseworker asks of a casus (CONTRACT.md "Actions"). Field names are the contract's,
in kebab-case on the outside (CLI options, scenario keys) and snake_case inside."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.gebeurtenissen import Melder
from domain.partijen import Actor
from domain.tijd import Moment


def _kebab(naam: str) -> str:
    return naam.replace("_", "-")


def persoonlijk(**kwargs: Any) -> Any:
    """A field that may hold personal data of the household: the client seals it (free text)."""
    return Field(json_schema_extra={"persoonlijk": True}, **kwargs)


def persoonlijke_velden(soort: type[BaseModel]) -> tuple[str, ...]:
    return tuple(
        n
        for n, info in soort.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("persoonlijk")
    )


class _Opdracht(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=_kebab, populate_by_name=True)


class SpoedVaststellen(_Opdracht):
    actie: Literal["spoed-vastgesteld"] = "spoed-vastgesteld"


class BeoordelingAfronden(_Opdracht):
    actie: Literal["beoordeling-afronden"] = "beoordeling-afronden"
    besluit: str
    team: str | None = None
    criteria: tuple[str, ...] = ()
    instelling: str | None = None


class OverdrachtAccepteren(_Opdracht):
    actie: Literal["overdracht-accepteren"] = "overdracht-accepteren"


class OverdrachtWeigeren(_Opdracht):
    actie: Literal["overdracht-weigeren"] = "overdracht-weigeren"
    reden: str = persoonlijk(min_length=1)


class ContactLeggen(_Opdracht):
    actie: Literal["contact-gelegd"] = "contact-gelegd"


class Afsluiten(_Opdracht):
    actie: Literal["afsluiten"] = "afsluiten"
    reden: str = Field(min_length=1)
    afgestemd_met_vt: bool = False


class DienstAfronden(_Opdracht):
    actie: Literal["dienst-afronden"] = "dienst-afronden"
    team: str
    conclusie: Literal["vastgesteld", "niet-vastgesteld", "geen-oordeel"]
    voorwaarden: tuple[str, ...] = persoonlijk(default=())


class WarmeOverdracht(_Opdracht):
    actie: Literal["warme-overdracht"] = "warme-overdracht"


class ContactVastleggen(_Opdracht):
    actie: Literal["contact-vastgelegd"] = "contact-vastgelegd"
    met: Literal["gezin", "hulpverlener", "gi"]


class Incident(_Opdracht):
    actie: Literal["incident"] = "incident"
    omschrijving: str = persoonlijk(min_length=1)


class MonitoringOordeel(_Opdracht):
    actie: Literal["monitoring-oordeel"] = "monitoring-oordeel"
    voorwaarden_voldaan: bool
    directe_veiligheid: bool
    stabiele_veiligheid: bool
    herstel_aandacht: bool


class MonitoringVerlengen(_Opdracht):
    actie: Literal["monitoring-verlengen"] = "monitoring-verlengen"
    tot: date


class StabieleVeiligheid(_Opdracht):
    actie: Literal["stabiele-veiligheid"] = "stabiele-veiligheid"
    risicofactoren_aangepakt: bool
    herstel_gestart: bool


class PlanVastleggen(_Opdracht):
    actie: Literal["plan-vastleggen"] = "plan-vastleggen"
    plan: str = persoonlijk(min_length=1)


class OpnieuwMelden(_Opdracht):
    actie: Literal["opnieuw-melden"] = "opnieuw-melden"
    inhoud: str = persoonlijk(min_length=1)


class NieuweMelding(_Opdracht):
    actie: Literal["nieuwe-melding"] = "nieuwe-melding"
    melder_soort: Literal["professional", "burger"] = "professional"
    melder_anoniem: bool = False
    acuut: bool = False
    gi_betrokken: bool = False
    inhoud: str = persoonlijk(default="")


class OndersteuningVt(_Opdracht):
    actie: Literal["ondersteuning-vt"] = "ondersteuning-vt"
    vorm: Literal["casusoverleg", "gezamenlijk-gesprek", "netwerkgesprek", "anders"]


class Dwangmaatregel(_Opdracht):
    actie: Literal["dwangmaatregel"] = "dwangmaatregel"
    soort: Literal["vtb", "vto", "aangifte", "huisverbod"]


class Opschalen(_Opdracht):
    actie: Literal["opschalen"] = "opschalen"
    reden: str = persoonlijk(min_length=1)


class OpschalingBesluit(_Opdracht):
    actie: Literal["opschaling-besluit"] = "opschaling-besluit"
    besluit: str = persoonlijk(min_length=1)


class GemeenteInformeren(_Opdracht):
    actie: Literal["gemeente-informeren"] = "gemeente-informeren"
    reden: str = persoonlijk(min_length=1)


class GemeenteReactie(_Opdracht):
    actie: Literal["gemeente-reactie"] = "gemeente-reactie"


class HuisverbodOpleggen(_Opdracht):
    actie: Literal["huisverbod-opleggen"] = "huisverbod-opleggen"


class HuisverbodVerlengen(_Opdracht):
    actie: Literal["huisverbod-verlengen"] = "huisverbod-verlengen"


class LokaalTeamGeinformeerd(_Opdracht):
    actie: Literal["lokaal-team-geinformeerd"] = "lokaal-team-geinformeerd"


class HuisverbodAdvies(_Opdracht):
    actie: Literal["huisverbod-advies"] = "huisverbod-advies"
    advies: str = persoonlijk(min_length=1)


class GezamenlijkGesprek(_Opdracht):
    actie: Literal["gezamenlijk-gesprek"] = "gezamenlijk-gesprek"


ALLE = (
    SpoedVaststellen, BeoordelingAfronden, OverdrachtAccepteren, OverdrachtWeigeren, ContactLeggen, Afsluiten,
    DienstAfronden, WarmeOverdracht, ContactVastleggen, Incident, MonitoringOordeel, MonitoringVerlengen,
    StabieleVeiligheid, PlanVastleggen, OpnieuwMelden, NieuweMelding, OndersteuningVt, Dwangmaatregel, Opschalen,
    OpschalingBesluit, GemeenteInformeren, GemeenteReactie, HuisverbodOpleggen, HuisverbodVerlengen,
    LokaalTeamGeinformeerd, HuisverbodAdvies, GezamenlijkGesprek,
)  # fmt: skip


Opdracht = Annotated[
    SpoedVaststellen | BeoordelingAfronden | OverdrachtAccepteren | OverdrachtWeigeren | ContactLeggen | Afsluiten
    | DienstAfronden | WarmeOverdracht | ContactVastleggen | Incident | MonitoringOordeel | MonitoringVerlengen
    | StabieleVeiligheid | PlanVastleggen | OpnieuwMelden | NieuweMelding | OndersteuningVt | Dwangmaatregel | Opschalen
    | OpschalingBesluit | GemeenteInformeren | GemeenteReactie | HuisverbodOpleggen | HuisverbodVerlengen
    | LokaalTeamGeinformeerd | HuisverbodAdvies | GezamenlijkGesprek,
    Field(discriminator="actie"),
]  # fmt: skip

OPDRACHT = TypeAdapter[Opdracht](Opdracht)
OPDRACHTEN: dict[str, type[_Opdracht]] = {soort.model_fields["actie"].default: soort for soort in ALLE}


class Verzoek(BaseModel):
    """One step: the action, who takes it, and when it took effect (None: now)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opdracht: Opdracht
    actor: Actor
    op: Moment | None = None


class Melden(BaseModel):
    """The receipt of a melding: it starts a casus."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    casus_id: str = Field(min_length=1)
    gemeente: str
    huishouden: str = Field(min_length=1)
    acuut: bool = False
    melder: Melder = Melder()
    ontvangen: Moment
    inhoud: str = persoonlijk(default="")
    actor: Actor
