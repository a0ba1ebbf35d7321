"""`casus simuleer`: a scenario through the real workflow, activity, event store and projection,
on the time-skipping test server, with a temporary SQLite store. The simulator drives the clock
itself: waiting on an update does not skip time on that server."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.client import WorkflowHandle, WorkflowHistory, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.evolueren import herbouw
from domain.gebeurtenissen import Melder
from domain.huishouden import een_open_casus
from domain.opdrachten import Melden
from domain.partijen import VEILIG_THUIS, Actor
from domain.tijd import lokaal
from domain.toestand import Casus
from domain.uitkomst import Fout, uitkomst
from domain.weigering import Weigering
from eventstore.kluis import Kluis
from projections.caseload import NAME as CASELOAD
from projections.huishouden import open_casussen
from projections.verantwoordelijkheid import NAME as VERANTWOORDELIJKHEID
from projections.verantwoordelijkheid import tijdlijn
from runtime.policies import load_rules
from runtime.settings import Settings
from runtime.temporal import binary
from service.samenstelling import Samenstelling
from service.scenario import Scenario, ScenarioError, vervolgmelding, verzoek
from service.sturen import voer_uit, weigering_uit
from service.verzegelen import verzegel
from service.werker import build_worker
from workflows.casus import CasusStart, CasusWorkflow
from workflows.zoekattributen import registreer as register_search_attributes

__all__ = ["Scenario", "ScenarioError", "SimulatieVastgelopenError", "Simulator", "omgeving", "verzoek"]

# How long the workflow may take to answer a step or to settle after the clock moved, in real time:
# a step takes milliseconds; past this something is stuck, and the run says so instead of waiting.
ANTWOORD_S = 60.0
T = TypeVar("T")


class SimulatieVastgelopenError(RuntimeError):
    """The workflow did not answer within ANTWOORD_S: the run stops with what it was doing."""


@asynccontextmanager
async def omgeving() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=str(binary("temporal-test-server"))
    )
    try:
        await register_search_attributes(env.client, env.client.namespace)
        yield env
    finally:
        await env.shutdown()


class Simulator:
    """Runs scenarios one after the other in one time-skipping environment."""

    def __init__(self, env: WorkflowEnvironment, store_dir: Path | None = None, bewaar_geschiedenis: bool = False) -> None:
        self.env = env
        self.store_dir = store_dir
        self.bewaar_geschiedenis = bewaar_geschiedenis
        self.geschiedenissen: list[WorkflowHistory] = []

    async def run(self, scenario: Scenario) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="casus-sim-", dir=self.store_dir) as tmp:
            s = Samenstelling(Settings(state_dir=Path(tmp), eventstore="sqlite"))
            try:
                self._scenario, self._s = scenario, s
                return await self._run(scenario, s)
            finally:
                s.sluit()

    async def _run(self, scenario: Scenario, s: Samenstelling) -> dict[str, Any]:
        store = s.store
        regelset = load_rules(scenario.beleid)
        casus_id = str(uuid.uuid4())
        task_queue = f"simulatie-{casus_id}"
        m = scenario.melding
        melden = Melden(
            casus_id=casus_id, gemeente=m.gemeente, huishouden=m.huishouden, acuut=m.acuut, melder=m.melder,
            ontvangen=m.ontvangen, inhoud=m.inhoud, actor=Actor(partij=VEILIG_THUIS, medewerker="simulatie"),
        )  # fmt: skip
        # The simulation seals personal data as production does, with a key that lives as long as the run.
        self._kluis = Kluis(s.views, AESGCM.generate_key(bit_length=256))
        self._huishouden = m.huishouden
        melden = verzegel(melden, m.huishouden, self._kluis)
        verschuiving = m.ontvangen - await self.env.get_current_time()
        fouten: list[Fout] = []
        with ThreadPoolExecutor(max_workers=2) as executor:
            async with build_worker(self.env.client, store, task_queue, executor):
                handle = await self.env.client.start_workflow(
                    CasusWorkflow.run,
                    CasusStart(melding=melden, regelset=regelset, klok_verschuiving_s=verschuiving.total_seconds()),
                    id=f"casus-{casus_id}",
                    task_queue=task_queue,
                )
                try:
                    await _gemeld(handle)
                    for nummer, stap in enumerate(scenario.stappen, start=1):
                        fout = await self._stap(handle, nummer, stap, verschuiving)
                        if fout is not None:
                            fouten.append(fout)
                    await self._tot(handle, scenario.tot, verschuiving)
                    if self.bewaar_geschiedenis:
                        self.geschiedenissen.append(await handle.fetch_history())
                finally:
                    # The test server skips no time while a task waits on a queue without a worker.
                    with contextlib.suppress(RPCError):  # a closed casus has completed already
                        await handle.terminate("simulatie voorbij")
        return self._uitkomst(s, casus_id, tuple(fouten))

    async def _stap(self, handle: WorkflowHandle[Any, Any], nummer: int, stap: dict[str, Any], verschuiving: timedelta) -> Fout | None:
        actie = str(stap.get("actie"))
        if actie == "melding":
            return await self._vervolgmelding(nummer, stap, verschuiving)
        try:
            v = verzoek(stap)
        except ScenarioError as e:  # Scenario.load refuses these; a Scenario built in code may hold one
            return Fout(stap=nummer, actie=actie, regel="scenario", melding=str(e), veld=e.veld)
        if v.op is not None:
            await self._klok_naar(v.op, verschuiving)
        opdracht = verzegel(v.opdracht, self._huishouden, self._kluis)
        try:
            await _binnen(
                voer_uit(handle, v.model_copy(update={"opdracht": opdracht}), None, lambda: self._s.store), f"step {nummer} ({actie})"
            )
        except Weigering as w:
            return Fout(stap=nummer, actie=actie, regel=w.regel, melding=w.melding, veld=w.veld)
        return None

    async def _vervolgmelding(self, nummer: int, stap: dict[str, Any], verschuiving: timedelta) -> Fout:
        """Another melding, checked as `casus melding` checks it: IJM-3.7c from the household read model."""
        try:
            m = vervolgmelding(stap)
        except ScenarioError as e:
            return Fout(stap=nummer, actie="melding", regel="scenario", melding=str(e), veld=e.veld)
        await self._klok_naar(m.op, verschuiving)
        eerste = self._scenario.melding
        melden = Melden(
            casus_id=str(uuid.uuid4()), gemeente=m.gemeente or eerste.gemeente, huishouden=m.huishouden or eerste.huishouden,
            acuut=m.acuut, melder=Melder(soort=m.melder_soort, anoniem=m.melder_anoniem), ontvangen=m.op, inhoud=m.inhoud,
            actor=Actor(partij=m.als, medewerker=m.medewerker), aparte_casus=m.aparte_casus,
        )  # fmt: skip
        views = self._s.views
        self._s.projectie_runner([CASELOAD]).catch_up()
        try:
            een_open_casus(melden, open_casussen(views, melden.huishouden), load_rules(self._scenario.beleid))
        except Weigering as w:
            return Fout(stap=nummer, actie="melding", regel=w.regel, melding=w.melding, veld=w.veld)
        return Fout(stap=nummer, actie="melding", regel="scenario", melding=(
            f"this melding would start a casus of its own for household {melden.huishouden}; "
            "a scenario follows one casus: simulate that casus as a scenario of its own"))  # fmt: skip

    async def _klok_naar(self, moment: datetime, verschuiving: timedelta) -> None:
        """A step lands on its own instant, also when a deadline lapses at that very instant: the
        workflow never cancels a deadline timer (workflows/wekkers.py), so an update and a timer
        together cannot strand it, and the decider gives the same outcome in either order."""
        wacht = (moment - verschuiving) - await self.env.get_current_time()
        if wacht > timedelta(0):
            await self.env.sleep(wacht)

    async def _tot(self, handle: WorkflowHandle[Any, Any], tot: datetime, verschuiving: timedelta) -> None:
        """Timers that fall before `tot` fire, with their effects; wait until the casus has them."""
        await self._klok_naar(tot - timedelta(seconds=1), verschuiving)

        async def verwerkt() -> None:
            while True:
                casus: Casus | None = await handle.query(CasusWorkflow.toestand)
                volgende = casus.volgende_termijn() if casus else None
                if casus is not None and (volgende is None or volgende >= tot - timedelta(seconds=1)):
                    return
                await asyncio.sleep(0.01)

        await _binnen(verwerkt(), f"the deadlines before tot ({lokaal(tot)})")

    @staticmethod
    def _uitkomst(s: Samenstelling, casus_id: str, fouten: tuple[Fout, ...]) -> dict[str, Any]:
        """Rebuilt from the event store and the projection, not from workflow memory."""
        gebeurtenissen = s.store.read(casus_id)
        casus = herbouw(gebeurtenissen)
        if casus is None:
            raise RuntimeError(f"casus {casus_id} left nothing in the event store")
        views = s.views
        s.projectie_runner([VERANTWOORDELIJKHEID]).catch_up()
        resultaat = uitkomst(casus, fouten)
        # Which rules this run applied or refused by: what a scenario exercised (an extension).
        toegepast = {e.regel for e in gebeurtenissen} | {f.regel for f in fouten}
        resultaat["regels"] = sorted(r for r in toegepast if r[0].isupper())
        resultaat["verantwoordelijkheid"] = [
            {"partij": i.partij, "van": lokaal(i.van), "tot": lokaal(i.tot) if i.tot else None, "grond": i.grond}
            for i in tijdlijn(views, casus_id)
        ]
        return resultaat


async def _binnen(werk: Coroutine[Any, Any, T], wat: str) -> T:
    """Never a run that waits for ever: past ANTWOORD_S the run stops, saying what it waited for."""
    try:
        return await asyncio.wait_for(werk, ANTWOORD_S)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):  # an update's wait, cancelled, raises the latter
        raise SimulatieVastgelopenError(f"the casus workflow did not finish {wat} within {ANTWOORD_S:.0f} s; stopped") from None


async def _gemeld(handle: WorkflowHandle[Any, Any]) -> None:
    """The melding as the workflow recorded it; one it refuses is the scenario's error (exit 1)."""
    try:
        await _binnen(handle.execute_update("gemeld", result_type=Casus), "the melding")
    except WorkflowUpdateFailedError as e:
        w = weigering_uit(e)
        veld = f"melding.{w.veld}" if w.veld else "melding"
        raise ScenarioError(f"{veld}: refused under {w.regel}: {w.melding}", veld=veld) from None
