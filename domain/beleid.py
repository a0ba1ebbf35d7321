"""A region's agreements as data (RULES.md, table "Regional policy fields").

Regional differences live in these fields, never in an `if` on a region's name. Every step the
decider takes cites its rule id from `regels`, so the two regions' paragraph numbers stay data too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Besluit = Literal[
    "direct-overdracht",
    "voorwaarden-en-vervolg",
    "onderzoek",
    "instelling",
    "jeugdhulp",
    "mda",
    "clientsysteem",
]


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Team(_Data):
    id: str
    naam: str
    gemeenten: tuple[str, ...]
    doelgroep: str = "alle"
    # The sociaal wijkteams of Beverwijk and Velsen do prevention only (RULES.md, teams row).
    neemt_casussen: bool = True


class Regels(_Data):
    """The rule id each step of the protocol cites, per region. An optional rule that a region's
    agreement does not have is None, and so is the behaviour it grounds."""

    melding: str
    vt_vanaf_ontvangst: str | None = None
    acuut: str
    crisis: str | None = None
    na_beoordeling: str
    uiterlijke_overdracht_vt: str | None = None
    veiligheidsbeoordeling: str
    uitkomsten: str
    tenzij: str | None = None
    dienst_melden: str | None = None
    overdracht_direct: str
    overdracht_geweigerd: str
    informatie_overdracht: str
    brieven: str
    dossier_sluiten: str | None = None
    contact_gezin: str
    acuut_contact: str | None = None
    telefonische_overdracht: str | None = None
    overdracht_uitkomst: str
    overdracht_na_dienst: str
    warme_overdracht: str
    afspraken: str
    informatie_na_dienst: str
    brieven_na_dienst: str | None = None
    terugkoppeling_na_dienst: str | None = None
    monitoring: str
    monitoring_oordeel: str
    monitoring_vroeg: str | None = None
    geen_monitoring_direct: str
    afsluiten_tijdens_monitoring: str
    opnieuw_melden: str | None = None
    afsluiten_geen_contact: str | None = None
    nieuwe_melding: str | None = None
    # IJM-3.7c: a melding about a household with an open casus is refused; None: a region without it.
    een_open_casus: str | None = None
    ondersteuning: str
    dwang: str
    # IJM-3.6a/b/c, GM-5.3b: who initiates coercion in which phase; None: the general rule `dwang`.
    dwang_vt: str | None = None
    dwang_team: str | None = None
    dwang_gezamenlijk: str | None = None
    dwang_eigen_contact: str | None = None
    gi_contact: str | None = None
    formulier_bij_acceptatie: str | None = None
    monitoring_venster: str | None = None
    contact_lokaal_team: str | None = None
    afsluiting_melden: str | None = None
    opschalen: str
    gemeente_informeren: str
    gemeente_reactie: str | None = None
    huisverbod: str | None = None
    huisverbod_team: str | None = None
    huisverbod_advies: str | None = None
    huisverbod_gesprek: str | None = None
    stabiele_veiligheid: str
    plan: str
    afsluiten: str
    casusregie: str | None = None
    rollen: str = "rollen"


# What the revision of 2026-11-30 added to the policy table and the rules (see Beleid.inhoud_hash).
HERZIENING_VELDEN = (
    "formulier_direct_moment", "warme_overdracht", "vtb_na_overdracht", "brief_einde_bemoeienis", "monitoring_venster_weken",
)  # fmt: skip
HERZIENING_REGELS = (
    "dwang_vt", "dwang_team", "dwang_gezamenlijk", "dwang_eigen_contact", "gi_contact", "formulier_bij_acceptatie",
    "monitoring_venster", "contact_lokaal_team", "afsluiting_melden", "een_open_casus",
)  # fmt: skip


class Huisverbod(_Data):
    """The Wet tijdelijk huisverbod's calendar days and a region's terms around it (GM-6)."""

    dagen: int = 10
    verlengd_tot_dagen: int = 28
    team_informeren_dag: int = 2
    advies_dag: int = 8
    gesprek_werkdagen: int = 2


class BriefOnderdeel(_Data):
    """An item of the letter to the household when Veilig Thuis ends its involvement, and when it belongs."""

    id: str
    wanneer: Literal["altijd", "na-dienst", "na-onderzoek", "met-monitoring", "zonder-monitoring"] = "altijd"


class BriefEindeBemoeienis(_Data):
    """What the household is told when Veilig Thuis hands over (IJM-3.3.2 items / GM-5.1.4 items)."""

    na_direct: bool = True
    na_dienst: bool = False
    onderdelen: tuple[BriefOnderdeel, ...]

    def inhoud(self, *, na_dienst: bool, onderzoek: bool, monitoring: bool) -> tuple[str, ...]:
        geldt = {
            "altijd": True, "na-dienst": na_dienst, "na-onderzoek": na_dienst and onderzoek,
            "met-monitoring": monitoring, "zonder-monitoring": not monitoring,
        }  # fmt: skip
        return tuple(o.id for o in self.onderdelen if geldt[o.wanneer])


class Beleid(_Data):
    id: str
    naam: str
    bron: str
    vt_verantwoordelijk_vanaf: Literal["beoordeling", "ontvangst"]
    vt_uiterlijk_werkdag: int | None = Field(default=None, ge=1)
    beoordeling_werkdagen: int = Field(ge=1)
    overdracht_direct_moment: Literal["acceptatie", "besluit"]
    overdracht_na_dienst_moment: Literal["acceptatie", "informatie"]
    # Rev. 2026-11-30: IJM-3.3.1d (the form at the team's acceptance) / GM-5.1.5 (at the besluit).
    formulier_direct_moment: Literal["acceptatie", "besluit"] = "besluit"
    # Rev. 2026-11-30: IJM-3.4.2 "er vindt een warme overdracht plaats" / GM-5.2.2 "bij voorkeur".
    warme_overdracht: Literal["verplicht", "bij-voorkeur"] = "bij-voorkeur"
    # Rev. 2026-11-30: IJM-3.6b (the team, after its own contact) / GM-5.3b (jointly, on VT's initiative).
    vtb_na_overdracht: Literal["lokaal-team", "gezamenlijk-op-initiatief-vt"] = "lokaal-team"
    brief_einde_bemoeienis: BriefEindeBemoeienis | None = None
    tenzij_criteria: tuple[str, ...] = ()
    uitkomsten: tuple[Besluit, ...]
    contact_gezin_dagen: int = Field(default=14, ge=0)
    crisis_uren: int | None = Field(default=None, ge=1)
    monitoring_momenten_maanden: tuple[int, ...] = ()
    monitoring_vroeg_afsluiten: bool = False
    monitoring_richtduur_maanden: int | None = None
    # Rev. 2026-11-30 (IJM-3.4.5e / GM-5.2.7d): an oordeel counts for a moment from this long before it
    # (both policy files: 4 weeks); None, in a policy written before the revision: no window.
    monitoring_venster_weken: int | None = Field(default=None, ge=0)
    gemeente_reactie_weken: int | None = None
    gi_eerst: bool = False
    conclusie_alleen_na_onderzoek: bool = False
    stabiel_na_maanden: int = Field(default=6, ge=1)
    huisverbod: Huisverbod | None = None
    gemeenten: tuple[str, ...]
    teams: tuple[Team, ...]
    sluitingsdagen: tuple[date, ...] = ()
    regels: Regels

    @model_validator(mode="after")
    def _samenhang(self) -> Beleid:
        onbekend = sorted({g for t in self.teams for g in t.gemeenten} - set(self.gemeenten))
        if onbekend:
            raise ValueError(f"teams name gemeenten the policy does not list: {', '.join(onbekend)}")
        if self.vt_uiterlijk_werkdag is not None and self.regels.uiterlijke_overdracht_vt is None:
            raise ValueError("vt_uiterlijk_werkdag needs regels.uiterlijke_overdracht_vt")
        if self.vt_verantwoordelijk_vanaf == "ontvangst" and self.regels.vt_vanaf_ontvangst is None:
            raise ValueError("vt_verantwoordelijk_vanaf 'ontvangst' needs regels.vt_vanaf_ontvangst")
        if self.tenzij_criteria and self.regels.tenzij is None:
            raise ValueError("tenzij_criteria need regels.tenzij")
        if self.crisis_uren is not None and self.regels.crisis is None:
            raise ValueError("crisis_uren needs regels.crisis")
        if self.huisverbod is not None and None in (
            self.regels.huisverbod,
            self.regels.huisverbod_team,
            self.regels.huisverbod_advies,
            self.regels.huisverbod_gesprek,
        ):
            raise ValueError("huisverbod terms need regels.huisverbod, huisverbod_team, huisverbod_advies and huisverbod_gesprek")
        if self.gemeente_reactie_weken is not None and self.regels.gemeente_reactie is None:
            raise ValueError("gemeente_reactie_weken needs regels.gemeente_reactie")
        if self.monitoring_vroeg_afsluiten and self.regels.monitoring_vroeg is None:
            raise ValueError("monitoring_vroeg_afsluiten needs regels.monitoring_vroeg")
        return self._samenhang_herziening()

    def _samenhang_herziening(self) -> Beleid:
        """The fields of the revision of 2026-11-30 and the rules they need."""
        if self.formulier_direct_moment == "acceptatie" and (
            self.overdracht_direct_moment != "acceptatie" or self.regels.formulier_bij_acceptatie is None
        ):
            raise ValueError(
                "formulier_direct_moment 'acceptatie' needs overdracht_direct_moment 'acceptatie' and regels.formulier_bij_acceptatie"
            )
        if self.vtb_na_overdracht == "gezamenlijk-op-initiatief-vt" and self.regels.dwang_gezamenlijk is None:
            raise ValueError("vtb_na_overdracht 'gezamenlijk-op-initiatief-vt' needs regels.dwang_gezamenlijk")
        return self

    @property
    def herzien(self) -> bool:
        """The policy has the fields of the revision of 2026-11-30 (a file written before it has none)."""
        return any(getattr(self, veld) != type(self).model_fields[veld].default for veld in HERZIENING_VELDEN)

    @property
    def inhoud_hash(self) -> str:
        """A content hash a casus records, so it keeps the version it started under. The fields the
        revision of 2026-11-30 added count only when set: a policy file written before it keeps the
        hash its casussen recorded (`casus herstel` checks it)."""
        inhoud = self.model_dump(mode="json")
        for veld in HERZIENING_VELDEN:
            if getattr(self, veld) == type(self).model_fields[veld].default:
                del inhoud[veld]
        inhoud["regels"] = {k: v for k, v in inhoud["regels"].items() if v is not None or k not in HERZIENING_REGELS}
        canoniek = json.dumps(inhoud, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canoniek.encode()).hexdigest()

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)
