"""Sending to a casus workflow: a melding starts one, an action is an update; every refusal comes back
as the domain's `Weigering`, typed (rule, field, message) from the workflow's failure details."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.eventstore import CONFLICT
from domain import gebeurtenissen as g
from domain import weergave
from domain.casus_id import WORKFLOW_PREFIX
from domain.opdrachten import Melden, Verzoek, persoonlijke_velden
from domain.stap import Regelset
from domain.tijd import lokaal
from domain.toestand import Casus
from domain.weigering import Weigering
from eventstore.store import EventStore, canoniek
from runtime.settings import Settings
from service.fouten import Conflict, Onbekend, Onbereikbaar
from workflows import zoekattributen as za
from workflows.casus import ONBETROUWBAAR, WEIGERING, CasusStart, CasusWorkflow, Resultaat

T = TypeVar("T")


def workflow_id(casus_id: str) -> str:
    """`casus-<id>`, the id in its one form (`canoniek`): one workflow per event stream, whatever
    spelling of the id reached the caller. A value that is no casus id is `InvalidCasusIdError`."""
    return f"{WORKFLOW_PREFIX}{canoniek(casus_id)}"


def handle(client: Client, casus_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle(workflow_id(casus_id))


async def binnen_wachttijd(settings: Settings, werk: Awaitable[T], geen_antwoord: str = "", wachttijd: float | None = None) -> T:
    """`werk` against Temporal; a worker that does not answer in time, or a service that refuses, is
    `Onbereikbaar` with what is true of the request (`geen_antwoord`); an unknown workflow `Onbekend`.
    `wachttijd`: the caller's own limit, never longer than CASUS_WACHT_OP_WORKER_S."""
    wacht = settings.wacht_op_worker_s if wachttijd is None else min(wachttijd, settings.wacht_op_worker_s)
    try:
        return await asyncio.wait_for(werk, timeout=wacht)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise Onbereikbaar(
            f"no answer within {wacht or 0:.0f} s from a worker on task queue '{settings.task_queue}': none runs "
            f"(start the stack with `make dev` or `casus dev`), or it waits on the event store"
            f"{'; ' + geen_antwoord if geen_antwoord else ''}"
        ) from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            raise Onbekend(
                "unknown casus: Temporal holds no workflow for it (if the event store holds it, its workflow was lost; "
                "an operator restores it with `casus herstel ID`)",
                veld="casus_id",
            ) from None
        raise Onbereikbaar(
            f"Temporal at {settings.temporal_address} refused or dropped the request ({e.status.name}): {e.message}"
        ) from None


async def voer_uit(
    h: WorkflowHandle[Any, Any], verzoek: Verzoek, sleutel: str | None, store: Callable[[], EventStore], afdruk: str | None = None
) -> Resultaat:
    """`sleutel` is the action's key: the same request sent again with it is recorded once. `afdruk`:
    the request's fingerprint taken before its texts were sealed (`vingerafdruk` with a secret)."""
    # The update's id is the key with the request's fingerprint: Temporal answers a retry of the same
    # request with its first result, and another action given the same key is its own request.
    # It begins with the action's name, so Temporal's UI names what each update was.
    update_id = f"{verzoek.opdracht.actie}-{sleutel or uuid.uuid4()}.{afdruk or vingerafdruk(verzoek)}"
    try:
        resultaat: Resultaat = await h.execute_update("actie", verzoek, id=update_id, result_type=Resultaat)
    except WorkflowUpdateFailedError as e:
        raise weigering_uit(e) from None
    except RPCError:
        weigering = await gesloten(h, await niet_door_de_overeenkomst_beeindigd(h), store)
        if weigering is None:
            raise
        raise weigering from None
    return resultaat


async def niet_open(h: WorkflowHandle[Any, Any], store: Callable[[], EventStore]) -> Weigering | None:
    """Before anything is sealed or sent: a casus that closed is refused under its close rule, and a
    workflow ended outside the agreements is named (Onbereikbaar); None while it runs."""
    status = await niet_door_de_overeenkomst_beeindigd(h)
    return None if status in (WorkflowExecutionStatus.RUNNING, None) else await gesloten(h, status, store)


