"""Composition root: settings -> connections -> the workflow and activities -> clean shutdown."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import structlog

from eventstore.ondertekening import Ondertekenaar, laad_ondertekenaar, vertrouwde_sleutels
from eventstore.store import EventStore
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal
from runtime.temporal import connect, install_runtime
from service.werker import build_worker

log = structlog.get_logger()


def werkersleutel(settings: Settings) -> Ondertekenaar | None:
    """The worker's signing key, trusting besides its own the keys of CASUS_WORKER_PUBLIEKE_SLEUTELS
    (the other workers', a rotated-out one): events found in place must be signed by one of them.
    None without a key: nothing is signed, and found events are judged by their chain alone."""
    if settings.worker_sleutel is None:
        return None
    return laad_ondertekenaar(settings.worker_sleutel, vertrouwde_sleutels(settings.worker_publieke_sleutels))


async def run(settings: Settings, stop: asyncio.Event) -> None:
    # A configured key (or trusted key) that cannot be read stops the worker before it appends anything.
    ondertekenaar = werkersleutel(settings)
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
                    vertrouwd=sorted(ondertekenaar.vertrouwd) if ondertekenaar else None,
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
