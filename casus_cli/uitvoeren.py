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
        beschrijving = await handle.describe()
        if beschrijving.status not in (WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.RUNNING):
            naam = (beschrijving.status or WorkflowExecutionStatus.FAILED).name.lower()
            raise UnreachableError(
                f"the workflow of casus {handle.id.removeprefix('casus-')} was {naam} at {beschrijving.close_time}; the casus's record "
                f"is intact, but its deadlines wait until an operator restores it with `casus herstel {handle.id.removeprefix('casus-')}`"
            ) from None
        # A closed casus's workflow has completed and takes no more updates.
        casus: Casus | None = await handle.query(CasusWorkflow.toestand)
        if casus is None or casus.afgesloten_op is None:
            raise
        regel = load_policy(casus.beleid).regels.afsluiten
        raise Weigering(regel, f"casus {casus.casus_id} was closed at {lokaal(casus.afgesloten_op)}") from None
    return resultaat


def weigering_uit(e: WorkflowUpdateFailedError) -> Weigering:
    oorzaak = e.cause
    if isinstance(oorzaak, ApplicationError) and oorzaak.type == WEIGERING:
        regel, veld = [*oorzaak.details, None, None][:2]
        return Weigering(str(regel), oorzaak.message.split(": ", 1)[-1], veld=veld)
    return Weigering("onbekend", str(oorzaak.message if isinstance(oorzaak, ApplicationError) else oorzaak or e))
