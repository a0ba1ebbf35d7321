"""What a caseworker asks of a casus (CONTRACT.md "Actions"). Field names are the contract's,
in kebab-case on the outside (CLI options, scenario keys) and snake_case inside."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from domain.gebeurtenissen import Melder
from domain.partijen import HandelendeActor, Identificatie, Sleutel, stuurteken
from domain.tijd import Datum, Moment

# Free text stays far under Temporal's 2 MB per payload, sealed or not, whole lists included (issue 11).
TEKST_MAX, VOORWAARDE_MAX, LIJST_MAX = 10_000, 1_000, 50
# The client seals personal text before the workflow sees it (eventstore/kluis.py: "vz1:" and the
# base64 of nonce, ciphertext and tag); the workflow validates the sealed form, which is longer.
_VERZEGELD = re.compile(r"vz\d+:[A-Za-z0-9+/]*={0,2}")


def verzegeld_max(tekens: int) -> int:
    """The longest sealed form of a text of `tekens` characters (4 UTF-8 bytes each, 28 bytes of AES-GCM)."""
    return 8 + 4 * -(-(4 * tekens + 28) // 3)


def _tekst(maximum: int, verplicht: bool) -> Callable[[str], str]:
    def controleer(waarde: str) -> str:
        grens = verzegeld_max(maximum) if _VERZEGELD.fullmatch(waarde) else maximum
        if len(waarde) > grens:
            raise ValueError(f"at most {grens} characters are accepted; got {len(waarde)}")
        if (teken := stuurteken(waarde, behalve="\t\n\r")) is not None:
            raise ValueError(f"a text has no control characters other than tab and newline; found {teken}")
        if verplicht and not waarde.strip():
            raise ValueError("a text is required here; it may not be blank")
        return waarde

    return controleer


Tekst = Annotated[str, AfterValidator(_tekst(TEKST_MAX, verplicht=False))]
VerplichteTekst = Annotated[str, AfterValidator(_tekst(TEKST_MAX, verplicht=True))]
Voorwaarde = Annotated[str, AfterValidator(_tekst(VOORWAARDE_MAX, verplicht=True))]


def _kebab(naam: str) -> str:
    return naam.replace("_", "-")


def persoonlijk(*, codes: tuple[str, ...] = (), **kwargs: Any) -> Any:
    """A field that may hold personal data of the household: the client seals it (free text). A value
    in `codes` is a code of the rules, not prose: it stays in clear, so the workflow can apply its clause."""
    extra: dict[str, Any] = {"persoonlijk": True} | ({"codes": list(codes)} if codes else {})
    return Field(json_schema_extra=extra, **kwargs)


def open_codes(soort: type[BaseModel], veld: str) -> tuple[str, ...]:
    """The values of a personal field that are codes, left in clear (see `persoonlijk`)."""
    extra = soort.model_fields[veld].json_schema_extra
    return tuple(extra.get("codes") or ()) if isinstance(extra, dict) else ()  # type: ignore[arg-type]


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
    besluit: Identificatie
    team: Identificatie | None = None
    criteria: tuple[Identificatie, ...] = Field(default=(), max_length=LIJST_MAX)
    instelling: Identificatie | None = None


class OverdrachtAccepteren(_Opdracht):
    actie: Literal["overdracht-accepteren"] = "overdracht-accepteren"


class OverdrachtWeigeren(_Opdracht):
    actie: Literal["overdracht-weigeren"] = "overdracht-weigeren"
    reden: VerplichteTekst = persoonlijk()


class ContactLeggen(_Opdracht):
    actie: Literal["contact-gelegd"] = "contact-gelegd"


class Afsluiten(_Opdracht):
    actie: Literal["afsluiten"] = "afsluiten"
    # IJM-3.3.6: `geen-contact-geen-zorgen` is a ground the rules name, not prose; any other reason is sealed.
    reden: VerplichteTekst = persoonlijk(codes=("geen-contact-geen-zorgen",))
    afgestemd_met_vt: bool = False


class DienstAfronden(_Opdracht):
    actie: Literal["dienst-afronden"] = "dienst-afronden"
    team: Identificatie
    conclusie: Literal["vastgesteld", "niet-vastgesteld", "geen-oordeel"]
    voorwaarden: tuple[Voorwaarde, ...] = persoonlijk(default=(), max_length=LIJST_MAX)


class WarmeOverdracht(_Opdracht):
    actie: Literal["warme-overdracht"] = "warme-overdracht"


class ContactVastleggen(_Opdracht):
    actie: Literal["contact-vastgelegd"] = "contact-vastgelegd"
    met: Literal["gezin", "hulpverlener", "gi"]
    gezin_contacteren: bool | None = None  # with met "gi": the GI's say on contacting the household (IJM-3.7b)


class Incident(_Opdracht):
    actie: Literal["incident"] = "incident"
    omschrijving: VerplichteTekst = persoonlijk()


class MonitoringOordeel(_Opdracht):
    actie: Literal["monitoring-oordeel"] = "monitoring-oordeel"
    voorwaarden_voldaan: bool
    directe_veiligheid: bool
    stabiele_veiligheid: bool
    herstel_aandacht: bool


class MonitoringVerlengen(_Opdracht):
    actie: Literal["monitoring-verlengen"] = "monitoring-verlengen"
    tot: Datum


class StabieleVeiligheid(_Opdracht):
    actie: Literal["stabiele-veiligheid"] = "stabiele-veiligheid"
    risicofactoren_aangepakt: bool
    herstel_gestart: bool


class PlanVastleggen(_Opdracht):
    actie: Literal["plan-vastleggen"] = "plan-vastleggen"
    plan: VerplichteTekst = persoonlijk()


class OpnieuwMelden(_Opdracht):
    actie: Literal["opnieuw-melden"] = "opnieuw-melden"
    inhoud: VerplichteTekst = persoonlijk()


class NieuweMelding(_Opdracht):
    actie: Literal["nieuwe-melding"] = "nieuwe-melding"
    melder_soort: Literal["professional", "burger"] = "professional"
    melder_anoniem: bool = False
    acuut: bool = False
    gi_betrokken: bool = False
    inhoud: Tekst = persoonlijk(default="")


class OndersteuningVt(_Opdracht):
    actie: Literal["ondersteuning-vt"] = "ondersteuning-vt"
    vorm: Literal["casusoverleg", "gezamenlijk-gesprek", "netwerkgesprek", "anders"]


class Dwangmaatregel(_Opdracht):
    actie: Literal["dwangmaatregel"] = "dwangmaatregel"
    soort: Literal["vtb", "vto", "aangifte", "huisverbod"]
    gezamenlijk: bool = False  # the joint route of IJM-3.6c / GM-5.3b


class Opschalen(_Opdracht):
    actie: Literal["opschalen"] = "opschalen"
    reden: VerplichteTekst = persoonlijk()


class OpschalingBesluit(_Opdracht):
    actie: Literal["opschaling-besluit"] = "opschaling-besluit"
    besluit: VerplichteTekst = persoonlijk()


class GemeenteInformeren(_Opdracht):
    actie: Literal["gemeente-informeren"] = "gemeente-informeren"
    reden: VerplichteTekst = persoonlijk()


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
    advies: VerplichteTekst = persoonlijk()


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
    actor: HandelendeActor
    op: Moment | None = None


class Melden(BaseModel):
    """The receipt of a melding: it starts a casus."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    casus_id: Identificatie
    gemeente: Identificatie
    huishouden: Sleutel
    acuut: bool = False
    melder: Melder = Melder()
    ontvangen: Moment
    inhoud: Tekst = persoonlijk(default="")
    actor: HandelendeActor
    # IJM-3.7c: why this melding is a casus of its own while the household has an open one (recorded).
    aparte_casus: VerplichteTekst | None = persoonlijk(default=None)
