"""Search attributes an operator filters casussen on (Temporal UI, `temporal workflow list`)."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

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
