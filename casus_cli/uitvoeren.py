"""Sends one action to a casus workflow; every refusal comes back as the domain's `Weigering`."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from casus_cli.fouten import UnreachableError
from domain.opdrachten import Verzoek, persoonlijke_velden
from domain.tijd import lokaal
from domain.toestand import Casus
from domain.weigering import Weigering
from runtime.policies import load_policy
from workflows.casus import ONBETROUWBAAR, WEIGERING, CasusWorkflow, Resultaat


async def voer_uit(handle: WorkflowHandle[Any, Any], verzoek: Verzoek, sleutel: str | None = None) -> Resultaat:
    """`sleutel` is the action's key: the same request sent again with it is recorded once."""
    # The update's id is the key with the request's fingerprint: Temporal answers a retry of the same
    # request with its first result, and another action given the same key is its own request.
    update_id = f"{sleutel or uuid.uuid4()}.{vingerafdruk(verzoek)}"
    try:
        resultaat: Resultaat = await handle.execute_update("actie", verzoek, id=update_id, result_type=Resultaat)
    except WorkflowUpdateFailedError as e:
        raise weigering_uit(e) from None
    except RPCError:
        weigering = await gesloten(handle, await _niet_door_de_overeenkomst_beeindigd(handle))
        if weigering is None:
            raise
        raise weigering from None
    return resultaat


async def niet_open(handle: WorkflowHandle[Any, Any]) -> Weigering | None:
    """Before anything is sealed or sent: a casus that closed is refused under its close rule, and a
    workflow ended outside the agreements is named (UnreachableError); None while it runs."""
    status = await _niet_door_de_overeenkomst_beeindigd(handle)
    return None if status in (WorkflowExecutionStatus.RUNNING, None) else await gesloten(handle, status)


async def gesloten(handle: WorkflowHandle[Any, Any], status: WorkflowExecutionStatus | None) -> Weigering | None:
    """A closed casus's workflow has completed and takes no more updates; its result is the casus as
    it closed, read from the history (no worker needed, as a query would be)."""
    if status == WorkflowExecutionStatus.RUNNING:
        return None
    einde = await handle.result() if status == WorkflowExecutionStatus.COMPLETED else await handle.query(CasusWorkflow.toestand)
    casus = Casus.model_validate(einde) if einde is not None else None
    if casus is None or casus.afgesloten_op is None:
        return None
    regel = load_policy(casus.beleid).regels.afsluiten
    return Weigering(regel, f"casus {casus.casus_id} was closed at {lokaal(casus.afgesloten_op)}")


async def _niet_door_de_overeenkomst_beeindigd(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionStatus | None:
    """The workflow's status; one terminated, failed or cancelled outside the agreements is named,
    with the way back."""
    try:
        beschrijving = await handle.describe()
    except (RPCError, TypeError):
        return None  # the server cannot tell (the time-skipping server does not decode every attribute)
    if beschrijving.status in (WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.RUNNING, None):
        return beschrijving.status
    casus_id = handle.id.removeprefix("casus-")
    raise UnreachableError(
        f"the workflow of casus {casus_id} was {beschrijving.status.name.lower()} at {beschrijving.close_time}; the casus's "
        f"record is intact, but its deadlines wait until an operator restores it with `casus herstel {casus_id}`"
    )


def vingerafdruk(verzoek: Verzoek) -> str:
    """A short fingerprint of a request, in which a personal text counts by its length only (the
    fingerprint is part of the update's id, which Temporal shows)."""
    data = verzoek.model_dump(mode="json")
    for naam in persoonlijke_velden(type(verzoek.opdracht)):
        data["opdracht"][naam] = len(str(getattr(verzoek.opdracht, naam)))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def weigering_uit(e: WorkflowUpdateFailedError) -> Weigering:
    oorzaak = e.cause
    if isinstance(oorzaak, ApplicationError) and oorzaak.type == ONBETROUWBAAR:
        return Weigering("integriteit", f"{oorzaak.message}; `casus verifieer` names what is wrong")
    if isinstance(oorzaak, ApplicationError) and oorzaak.type == WEIGERING:
        regel, veld = [*oorzaak.details, None, None][:2]
        return Weigering(str(regel), oorzaak.message.split(": ", 1)[-1], veld=veld)
    return Weigering("onbekend", str(oorzaak.message if isinstance(oorzaak, ApplicationError) else oorzaak or e))
