"""Restoring a casus whose workflow failed, was terminated or was lost by Temporal: it is started
again from its event stream, the record of truth. The state comes from the domain's own evolve, the
timers from its open deadlines (a deadline that passed meanwhile lapses at once, at its own instant),
and decisions already taken are recognised on a retry. The beheerder's use case (`herstel`) restores
one casus; `casus herstel --alle` walks every stream with `herstel_casus`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain import gebeurtenissen as g
from domain import weergave
from domain.gebeurtenissen import Gebeurtenis
from domain.toegang import Gebruiker, vereis
from eventstore.ondertekening import Keurmeester, WorkerSleutelError, vertrouwde_sleutels
from eventstore.store import EventStore, StreamConflictError, canoniek, misplaatst
from runtime.policies import UnknownPolicyError, load_rules
from runtime.settings import Settings
from service.casussen import casus_id_uit, toegang
from service.fouten import Geweigerd, Onbereikbaar
from service.samenstelling import OPSLAGFOUTEN, Samenstelling
from service.sturen import workflow_id
from workflows.casus import CasusStart, CasusWorkflow
from workflows.herstel import HerstelError, herstart, zoekattributen

GESLOTEN = {
    WorkflowExecutionStatus.TERMINATED: "beëindigd",
    WorkflowExecutionStatus.FAILED: "mislukt",
    WorkflowExecutionStatus.CANCELED: "geannuleerd",
    WorkflowExecutionStatus.TIMED_OUT: "verlopen",
    WorkflowExecutionStatus.COMPLETED: "voltooid",
}


# A running workflow whose task failed this often is stuck on something a retry does not mend.
VASTGELOPEN_NA = 3


@dataclass(frozen=True)
class Herstel:
    casus_id: str
    uitkomst: str  # hersteld, loopt, vastgelopen, afgesloten, geweigerd
    toelichting: str


async def herstel(s: Samenstelling, wie: Gebruiker, casus_id: str) -> Herstel:
    """The beheerder restores one casus from its stream. A casus whose stream does not verify or
    cannot be started from is refused (`Geweigerd`), with why; one that runs is left running."""
    with toegang():
        vereis(wie, "herstellen")
    casus_id = casus_id_uit(casus_id)
    client = await s.temporal()
    store = await asyncio.to_thread(lambda: s.store)
    try:
        uit = await herstel_casus(client, store, casus_id, s.settings.task_queue, keurmeester(s.settings))
    except RPCError as e:
        raise Onbereikbaar(
            f"Temporal at {s.settings.temporal_address} refused or dropped the request ({e.status.name}): {e.message}"
        ) from None
    except OPSLAGFOUTEN as e:
        raise Onbereikbaar(f"the event store cannot be read (casus {casus_id}): {e}") from None
    except ValueError as e:
        raise Geweigerd(f"{type(e).__name__}: {str(e)[:200]}", veld="casus_id") from None
    if uit.uitkomst == "geweigerd":
        raise Geweigerd(f"casus {casus_id} is not restored: {uit.toelichting}", veld="casus_id")
    return uit


async def workflow_toestand(client: Client, casus_id: str) -> str | None:
    """'loopt', how the workflow ended (beëindigd, mislukt, ...), or None when Temporal has none."""
    try:
        beschrijving = await client.get_workflow_handle(workflow_id(casus_id)).describe()
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    if beschrijving.status == WorkflowExecutionStatus.RUNNING:
        pogingen = beschrijving.raw_description.pending_workflow_task.attempt
        return "loopt" if pogingen <= VASTGELOPEN_NA else f"vastgelopen:{pogingen}"
    return GESLOTEN.get(beschrijving.status or WorkflowExecutionStatus.FAILED, "gesloten")


def _beginpunt(casus_id: str, stream: list[tuple[Gebeurtenis, str | None]]) -> CasusStart | Herstel:
    """What the workflow starts from, or why nothing is started."""
    if not stream:
        return Herstel(casus_id, "geweigerd", "the event store holds nothing for this casus")
    melding = stream[0][0]
    if not isinstance(melding, g.MeldingOntvangen):
        return Herstel(casus_id, "geweigerd", "the stream does not begin with its melding")
    try:
        start = herstart(stream, load_rules(melding.beleid))
    except (HerstelError, UnknownPolicyError) as e:
        return Herstel(casus_id, "geweigerd", str(e))
    if start.casus is not None and start.casus.fase == "afgesloten":
        return Herstel(casus_id, "afgesloten", "the record shows the casus closed; nothing runs for it")
    return start


def _geverifieerde_stream(
    store: EventStore, casus_id: str, keurder: Keurmeester | None = None
) -> list[tuple[Gebeurtenis, str | None]] | Herstel:
    """The stream with its keys, if every event verifies, and, where worker keys are trusted, was
    appended by a worker: a workflow is never started from a record that does not hold together."""
    afwijkingen = store.verify(casus_id)
    if afwijkingen:
        eerste = afwijkingen[0]
        return Herstel(casus_id, "geweigerd", f"version {eerste.versie}: {eerste.melding}; `casus verifieer {casus_id}` names all")
    if keurder is not None:
        try:
            store.controleer_ondertekend(casus_id, keurder)
        except StreamConflictError as e:
            return Herstel(casus_id, "geweigerd", f"{e}; `casus verifieer {casus_id}` names all")
    try:
        stream = store.read_met_sleutels(casus_id)
    except ValueError as onleesbaar:
        return Herstel(casus_id, "geweigerd", f"an event does not decode ({str(onleesbaar)[:120]}); `casus verifieer {casus_id}`")
    for versie, (gebeurtenis, _) in enumerate(stream, start=1):
        if (reden := misplaatst(casus_id, versie, gebeurtenis)) is not None:
            return Herstel(casus_id, "geweigerd", f"version {versie}: {reden}")
    return stream


def keurmeester(settings: Settings) -> Keurmeester | None:
    """The trusted worker keys (CASUS_WORKER_PUBLIEKE_SLEUTELS, else the worker key's public half):
    with them a restore starts from nothing a database login appended without a worker's key."""
    try:
        vertrouwd = vertrouwde_sleutels(settings.worker_publieke_sleutels, settings.worker_sleutel)
    except WorkerSleutelError as e:
        raise Geweigerd(f"{e}; nothing was restored", veld="CASUS_WORKER_PUBLIEKE_SLEUTELS") from None
    return Keurmeester(vertrouwd) if vertrouwd else None


async def herstel_casus(client: Client, store: EventStore, casus_id: str, task_queue: str, keurder: Keurmeester | None = None) -> Herstel:
    """Starts the casus's workflow again, unless one runs under its id: the id in its one form
    (`canoniek`), so another spelling of a running casus's id never starts a second workflow."""
    casus_id = canoniek(casus_id)
    toestand = await workflow_toestand(client, casus_id)
    if toestand == "loopt":
        return Herstel(casus_id, "loopt", "its workflow runs; nothing to restore")
    if toestand and toestand.startswith("vastgelopen:"):
        pogingen = toestand.split(":")[1]
        return Herstel(
            casus_id, "vastgelopen", f"its workflow runs but its task failed {pogingen} times (see the worker's log); "
            "terminate it (`temporal workflow terminate`) once the cause is found, then restore it",
        )  # fmt: skip
    stream = await asyncio.to_thread(_geverifieerde_stream, store, casus_id, keurder)
    if isinstance(stream, Herstel):
        return stream
    start = _beginpunt(casus_id, stream)
    if isinstance(start, Herstel):
        return start
    try:
        await client.start_workflow(
            CasusWorkflow.run, start, id=workflow_id(casus_id), task_queue=task_queue,
            search_attributes=zoekattributen(start),
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE, id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=weergave.samenvatting(start.regelset.beleid.id, start.melding.gemeente, start.melding.huishouden),
        )  # fmt: skip
    except WorkflowAlreadyStartedError:
        return Herstel(casus_id, "loopt", "its workflow was started meanwhile")
    vorige = "Temporal had no workflow for it" if toestand is None else f"its workflow was {toestand}"
    return Herstel(casus_id, "hersteld", f"{vorige}; started again from {len(stream)} events")


async def _een(client: Client, store: EventStore, casus_id: str, task_queue: str, keurder: Keurmeester | None = None) -> Herstel:
    """One casus of a walk over many; what goes wrong with it is its answer, and the others are still restored."""
    try:
        return await herstel_casus(client, store, casus_id, task_queue, keurder)
    except (RPCError, ValueError) as e:
        return Herstel(casus_id, "geweigerd", f"{type(e).__name__}: {str(e)[:200]}")
