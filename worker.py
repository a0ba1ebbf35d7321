"""Composition root: settings -> connections -> the workflow and activities -> clean shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.eventstore import EventStoreActivities
from activities.vergeten import VergetenActivities
from eventstore.keten import Ondertekenaar
from eventstore.ondertekening import laad_ondertekenaar
from eventstore.store import EventStore
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal
from runtime.storingspunt import Storingspunt
from runtime.temporal import connect, install_runtime
from workflows.casus import CasusWorkflow
from workflows.vergeten import HuishoudenVergetenWorkflow

log = structlog.get_logger()

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


async def run(settings: Settings, stop: asyncio.Event) -> None:
    # A configured key that cannot be read stops the worker before it appends anything unsigned.
    ondertekenaar = laad_ondertekenaar(settings.worker_sleutel) if settings.worker_sleutel is not None else None
    store = EventStore.open(settings)
    client = await connect(settings)
    try:
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="activity") as executor:
            async with build_worker(client, store, settings.task_queue, executor, settings.worker_shutdown_seconds, ondertekenaar):
                log.info(
                    "worker started",
                    task_queue=settings.task_queue,
                    eventstore=settings.eventstore_description,
                    ondertekening=ondertekenaar.vingerafdruk if ondertekenaar else None,
                )
                await stop.wait()
                log.info("worker stopping")
    finally:
        store.close()


def main() -> None:
    settings = Settings()
    casus_logging.configure(settings.log_format)
    install_runtime(settings.metrics_address)
    run_until_signal(lambda stop: run(settings, stop))


if __name__ == "__main__":
    main()
