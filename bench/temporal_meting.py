"""(4) one action's round trip, (5) lifecycle throughput and (7) memory per open casus, on the real
dev server, each beside a minimal workflow doing the same number of updates and activities."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

from bench.api_meting import rondreis_via_api, vrije_poort
from bench.meten import percentiel, postgres, snel
from domain.draaiboek import verzoek
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.toestand import Casus
from runtime.policies import load_rules
from runtime.settings import Settings
from service.ontwikkelserver import start_temporal, stop_proces, wacht_op_temporal
from service.samenstelling import Samenstelling
from service.werker import build_worker
from workflows.casus import CasusStart, CasusWorkflow, Resultaat

ROOT = Path(__file__).resolve().parents[1]


@activity.defn(name="kaal")
def kaal_activiteit(n: int) -> int:
    return n


@workflow.defn(name="Kaal", sandboxed=False)
class Kaal:
    """The least a workflow can do per step: an update, optionally with one activity."""

    def __init__(self) -> None:
        self.n, self.klaar = 0, False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.klaar)
        return self.n

    @workflow.update
    async def stap(self, met_activiteit: bool) -> int:
        if met_activiteit:  # the same kind of activity the casus runs its append as
            await workflow.execute_local_activity(kaal_activiteit, self.n, start_to_close_timeout=timedelta(seconds=30))
        self.n += 1
        return self.n

    @workflow.update
    async def klaar_(self) -> int:
        self.klaar = True
        return self.n


def rss_kib(pid: int) -> int:
    for regel in Path(f"/proc/{pid}/status").read_text().splitlines():
        if regel.startswith("VmRSS:"):
            return int(regel.split()[1])
    return 0


async def meld(client: Client, settings: Settings, ontvangen: datetime) -> Any:
    cid = str(uuid.uuid4())
    m = Melden(casus_id=cid, gemeente="velsen", huishouden=f"HH-{cid[:8]}", melder=Melder(), ontvangen=ontvangen,
               actor=Actor(partij="veilig-thuis", medewerker="bench"))  # fmt: skip
    h = await client.start_workflow(CasusWorkflow.run, CasusStart(melding=m, regelset=load_rules("ijmond-2024")), id=f"casus-{cid}",
                                    task_queue=settings.task_queue)  # fmt: skip
    await h.execute_update("gemeld", result_type=Casus)
    return h


async def rondreis(client: Client, settings: Settings, n: int, state: Path) -> dict[str, float]:
    nu = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    h = await meld(client, settings, nu)
    await h.execute_update("actie", verzoek("beoordeling-afronden", "veilig-thuis", None, besluit="direct-overdracht", team="socius-md"),
                           result_type=Resultaat)  # fmt: skip
    await h.execute_update("actie", verzoek("overdracht-accepteren", "lokaal-team:socius-md", None), result_type=Resultaat)
    ons = []
    for i in range(n):
        start = time.perf_counter()
        await h.execute_update("actie", verzoek("plan-vastleggen", "lokaal-team:socius-md", None, plan=f"v{i}"), result_type=Resultaat)
        ons.append((time.perf_counter() - start) * 1000)
    k = await client.start_workflow(Kaal.run, id=f"kaal-{uuid.uuid4()}", task_queue=settings.task_queue + "-kaal")
    kaal = []
    for _ in range(n):
        start = time.perf_counter()
        await k.execute_update(Kaal.stap, False)
        kaal.append((time.perf_counter() - start) * 1000)
    await k.execute_update(Kaal.klaar_)
    via_api = await rondreis_via_api(settings, h.id.removeprefix("casus-"), n, state)
    return {"ons_p50_ms": percentiel(ons, 50), "ons_p99_ms": percentiel(ons, 99), "kaal_p50_ms": percentiel(kaal, 50),
            "kaal_p99_ms": percentiel(kaal, 99), **via_api}  # fmt: skip


async def levensloop(client: Client, settings: Settings, n: int) -> dict[str, float]:
    nu = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    stappen = [
        verzoek("beoordeling-afronden", "veilig-thuis", None, besluit="direct-overdracht", team="socius-md"),
        verzoek("overdracht-accepteren", "lokaal-team:socius-md", None),
        verzoek("afsluiten", "lokaal-team:socius-md", None, reden="geen-contact-geen-zorgen"),
    ]
    slot = asyncio.Semaphore(10)

    async def casus() -> None:
        async with slot:
            h = await meld(client, settings, nu)
            for s in stappen:
                await h.execute_update("actie", s, result_type=Resultaat)
            await h.result()

    async def kaal() -> None:
        async with slot:
            k = await client.start_workflow(Kaal.run, id=f"kaal-{uuid.uuid4()}", task_queue=settings.task_queue + "-kaal")
            for _ in range(len(stappen) + 1):
                await k.execute_update(Kaal.stap, True)
            await k.execute_update(Kaal.klaar_)
            await k.result()

    acties = n * (len(stappen) + 1)
    start = time.perf_counter()
    await asyncio.gather(*(casus() for _ in range(n)))
    ons = acties / (time.perf_counter() - start)
    start = time.perf_counter()
    await asyncio.gather(*(kaal() for _ in range(n)))
    bare = acties / (time.perf_counter() - start)
    return {"ons_acties_per_s": ons, "kaal_acties_per_s": bare, "ratio": ons / bare}


async def geheugen(client: Client, settings: Settings, server_pid: int, n: int) -> dict[str, float]:
    env = os.environ | {
        "CASUS_TEMPORAL_ADDRESS": settings.temporal_address, "CASUS_TASK_QUEUE": settings.task_queue, "CASUS_EVENTSTORE": "postgres",
        "CASUS_POSTGRES_DBNAME": settings.postgres_dbname, "CASUS_METRICS_PORT": "0",
    }  # fmt: skip
    worker = subprocess.Popen(  # noqa: ASYNC220 - started once, measured from outside
        [sys.executable, str(ROOT / "worker.py")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        await asyncio.sleep(3)
        voor = rss_kib(server_pid) + rss_kib(worker.pid)
        nu = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        slot = asyncio.Semaphore(50)

        async def een() -> None:
            async with slot:
                await meld(client, settings, nu)

        await asyncio.gather(*(een() for _ in range(n)))
        await asyncio.sleep(2)
        na = rss_kib(server_pid) + rss_kib(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return {"open_casussen": n, "kib_voor": voor, "kib_na": na, "kib_per_casus": (na - voor) / n}


async def _meet(state: Path) -> dict[str, Any]:
    with postgres(state) as store_settings:
        settings = store_settings.model_copy(update={"temporal_address": f"127.0.0.1:{_poort()}", "task_queue": f"bench-{uuid.uuid4()}",
                                                      "temporal_ui_port": _poort()})  # fmt: skip
        proces = start_temporal(settings)
        try:
            await wacht_op_temporal(settings, proces)
            s = Samenstelling(settings)
            client = await s.temporal()
            store = s.store
            with ThreadPoolExecutor(max_workers=8) as ex:
                w = build_worker(client, store, settings.task_queue, ex)
                eigen = Worker(
                    client, task_queue=settings.task_queue + "-kaal", workflows=[Kaal], activities=[kaal_activiteit], activity_executor=ex
                )
                async with w, eigen:
                    uitkomst: dict[str, Any] = {"actie": await rondreis(client, settings, 20 if snel() else 200, state)}
                    uitkomst["levensloop"] = await levensloop(client, settings, 4 if snel() else 100)
            s.sluit()
            uitkomst["geheugen"] = await geheugen(client, settings, proces.pid, 100 if snel() else 20_000)
        finally:
            stop_proces(proces)
    return uitkomst


def _poort() -> int:
    return vrije_poort()


def meet() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(_meet(Path(tmp)))
