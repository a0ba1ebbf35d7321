"""One decision per caseworker action (CONTRACT.md "Actions"); each cites the rule it applies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.gebeurtenissen import Gebeurtenis
from domain.stap import Stap
from domain.stappen import beoordeling, cyclus, dwang, escalatie, huisverbod, monitoring, overdracht, team

Handler = Callable[[Stap, Any], list[Gebeurtenis]]

HANDLERS: dict[str, Handler] = {
    "spoed-vastgesteld": beoordeling.spoed_vaststellen,
    "beoordeling-afronden": beoordeling.beoordeling_afronden,
    "overdracht-accepteren": overdracht.overdracht_accepteren,
    "overdracht-weigeren": overdracht.overdracht_weigeren,
    "dienst-afronden": overdracht.dienst_afronden,
    "warme-overdracht": overdracht.warme_overdracht,
    "contact-gelegd": overdracht.contact_gelegd,
    "contact-vastgelegd": cyclus.contact_vastgelegd,
    "incident": team.incident,
    "monitoring-oordeel": monitoring.monitoring_oordeel,
    "monitoring-verlengen": monitoring.monitoring_verlengen,
    "stabiele-veiligheid": team.stabiele_veiligheid,
    "plan-vastleggen": team.plan_vastleggen,
    "afsluiten": team.afsluiten,
    "opnieuw-melden": cyclus.opnieuw_melden,
    "nieuwe-melding": cyclus.nieuwe_melding,
    "ondersteuning-vt": team.ondersteuning_vt,
    "dwangmaatregel": dwang.dwangmaatregel,
    "opschalen": escalatie.opschalen,
    "opschaling-besluit": escalatie.opschaling_besluit,
    "gemeente-informeren": escalatie.gemeente_informeren,
    "gemeente-reactie": escalatie.gemeente_reactie,
    "huisverbod-opleggen": huisverbod.huisverbod_opleggen,
    "huisverbod-verlengen": huisverbod.huisverbod_verlengen,
    "lokaal-team-geinformeerd": huisverbod.lokaal_team_geinformeerd,
    "huisverbod-advies": huisverbod.huisverbod_advies,
    "gezamenlijk-gesprek": huisverbod.gezamenlijk_gesprek,
}
