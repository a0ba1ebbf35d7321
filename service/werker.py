"""The worker's composition: the workflows and activities on one task queue, over one event store;
`worker.py` runs it as a process, `casus dev` and the simulator in theirs."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import Worker

from activities.eventstore import EventStoreActivities
from activities.vergeten import VergetenActivities
from eventstore.keten import Ondertekenaar
from eventstore.store import EventStore
from runtime.metriek import tellers_op_nul
from runtime.storingspunt import Storingspunt
from workflows.casus import CasusWorkflow
from workflows.vergeten import HuishoudenVergetenWorkflow

WORKFLOWS: Sequence[type] = (CasusWorkflow, HuishoudenVergetenWorkflow)


def build_worker(
    client: Client,
    store: EventStore,
    task_queue: str,
    executor: ThreadPoolExecutor,
    shutdown_seconds: float = 10.0,
    ondertekenaar: Ondertekenaar | None = None,
) -> Worker:
    activities = EventStoreActivities(store, Storingspunt.uit_omgeving(), ondertekenaar)
    vergeten = VergetenActivities(store, ondertekenaar)
    # The counters at 0 from the start, on the runtime the worker reports through.
    tellers_op_nul((client.service_client.config.runtime or Runtime.default()).metric_meter, client.namespace, task_queue)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=[activities.voeg_toe, vergeten.vergeten_vastleggen],
        # eventsourcing is synchronous: its activities run on threads, never on the event loop.
        activity_executor=executor,
        # On shutdown polling stops at once; running activities get this long before they are cancelled.
        graceful_shutdown_timeout=timedelta(seconds=shutdown_seconds),
    )
