"""The worker's composition: the workflows and activities on one task queue, over one event store;
`worker.py` runs it as a process, `casus dev` and the simulator in theirs."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

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
    sandboxed: bool = True,
) -> Worker:
    """`sandboxed=False` is for the simulator only (service/simulatie.py), which starts thousands of
    short casussen in one process: the sandbox imports the workflow module anew for every casus and
    is entered and left around every activation and every payload's conversion. Leaving it out there
    changes no outcome: the sandbox decides nothing, it refuses non-deterministic calls and gives each
    run fresh module state, and the workflow modules keep no module state (what they import from the
    domain is passed through to the sandbox already). The same workflow code runs sandboxed in every
    production worker and in the workflow tests (tests/workflows), where such a call is refused."""
    activities = EventStoreActivities(store, Storingspunt.uit_omgeving(), ondertekenaar)
    vergeten = VergetenActivities(store, ondertekenaar)
    # The counters at 0 from the start, on the runtime the worker reports through.
    tellers_op_nul((client.service_client.config.runtime or Runtime.default()).metric_meter, client.namespace, task_queue)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        workflow_runner=SandboxedWorkflowRunner() if sandboxed else UnsandboxedWorkflowRunner(),
        activities=[activities.voeg_toe, vergeten.vergeten_vastleggen],
        # eventsourcing is synchronous: its activities run on threads, never on the event loop.
        activity_executor=executor,
        # On shutdown polling stops at once; running activities get this long before they are cancelled.
        graceful_shutdown_timeout=timedelta(seconds=shutdown_seconds),
    )
