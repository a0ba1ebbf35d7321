"""The typed input and output of the use cases: what the API reads from a request body and what it
answers, the same for every caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.partijen import Identificatie, Partij


class MeldingInvoer(BaseModel):
    """A melding (CONTRACT.md `casus melding`). Who registers it comes from the token; `als` is a
    check that the token allows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    beleid: Identificatie
    gemeente: Identificatie
    huishouden: Identificatie
    acuut: bool = False
    melder_soort: Literal["professional", "burger"] = "professional"
    melder_anoniem: bool = False
    ontvangen: datetime | None = Field(default=None, description="when the melding was received (default: now)")
    inhoud: str = Field(default="", description="the melding's text; sealed before it is stored")
    aparte_casus: str | None = Field(default=None, description="why a casus of its own beside the household's open one (IJM-3.7c)")
    als: Partij | None = Field(default=None, description="the party the caller acts as; must be the token's")


class ActieInvoer(BaseModel):
    """One action's fields (CONTRACT.md, the action's own options), when it took effect, and `als`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    velden: dict[str, Any] = Field(default_factory=dict, description="the action's fields, as CONTRACT.md names them")
    op: datetime | None = Field(default=None, description="when it took effect (default: now)")
    als: Partij | None = Field(default=None, description="the party the caller acts as; must be the token's")


class MeldingUitkomst(BaseModel):
    casus_id: str
    uitkomst: dict[str, Any]


class ActieUitkomst(BaseModel):
    versie: int
    gebeurtenissen: list[str]
    uitkomst: dict[str, Any]


class DossierTekst(BaseModel):
    versie: int
    gebeurtenis: str
    op: str
    vastgelegd: str
    actor: str
    veld: str
    tekst: str


class Dossier(BaseModel):
    casus_id: str
    huishouden: str
    teksten: list[DossierTekst]


class Inzage(BaseModel):
    """One read of a person's record (NEN 7513): who, whose, when, why."""

    op: str
    issuer: str
    subject: str
    naam: str
    rol: str
    partij: str | None
    handeling: str
    casus_id: str | None
    huishouden: str | None
    reden: str


class Pagina(BaseModel):
    """A page of a list: `volgende` is the offset of the next page, None at the end."""

    totaal: int
    offset: int
    limiet: int
    volgende: int | None