async def gesloten(
    h: WorkflowHandle[Any, Any], status: WorkflowExecutionStatus | None, store: Callable[[], EventStore]
) -> Weigering | None:
    """A closed casus takes no more steps: refused under the rule its closing event was recorded with
    (the record's, not today's policy file's)."""
    if status == WorkflowExecutionStatus.RUNNING:
        return None
    casus_id = h.id.removeprefix("casus-")
    gebeurtenissen = await asyncio.to_thread(store().read, casus_id)
    sluiting = next((e for e in reversed(gebeurtenissen) if isinstance(e, g.CasusAfgesloten)), None)
    if sluiting is None:
        return None
    return Weigering(sluiting.regel, f"casus {casus_id} was closed at {lokaal(sluiting.op)}")


async def niet_door_de_overeenkomst_beeindigd(h: WorkflowHandle[Any, Any]) -> WorkflowExecutionStatus | None:
    """The workflow's status; one terminated, failed or cancelled outside the agreements is named,
    with the way back."""
    try:
        beschrijving = await h.describe()
    except (RPCError, TypeError):
        return None  # the server cannot tell (the time-skipping server does not decode every attribute)
    if beschrijving.status in (WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.RUNNING, None):
        return beschrijving.status
    casus_id = h.id.removeprefix("casus-")
    raise Onbereikbaar(
        f"the workflow of casus {casus_id} was {beschrijving.status.name.lower()} at {beschrijving.close_time}; the casus's "
        f"record is intact, but its deadlines wait until an operator restores it with `casus herstel {casus_id}`"
    )


def vingerafdruk(verzoek: Verzoek, geheim: bytes | None = None) -> str:
    """A short fingerprint of a request (part of the update's id, which Temporal shows). A personal
    text counts by a keyed hash of its clear text when `geheim` is given (two texts tell apart, and
    the id shows neither), else by its length only (the simulator, whose texts are sealed already)."""
    data = verzoek.model_dump(mode="json")
    for naam in persoonlijke_velden(type(verzoek.opdracht)):
        tekst = json.dumps(getattr(verzoek.opdracht, naam), ensure_ascii=False, default=list)
        data["opdracht"][naam] = hmac.new(geheim, tekst.encode(), hashlib.sha256).hexdigest() if geheim else len(tekst)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def weigering_uit(e: WorkflowUpdateFailedError) -> Weigering:
    return weigering_van(e.cause, e)


def weigering_van(oorzaak: BaseException | None, e: BaseException) -> Weigering:
    """The refusal an update's (or a workflow's) failure carries; `e` itself when it carries none."""
    # A stream that does not verify, or holds an event no trusted worker signed: said as what it is,
    # whether the workflow wrapped the append's refusal or it arrives as the append raised it.
    if isinstance(oorzaak, ApplicationError) and oorzaak.type in (ONBETROUWBAAR, CONFLICT):
        return Weigering("integriteit", f"{oorzaak.message}; `casus verifieer` names what is wrong")
    if isinstance(oorzaak, ApplicationError) and oorzaak.type == WEIGERING:
        regel, veld, melding = [*oorzaak.details, None, None, None][:3]
        # Workflows from before the message travelled as a detail of its own put it in the text only.
        return Weigering(str(regel), str(melding) if melding is not None else oorzaak.message.split(": ", 1)[-1], veld=veld)
    return Weigering("onbekend", str(oorzaak.message if isinstance(oorzaak, ApplicationError) else oorzaak or e))


async def gemeld(h: WorkflowHandle[Any, Any], update_id: str | None = None) -> Casus:
    """The casus once its melding is in the event store (a worker records it). A melding the
    workflow refuses fails the workflow, and the update that waited for it ends with it, or finds
    it ended already (refused then as not found): the refusal is then read from the workflow's own
    failure, naming its rule and field."""
    try:
        casus: Casus = await h.execute_update("gemeld", result_type=Casus, id=update_id)
    except WorkflowUpdateFailedError as e:
        raise (await _melding_geweigerd(h) or weigering_uit(e)) from None
    except RPCError:
        if (geweigerd := await _melding_geweigerd(h)) is None:
            raise
        raise geweigerd from None
    return casus


