"""What a caseworker asks of a casus (CONTRACT.md "Actions"). Field names are the contract's,
in kebab-case on the outside (CLI options, scenario keys) and snake_case inside."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.gebeurtenissen import Melder
from domain.partijen import Actor
from domain.tijd import Moment


def _kebab(naam: str) -> str:
    return naam.replace("_", "-")


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
    reden: str = Field(min_length=1)


class ContactLeggen(_Opdracht):
    actie: Literal["contact-gelegd"] = "contact-gelegd"


class Afsluiten(_Opdracht):
    actie: Literal["afsluiten"] = "afsluiten"
    reden: str = Field(min_length=1)
    afgestemd_met_vt: bool = False


Opdracht = Annotated[
    SpoedVaststellen | BeoordelingAfronden | OverdrachtAccepteren | OverdrachtWeigeren | ContactLeggen | Afsluiten,
    Field(discriminator="actie"),
]

OPDRACHT = TypeAdapter[Opdracht](Opdracht)
OPDRACHTEN: dict[str, type[_Opdracht]] = {
    soort.model_fields["actie"].default: soort
    for soort in (
        SpoedVaststellen,
        BeoordelingAfronden,
        OverdrachtAccepteren,
        OverdrachtWeigeren,
        ContactLeggen,
        Afsluiten,
    )
}


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
    inhoud: str = ""
    actor: Actor
