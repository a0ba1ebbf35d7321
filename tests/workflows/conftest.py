"""One time-skipping test server per test process (its clock is global); each test gets its own
task queue, worker and SQLite event store."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.stap import Regelset
from domain.toestand import Casus
from eventstore.keten import Ondertekenaar
from eventstore.store import EventStore
from runtime.settings import Settings
from runtime.temporal import install_runtime
from service.simulatie import omgeving
from service.werker import build_worker
from workflows.casus import CasusStart, CasusWorkflow


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    install_runtime()
    async with omgeving() as e:
        yield e


@dataclass
class Casusbank:
    """A worker on its own task queue with its own event store, and the simulated clock."""

    env: WorkflowEnvironment
    store: EventStore
    task_queue: str
    verschuiving: timedelta = timedelta(0)
    gestart: list[WorkflowHandle[Any, Any]] = field(default_factory=list)

    async def meld(
        self, regelset: Regelset, ontvangen: datetime, gemeente: str, geschiedenis_limiet: int = 10_000, **melding: Any
    ) -> WorkflowHandle[Any, Any]:
        casus_id = str(uuid.uuid4())
        self.verschuiving = ontvangen - await self.env.get_current_time()
        melden = Melden(
            casus_id=casus_id, gemeente=gemeente, huishouden="HH-test", ontvangen=ontvangen,
            melder=Melder(), actor=Actor(partij="veilig-thuis", medewerker="test"), **melding,
        )  # fmt: skip
        handle = await self.env.client.start_workflow(
            CasusWorkflow.run,
            CasusStart(
                melding=melden,
                regelset=regelset,
                klok_verschuiving_s=self.verschuiving.total_seconds(),
                geschiedenis_limiet=geschiedenis_limiet,
            ),
            id=f"casus-{casus_id}",
            task_queue=self.task_queue,
        )
        self.gestart.append(handle)
        await handle.execute_update("gemeld", result_type=Casus)
        return handle

    async def ruim_op(self) -> None:
        """The test server skips no time while a task waits on a queue without a worker."""
        for handle in self.gestart:
            with contextlib.suppress(RPCError):
                await handle.terminate("test voorbij")

    async def klok_naar(self, moment: datetime) -> None:
        wacht = (moment - self.verschuiving) - await self.env.get_current_time()
        if wacht > timedelta(0):
            await self.env.sleep(wacht)


@asynccontextmanager
async def casusbank(env: WorkflowEnvironment, map_: Path, ondertekenaar: Ondertekenaar | None = None) -> AsyncIterator[Casusbank]:
    """A worker on a task queue of its own over a SQLite store in `map_`, signing with `ondertekenaar`."""
    store = EventStore.open(Settings(state_dir=map_, eventstore="sqlite"))
    task_queue = f"test-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with build_worker(env.client, store, task_queue, executor, ondertekenaar=ondertekenaar):
            bank = Casusbank(env=env, store=store, task_queue=task_queue)
            try:
                yield bank
            finally:
                await bank.ruim_op()
    store.close()


@pytest.fixture
async def bank(env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Casusbank]:
    async with casusbank(env, tmp_path) as b:
        yield b
