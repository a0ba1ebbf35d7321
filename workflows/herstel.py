"""What a casus workflow starts from when it is rebuilt from its event stream (`casus herstel`):
the melding as received, the state by the domain's own evolve, and the decisions already taken.
Pure: the caller reads the stream and starts the workflow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from domain import gebeurtenissen as g
from domain.evolueren import herbouw
from domain.gebeurtenissen import Gebeurtenis
from domain.opdrachten import Melden
from domain.stap import Regelset
from workflows import zoekattributen as za
from workflows.modellen import SLEUTELS_BEWAARD, CasusStart, Vastgelegd


class HerstelError(ValueError):
    """The stream cannot be the start of a workflow (no melding, or another policy than it began under)."""


def herstart(stream: Sequence[tuple[Gebeurtenis, str | None]], regelset: Regelset) -> CasusStart:
    gebeurtenissen = [e for e, _ in stream]
    if not gebeurtenissen or not isinstance(gebeurtenissen[0], g.MeldingOntvangen):
        raise HerstelError("the stream does not begin with its melding")
    melding = gebeurtenissen[0]
    if (regelset.beleid.id, regelset.beleid.inhoud_hash) != (melding.beleid, melding.beleid_hash):
        raise HerstelError(
            f"the casus began under {melding.beleid} (content {melding.beleid_hash[:12]}); the policy file here is "
            f"{regelset.beleid.id} (content {regelset.beleid.inhoud_hash[:12]}): install the policy it began under"
        )
    melden = Melden(
        casus_id=melding.casus_id, gemeente=melding.gemeente, huishouden=melding.huishouden, acuut=melding.acuut,
        melder=melding.melder, ontvangen=melding.op, inhoud=melding.inhoud, actor=melding.actor,
    )  # fmt: skip
    return CasusStart(melding=melden, regelset=regelset, casus=herbouw(gebeurtenissen), sleutels=besluiten(stream))


def besluiten(stream: Sequence[tuple[Gebeurtenis, str | None]]) -> dict[str, Vastgelegd]:
    """Each decision's key with the version after its events and their types, the latest ones kept."""
    besluit: dict[str, Vastgelegd] = {}
    for versie, (e, sleutel) in enumerate(stream, start=1):
        if sleutel is None:
            continue
        eerder = besluit.pop(sleutel, None)
        typen = (eerder.gebeurtenissen if eerder and eerder.versie == versie - 1 else ()) + (e.type,)
        besluit[sleutel] = Vastgelegd(versie=versie, gebeurtenissen=typen)
    return dict(list(besluit.items())[-SLEUTELS_BEWAARD:])


def zoekattributen(start: CasusStart) -> TypedSearchAttributes:
    casus = start.casus
    if casus is None:
        return TypedSearchAttributes([SearchAttributePair(za.BELEID, start.regelset.beleid.id)])
    paren: list[SearchAttributePair[Any]] = [
        SearchAttributePair(za.BELEID, casus.beleid),
        SearchAttributePair(za.GEMEENTE, casus.gemeente),
        SearchAttributePair(za.HOUDER, za.sleutelwoord(casus.houder or "geen")),
        SearchAttributePair(za.FASE, casus.fase),
        SearchAttributePair(za.MONITORING_BESLUIT_NODIG, casus.monitoring_besluit_nodig),
    ]
    volgende = casus.volgende_termijn()
    if volgende is not None:
        paren.append(SearchAttributePair(za.VOLGENDE_TERMIJN, volgende))
    return TypedSearchAttributes(paren)
