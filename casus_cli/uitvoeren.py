"""Sends one action to a casus workflow; every refusal comes back as the domain's `Weigering`."""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from casus_cli.fouten import UnreachableError
from domain.opdrachten import Verzoek
from domain.tijd import lokaal
from domain.toestand import Casus
from domain.weigering import Weigering
from runtime.policies import load_policy
from workflows.casus import WEIGERING, CasusWorkflow, Resultaat


async def voer_uit(handle: WorkflowHandle[Any, Any], verzoek: Verzoek, update_id: str | None = None) -> Resultaat:
    """`update_id` is the action's key: sent again with the same key, it is recorded once."""
    try:
        resultaat: Resultaat = await handle.execute_update("actie", verzoek, id=update_id, result_type=Resultaat)
    except WorkflowUpdateFailedError as e:
        raise weigering_uit(e) from None
    except RPCError:
        await _niet_door_de_overeenkomst_beeindigd(handle)
        # A closed casus's workflow has completed and takes no more updates.
        casus: Casus | None = await handle.query(CasusWorkflow.toestand)
        if casus is None or casus.afgesloten_op is None:
            raise
        regel = load_policy(casus.beleid).regels.afsluiten
        raise Weigering(regel, f"casus {casus.casus_id} was closed at {lokaal(casus.afgesloten_op)}") from None
    return resultaat


async def _niet_door_de_overeenkomst_beeindigd(handle: WorkflowHandle[Any, Any]) -> None:
    """A workflow terminated, failed or cancelled outside the agreements is named, with the way back."""
    try:
        beschrijving = await handle.describe()
    except (RPCError, TypeError):
        return  # the server cannot tell (the time-skipping server does not decode every attribute)
    if beschrijving.status in (WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.RUNNING, None):
        return
    casus_id = handle.id.removeprefix("casus-")
    raise UnreachableError(
        f"the workflow of casus {casus_id} was {beschrijving.status.name.lower()} at {beschrijving.close_time}; the casus's "
        f"record is intact, but its deadlines wait until an operator restores it with `casus herstel {casus_id}`"
    )


def weigering_uit(e: WorkflowUpdateFailedError) -> Weigering:
    oorzaak = e.cause
    if isinstance(oorzaak, ApplicationError) and oorzaak.type == WEIGERING:
        regel, veld = [*oorzaak.details, None, None][:2]
        return Weigering(str(regel), oorzaak.message.split(": ", 1)[-1], veld=veld)
    return Weigering("onbekend", str(oorzaak.message if isinstance(oorzaak, ApplicationError) else oorzaak or e))
