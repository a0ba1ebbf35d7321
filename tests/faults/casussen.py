"""Casussen for the fault tests: started on a real server, served by worker processes, and checked
against the event store afterwards."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import PendingActivityState, PendingWorkflowTaskState
from temporalio.client import Client, WorkflowHandle

from domain import gebeurtenissen as g
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.toestand import Casus
from eventstore.store import EventStore
from runtime.policies import load_rules
from runtime.settings import Settings
from runtime.temporal import ServiceUnavailableError, connect
from tests.conftest import store_env
from tests.faults.onderdelen import TemporalServer, Worker
from tests.voordeur import Voordeur
from workflows.casus import CasusStart, CasusWorkflow


def omgeving(settings: Settings) -> dict[str, str]:
    return os.environ | store_env(settings) | {
        "CASUS_TEMPORAL_ADDRESS": settings.temporal_address, "CASUS_TASK_QUEUE": settings.task_queue,
        "CASUS_METRICS_PORT": "0", "CASUS_LOG_FORMAT": "json",
    }  # fmt: skip


def sqlite_instellingen(server: TemporalServer, tmp_path: Path) -> Settings:
    """A SQLite event store of the test's own, on a task queue of its own, against the test's server."""
    return Settings(state_dir=tmp_path, eventstore="sqlite", task_queue=f"storing-{uuid.uuid4()}", temporal_address=server.adres)


def start_worker(settings: Settings, **extra: str) -> Worker:
    worker = Worker(omgeving(settings) | extra)
    worker.start()
    return worker


async def start_casus(
    client: Client, settings: Settings, beleid: str, gemeente: str, ontvangen: datetime, acuut: bool = False, verschuiving_s: float = 0.0
) -> WorkflowHandle[Any, Any]:
    """Starts a casus workflow; its melding is stored once a worker runs it."""
    casus_id = str(uuid.uuid4())
    melden = Melden(casus_id=casus_id, gemeente=gemeente, huishouden=f"HH-{casus_id[:6]}", acuut=acuut, melder=Melder(),
                    ontvangen=ontvangen, inhoud="storingsproef", actor=Actor(partij="veilig-thuis", medewerker="proef"))  # fmt: skip
    start = CasusStart(melding=melden, regelset=load_rules(beleid), activiteit_timeout_s=3, klok_verschuiving_s=verschuiving_s)
    return await client.start_workflow(CasusWorkflow.run, start, id=f"casus-{casus_id}", task_queue=settings.task_queue)


async def meld(
    client: Client, settings: Settings, beleid: str, gemeente: str, ontvangen: datetime, acuut: bool = False
) -> WorkflowHandle[Any, Any]:
    handle = await start_casus(client, settings, beleid, gemeente, ontvangen, acuut)
    await asyncio.wait_for(handle.execute_update("gemeld", result_type=Casus), 60)
    return handle


async def loopt_activiteit(handle: WorkflowHandle[Any, Any]) -> bool:
    """The append runs: as an activity task, or as a local activity inside a started workflow task."""
    beschrijving = (await handle.describe()).raw_description
    activiteit = any(a.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED for a in beschrijving.pending_activities)
    taak = beschrijving.pending_workflow_task.state == PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
    return activiteit or taak


def precies_eenmaal(store: EventStore, casus_id: str, versie: int) -> list[g.Gebeurtenis]:
    """Versions 1..n with nothing doubled, the chain intact, and n what the workflow holds."""
    gebeurtenissen = store.read(casus_id)
    assert len(gebeurtenissen) == versie == store.version(casus_id)
    assert store.verify(casus_id) == []
    sleutels = [e.model_dump_json() for e in gebeurtenissen]
    assert len(set(sleutels)) == len(sleutels), "an event is stored twice"
    return gebeurtenissen


async def verbind(server: TemporalServer) -> Client:
    """The port answers before the frontend is healthy: try until it is."""
    for _ in range(120):
        try:
            return await connect(Settings(temporal_address=server.adres))
        except ServiceUnavailableError:
            await asyncio.sleep(0.25)
    return await connect(Settings(temporal_address=server.adres))


async def bij_de_stream(handle: WorkflowHandle[Any, Any], store: EventStore, casus_id: str) -> Casus:
    """The workflow's state once it has taken the stream's last event in (its retried task may still run)."""
    casus: Casus = await handle.query(CasusWorkflow.toestand)
    for _ in range(120):
        if casus.versie == store.version(casus_id):
            break
        await asyncio.sleep(0.25)
        casus = await handle.query(CasusWorkflow.toestand)
    return casus


def telling(store: EventStore, workflow_versies: dict[str, int], erkend: dict[str, int] | None = None) -> dict[str, int]:
    """What docs/RELIABILITY.md counts per run: casussen, acknowledged versions missing from the
    stream (lost), events stored twice (doubled), workflows not at their stream's version (wedged)."""
    erkend = erkend or {}
    verloren = dubbel = vastgelopen = 0
    for casus_id, versie in workflow_versies.items():
        stream = [e.model_dump_json() for e in store.read(casus_id)]
        dubbel += len(stream) - len(set(stream))
        vastgelopen += versie != len(stream)
        verloren += erkend.get(casus_id, 0) > len(stream)
    return {"casussen": len(workflow_versies), "verloren": verloren, "dubbel": dubbel, "vastgelopen": vastgelopen}


def niets_verloren(t: dict[str, int]) -> None:
    assert (t["verloren"], t["dubbel"], t["vastgelopen"]) == (0, 0, 0), t


@dataclass
class Stapel:
    """A worker and the API as processes of their own beside the test's Temporal server, on a
    SQLite store of the test's own; the CLI goes through `deur`."""

    settings: Settings
    env: dict[str, str]
    worker: Worker
    deur: Voordeur


@contextmanager
def worker_en_voordeur(server: TemporalServer, map_: Path) -> Iterator[Stapel]:
    settings = sqlite_instellingen(server, map_)
    env = omgeving(settings) | {"CASUS_WACHT_OP_WORKER_S": "60"}
    worker = start_worker(settings)
    deur = Voordeur(env, map_ / "api")
    try:
        yield Stapel(settings, env, worker, deur)
    finally:
        worker.stop()
        deur.stop()
