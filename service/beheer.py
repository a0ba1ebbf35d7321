"""The beheerder's use case of forgetting a household (Wmo 2015 art. 5.3.5): its key destroyed here,
the erasure recorded in each of its casussen by the worker, under the beheerder's own name."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.common import WorkflowIDConflictPolicy

from activities.vergeten import VergetenVastleggen
from domain import huishouden as huishoudens
from domain.partijen import VEILIG_THUIS, Actor
from domain.toegang import Gebruiker, vereis
from domain.weigering import Weigering
from eventstore.kluis import Vergeten
from service.casussen import toegang
from service.fouten import Geweigerd
from service.samenstelling import Samenstelling, geweigerd_door_kluis
from service.sturen import binnen_wachttijd
from workflows.vergeten import HuishoudenVergetenWorkflow, workflow_id


async def vergeet(s: Samenstelling, wie: Gebruiker, huishouden: str, reden: str | None, wachttijd: float | None = None) -> dict[str, Any]:
    """Destroys the household's key generation and records the erasure in its casussen. The erasure
    is Veilig Thuis's, which keeps the dossier; the beheerder who carried it out is its actor."""
    with toegang():
        vereis(wie, "vergeten")
    try:
        reden_, actor = huishoudens.vergeten(
            reden, Actor(partij=VEILIG_THUIS, medewerker=wie.weergavenaam, issuer=wie.issuer, subject=wie.subject)
        )
    except Weigering as w:
        raise Geweigerd.uit(w) from None
    return await _vergeet(s, huishouden, reden_, actor, wachttijd)


def _vernietig(s: Samenstelling, huishouden: str, reden: str, actor: Actor) -> Vergeten:
    try:
        return s.kluis().vergeet(huishouden, reden, actor.wie)
    except PermissionError as e:
        raise geweigerd_door_kluis(e) from None


async def _vergeet(s: Samenstelling, huishouden: str, reden: str, actor: Actor, wachttijd: float | None) -> dict[str, Any]:
    vergeten = await asyncio.to_thread(_vernietig, s, huishouden, reden, actor)
    # After the key, so that a retry of an interrupted erasure finds the generation destroyed and
    # records the same erasure under the same key. The worker appends it (and signs it): this side
    # holds no right to append to the event store.
    client = await s.temporal()
    invoer = VergetenVastleggen(huishouden=huishouden, generatie=vergeten.generatie, reden=reden, actor=actor)
    vastgelegd = await binnen_wachttijd(
        s.settings,
        client.execute_workflow(
            HuishoudenVergetenWorkflow.run,
            invoer,
            id=workflow_id(huishouden, vergeten.generatie),
            task_queue=s.settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        ),
        geen_antwoord=(
            f"household {huishouden}: key generation {vergeten.generatie} is destroyed; its erasure is recorded in its "
            "casussen once a worker runs (ask again to see it done: the same erasure is recorded once)"
        ),
        wachttijd=wachttijd,
    )
    return {
        "huishouden": huishouden, "vergeten": True, "had_persoonsgegevens": vergeten.had_sleutel, "reden": reden,
        "generatie": vergeten.generatie, "al_vergeten": not vergeten.nieuw, "opgeruimd": vergeten.opgeruimd,
        "casussen": vastgelegd.nieuw + vastgelegd.al, "nieuw_vastgelegd": vastgelegd.nieuw, "niet_vastgelegd": vastgelegd.mislukt,
    }  # fmt: skip
