"""Sends one action to a casus workflow; every refusal comes back as the domain's `Weigering`."""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from domain.opdrachten import Verzoek
from domain.tijd import lokaal
from domain.toestand import Casus
from domain.weigering import Weigering
from runtime.policies import load_policy
from workflows.casus import WEIGERING, CasusWorkflow, Resultaat


async def voer_uit(handle: WorkflowHandle[Any, Any], verzoek: Verzoek) -> Resultaat:
    try:
        resultaat: Resultaat = await handle.execute_update("actie", verzoek, result_type=Resultaat)
    except WorkflowUpdateFailedError as e:
        raise weigering_uit(e) from None
    except RPCError:
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
