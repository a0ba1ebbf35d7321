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
    ondersteuning: str
    dwang: str
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


class Huisverbod(_Data):
    """The Wet tijdelijk huisverbod's calendar days and a region's terms around it (GM-6)."""

    dagen: int = 10
    verlengd_tot_dagen: int = 28
    team_informeren_dag: int = 2
    advies_dag: int = 8
    gesprek_werkdagen: int = 2


class Beleid(_Data):
    id: str
    naam: str
    bron: str
    vt_verantwoordelijk_vanaf: Literal["beoordeling", "ontvangst"]
    vt_uiterlijk_werkdag: int | None = Field(default=None, ge=1)
    beoordeling_werkdagen: int = Field(ge=1)
    overdracht_direct_moment: Literal["acceptatie", "besluit"]
    overdracht_na_dienst_moment: Literal["acceptatie", "informatie"]
    tenzij_criteria: tuple[str, ...] = ()
    uitkomsten: tuple[Besluit, ...]
    contact_gezin_dagen: int = Field(default=14, ge=0)
    crisis_uren: int | None = Field(default=None, ge=1)
    monitoring_momenten_maanden: tuple[int, ...] = ()
    monitoring_vroeg_afsluiten: bool = False
    monitoring_richtduur_maanden: int | None = None
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
        return self

    @property
    def inhoud_hash(self) -> str:
        """A content hash a casus records, so it keeps the version it started under."""
        canoniek = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canoniek.encode()).hexdigest()

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)
