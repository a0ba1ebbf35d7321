"""Search attributes an operator filters casussen on (Temporal UI, `temporal workflow list`)."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate
from temporalio.service import RPCError, RPCStatusCode

with workflow.unsafe.imports_passed_through():
    from domain.toestand import Casus

PATCH_MONITORING_BESLUIT = "zoekattribuut-monitoring-besluit"
PATCH_ZOEKATTRIBUTEN_GEWIJZIGD = "zoekattributen-alleen-gewijzigd"
_ONBEKEND = object()

BELEID = SearchAttributeKey.for_keyword("CasusBeleid")
GEMEENTE = SearchAttributeKey.for_keyword("CasusGemeente")
HOUDER = SearchAttributeKey.for_keyword("CasusHouder")
FASE = SearchAttributeKey.for_keyword("CasusFase")
VOLGENDE_TERMIJN = SearchAttributeKey.for_datetime("CasusVolgendeTermijn")
# Awaiting a monitoring decision (IJM-3.4.5b / GM-5.2.7): Veilig Thuis must plan a further moment.
MONITORING_BESLUIT_NODIG = SearchAttributeKey.for_bool("CasusMonitoringBesluitNodig")

ALLE = (BELEID, GEMEENTE, HOUDER, FASE, VOLGENDE_TERMIJN, MONITORING_BESLUIT_NODIG)

# Temporal refuses a keyword over 2,048 bytes by ending the workflow; the command models keep every
# value far under it, and this keeps a value that slipped through from ever reaching the server.
SLEUTELWOORD_MAX_BYTES = 2_048


def sleutelwoord(waarde: str) -> str:
    data = waarde.encode()
    if len(data) <= SLEUTELWOORD_MAX_BYTES:
        return waarde
    return data[: SLEUTELWOORD_MAX_BYTES - 3].decode(errors="ignore") + "…"


def bij_te_werken(casus: Casus, vorige: dict[str, Any]) -> list[SearchAttributeUpdate[Any]]:
    """The search attributes to upsert after a change of `casus`; `vorige` is what this run last
    upserted, kept up to date here. Called in workflow code only."""
    volgende = casus.volgende_termijn()
    updates: list[SearchAttributeUpdate[Any]] = [
        BELEID.value_set(casus.beleid),
        GEMEENTE.value_set(casus.gemeente),
        HOUDER.value_set(sleutelwoord(casus.houder or "geen")),
        FASE.value_set(casus.fase),
        VOLGENDE_TERMIJN.value_set(volgende) if volgende else VOLGENDE_TERMIJN.value_unset(),
    ]
    # Added while casussen ran: histories recorded before it replay without the attribute.
    if workflow.patched(PATCH_MONITORING_BESLUIT):
        updates.append(MONITORING_BESLUIT_NODIG.value_set(casus.monitoring_besluit_nodig))
    if not workflow.patched(PATCH_ZOEKATTRIBUTEN_GEWIJZIGD):
        return updates
    # Most actions change none of them (a plan revised, contact made): no upsert, no visibility
    # write on the server, no history event.
    updates = [u for u in updates if vorige.get(u.key.name, _ONBEKEND) != u.value]
    vorige.update({u.key.name: u.value for u in updates})
    return updates


async def registreer(client: Client, namespace: str) -> None:
    """Registers the casus search attributes that the namespace does not know yet."""
    service = client.operator_service
    try:
        bekend = set((await service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))).custom_attributes)
    except RPCError as e:
        if e.status != RPCStatusCode.UNIMPLEMENTED:  # the time-skipping test server only adds
            raise
        bekend = set()
    ontbreekt = {k.name: k.indexed_value_type for k in ALLE if k.name not in bekend}
    if ontbreekt:
        await service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=namespace, search_attributes={n: IndexedValueType.ValueType(int(t)) for n, t in ontbreekt.items()}
            )
        )