async def _melding_geweigerd(h: WorkflowHandle[Any, Any]) -> Weigering | None:
    """The refusal of the melding a failed workflow ended with; None when it ended otherwise."""
    try:
        if (await h.describe()).status != WorkflowExecutionStatus.FAILED:
            return None
        await h.result(follow_runs=False)
    except WorkflowFailureError as f:
        w = weigering_van(f.cause, f)
        return None if w.regel == "onbekend" else w
    except (RPCError, TypeError):
        pass  # the server cannot tell (the time-skipping server does not decode every attribute)
    return None


async def start_casus(client: Client, settings: Settings, melden: Melden, regelset: Regelset, ontvangen_gegeven: bool = False) -> Casus:
    """Starts the casus workflow, or finds the one a retry of the same melding started; a casus of
    another melding under the same key is refused, naming the key."""
    h, nieuw = await start_workflow_van(client, settings, melden, regelset)
    casus = await melding_van(h, nieuw, melden)
    controleer_zelfde_melding(casus, melden, ontvangen_gegeven)
    return casus


async def start_workflow_van(
    client: Client, settings: Settings, melden: Melden, regelset: Regelset
) -> tuple[WorkflowHandle[Any, Any], bool]:
    """The melding's workflow, started now (True) or by an earlier try under the same key (False).
    Needs no worker: once this returns, the melding is accepted and recorded when a worker runs."""
    try:
        h = await client.start_workflow(
            CasusWorkflow.run,
            CasusStart(melding=melden, regelset=regelset),
            id=workflow_id(melden.casus_id),
            task_queue=settings.task_queue,
            search_attributes=TypedSearchAttributes(
                [SearchAttributePair(za.BELEID, regelset.beleid.id), SearchAttributePair(za.GEMEENTE, melden.gemeente)]
            ),
            # A retry (the same key) attaches to the casus its first try started, running or not.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=weergave.samenvatting(regelset.beleid.id, melden.gemeente, melden.huishouden),
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id(melden.casus_id)), False
    return h, True


async def melding_van(h: WorkflowHandle[Any, Any], nieuw: bool, melden: Melden) -> Casus:
    """The casus once its melding is in the event store (a worker records it)."""
    if nieuw:
        # Named as the actions are (`<actie>-…`), so Temporal's history says what it waited for.
        return await gemeld(h, f"melding-{melden.casus_id}")
    casus: Casus | None = await h.query(CasusWorkflow.toestand)
    if casus is None:
        if (geweigerd := await _melding_geweigerd(h)) is not None:
            raise geweigerd  # a retry of a melding the workflow refused: refused again, as the first try was
        raise Conflict(f"casus {melden.casus_id} of this key ended before its melding was recorded", veld="sleutel")
    return casus


def controleer_zelfde_melding(casus: Casus, melden: Melden, ontvangen_gegeven: bool) -> None:
    if (veld := anders_dan(casus, melden, ontvangen_gegeven)) is not None:
        raise Conflict(
            f"this key belongs to casus {casus.casus_id}, a melding with another {veld}; a key retries one melding: "
            "give this melding a key of its own",
            veld="sleutel",
        )


def anders_dan(casus: Casus, melden: Melden, ontvangen_gegeven: bool) -> str | None:
    """The first field in which the casus a key found differs from this melding, or None: a key is
    for retrying one melding, never a way to reach another casus."""
    verschil = {
        "gemeente": casus.gemeente != melden.gemeente,
        "huishouden": casus.huishouden != melden.huishouden,
        "acuut": casus.acuut != melden.acuut,
        "melder": casus.melder != melden.melder,
        "ontvangen": ontvangen_gegeven and casus.ontvangen != melden.ontvangen,
    }
    return next((veld for veld, anders in verschil.items() if anders), None)
