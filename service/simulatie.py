"""`casus simuleer`: a scenario through the real workflow, activity, event store and projection,
on the time-skipping test server, with a temporary SQLite store. The simulator drives the clock
itself: waiting on an update does not skip time on that server.

A Simulator used as an async context manager keeps one store, vault key, worker and task queue for
every scenario it runs; each scenario still sees only its own casus, and a casus still running at
`tot` is terminated once its outcome is taken. Used without, each `run` has its own. The worker
keeps those terminated casussen in its cache (nothing tells it they ended), which makes every later
step a little dearer: a long series is better run as several (service/simulatie_batch.py).

Most of what a scenario costs is Temporal's own work, about 10 ms of CPU for each action (an update
whose local activity appends), so the simulator adds no work it can leave out: its worker runs the
workflow outside the sandbox (service/werker.py), its store lies in memory where the system has a
memory-backed folder (no disk flush per commit), the server's clock is asked now and then rather
than before every step (service/simulatie_klok.py), and the deadlines' effects are read from the store, not queried."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.client import (
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.evolueren import herbouw
from domain.gebeurtenissen import Melder
from domain.huishouden import een_open_casus
from domain.opdrachten import Melden
from domain.partijen import VEILIG_THUIS, Actor
from domain.stap import Regelset
from domain.tijd import lokaal
from domain.uitkomst import Fout, uitkomst
from domain.weigering import Weigering
from eventstore.kluis import Kluis
from projections.caseload import NAME as CASELOAD
from projections.huishouden import open_casussen
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import NAME as VERANTWOORDELIJKHEID
from projections.verantwoordelijkheid import tijdlijn
from runtime.policies import load_rules
from runtime.settings import Settings
from runtime.temporal import binary
from service.samenstelling import Samenstelling
from service.scenario import Scenario, ScenarioError, vervolgmelding, verzoek
from service.simulatie_klok import Klok
from service.sturen import gemeld, voer_uit
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


@dataclass
class _Werkplaats:
    """What the scenarios of one simulator share: a SQLite store with its read models, a vault whose
    key lives as long as the store, and one worker on a task queue of its own."""

    s: Samenstelling
    kluis: Kluis
    task_queue: str
    runner: ProjectionRunner | None = None

    def bij(self) -> None:
        """The read models the outcome and the household check read, caught up with the log: their
        tables made once, then only the events since the last time, read once for both."""
        if self.runner is None:
            self.runner = self.s.projectie_runner([CASELOAD, VERANTWOORDELIJKHEID])
        self.runner.catch_up()


@dataclass
class _Verloop:
    """One scenario on its way: its casus and workflow, its clock offset and its refused steps."""

    scenario: Scenario
    casus_id: str
    regelset: Regelset
    verschuiving: timedelta
    handle: WorkflowHandle[Any, Any]
    fouten: list[Fout] = field(default_factory=list)


class Simulator:
    """Runs scenarios one after the other in one time-skipping environment."""

    def __init__(
        self, env: WorkflowEnvironment, store_dir: Path | None = None, bewaar_geschiedenis: bool = False, sandboxed: bool = False
    ) -> None:
        self.env = env
        self.store_dir = store_dir
        # The worker runs the workflow outside the SDK's sandbox unless asked (service/werker.py: why that changes no outcome).
        self.sandboxed = sandboxed
        self.bewaar_geschiedenis = bewaar_geschiedenis
        self.geschiedenissen: list[WorkflowHistory] = []
        self._regelsets: dict[str, Regelset] = {}
        self._werkplaats: _Werkplaats | None = None
        self._stapel: AsyncExitStack | None = None
        self._klok = Klok()

    async def __aenter__(self) -> Simulator:
        if self._stapel is not None:
            raise RuntimeError("this simulator is open already")
        stapel = AsyncExitStack()
        try:
            tmp = stapel.enter_context(tempfile.TemporaryDirectory(prefix="casus-sim-", dir=self.store_dir or _in_geheugen()))
            s = Samenstelling(Settings(state_dir=Path(tmp), eventstore="sqlite"))
            stapel.callback(s.sluit)
            # The simulation seals personal data as production does, with a key that lives as long as the store.
            kluis = Kluis(s.views, AESGCM.generate_key(bit_length=256))
            task_queue = f"simulatie-{uuid.uuid4()}"
            executor = stapel.enter_context(ThreadPoolExecutor(max_workers=2))
            await stapel.enter_async_context(build_worker(self.env.client, s.store, task_queue, executor, sandboxed=self.sandboxed))
        except BaseException:
            await stapel.aclose()
            raise
        self._werkplaats, self._stapel = _Werkplaats(s=s, kluis=kluis, task_queue=task_queue), stapel
        return self

    async def __aexit__(self, soort: type[BaseException] | None, fout: BaseException | None, tb: TracebackType | None) -> None:
        stapel, self._stapel, self._werkplaats = self._stapel, None, None
        if stapel is not None:
            await stapel.aclose()

    async def run(self, scenario: Scenario) -> dict[str, Any]:
        if self._werkplaats is not None:
            return await self._run(scenario, self._werkplaats)
        async with self:
            assert self._werkplaats is not None
            return await self._run(scenario, self._werkplaats)

    def _regelset(self, beleid: str) -> Regelset:
        regelset = self._regelsets.get(beleid)
        if regelset is None:
            regelset = self._regelsets[beleid] = load_rules(beleid)
        return regelset

    async def _run(self, scenario: Scenario, w: _Werkplaats) -> dict[str, Any]:
        m = scenario.melding
        casus_id, regelset = str(uuid.uuid4()), self._regelset(scenario.beleid)
        verschuiving = m.ontvangen - await self._klok.gevraagd(self.env)
        melden = Melden(
            casus_id=casus_id, gemeente=m.gemeente, huishouden=m.huishouden, acuut=m.acuut, melder=m.melder,
            ontvangen=m.ontvangen, inhoud=m.inhoud, actor=Actor(partij=VEILIG_THUIS, medewerker="simulatie"),
        )  # fmt: skip
        melden = verzegel(melden, m.huishouden, w.kluis)
        handle = await self.env.client.start_workflow(
            CasusWorkflow.run,
            CasusStart(melding=melden, regelset=regelset, klok_verschuiving_s=verschuiving.total_seconds()),
            id=f"casus-{casus_id}",
            task_queue=w.task_queue,
        )
        verloop = _Verloop(scenario=scenario, casus_id=casus_id, regelset=regelset, verschuiving=verschuiving, handle=handle)
        try:
            await _gemeld(handle)
            for nummer, stap in enumerate(scenario.stappen, start=1):
                fout = await self._stap(w, verloop, nummer, stap)
                if fout is not None:
                    verloop.fouten.append(fout)
            await self._tot(w, verloop)
            if self.bewaar_geschiedenis:
                self.geschiedenissen.append(await handle.fetch_history())
        finally:
            # The test server skips no time while a task waits on a queue without a worker, and a
            # casus left running would keep firing its timers while the next scenarios move the clock.
            with contextlib.suppress(RPCError):  # a closed casus has completed already
                await handle.terminate("simulatie voorbij")
        return self._uitkomst(w, casus_id, tuple(verloop.fouten))

    async def _stap(self, w: _Werkplaats, verloop: _Verloop, nummer: int, stap: dict[str, Any]) -> Fout | None:
        actie = str(stap.get("actie"))
        if actie == "melding":
            return await self._vervolgmelding(w, verloop, nummer, stap)
        try:
            v = verzoek(stap)
        except ScenarioError as e:  # Scenario.load refuses these; a Scenario built in code may hold one
            return Fout(stap=nummer, actie=actie, regel="scenario", melding=str(e), veld=e.veld)
        if v.op is not None:
            await self._klok_naar(v.op, verloop.verschuiving)
        opdracht = verzegel(v.opdracht, verloop.scenario.melding.huishouden, w.kluis)
        try:
            await _binnen(
                voer_uit(verloop.handle, v.model_copy(update={"opdracht": opdracht}), None, lambda: w.s.store), f"step {nummer} ({actie})"
            )
        except Weigering as e:
            return Fout(stap=nummer, actie=actie, regel=e.regel, melding=e.melding, veld=e.veld)
        return None

    async def _vervolgmelding(self, w: _Werkplaats, verloop: _Verloop, nummer: int, stap: dict[str, Any]) -> Fout:
        """Another melding, checked as `casus melding` checks it: IJM-3.7c from the household read model."""
        try:
            m = vervolgmelding(stap)
        except ScenarioError as e:
            return Fout(stap=nummer, actie="melding", regel="scenario", melding=str(e), veld=e.veld)
        await self._klok_naar(m.op, verloop.verschuiving)
        eerste = verloop.scenario.melding
        melden = Melden(
            casus_id=str(uuid.uuid4()), gemeente=m.gemeente or eerste.gemeente, huishouden=m.huishouden or eerste.huishouden,
            acuut=m.acuut, melder=Melder(soort=m.melder_soort, anoniem=m.melder_anoniem), ontvangen=m.op, inhoud=m.inhoud,
            actor=Actor(partij=m.als, medewerker=m.medewerker), aparte_casus=m.aparte_casus,
        )  # fmt: skip
        w.bij()
        # The store may hold the casussen of other scenarios: this scenario knows only its own.
        open_ = [c for c in open_casussen(w.s.views, melden.huishouden) if c.casus_id == verloop.casus_id]
        try:
            een_open_casus(melden, open_, verloop.regelset)
        except Weigering as e:
            return Fout(stap=nummer, actie="melding", regel=e.regel, melding=e.melding, veld=e.veld)
        return Fout(stap=nummer, actie="melding", regel="scenario", melding=(
            f"this melding would start a casus of its own for household {melden.huishouden}; "
            "a scenario follows one casus: simulate that casus as a scenario of its own"))  # fmt: skip

    async def _klok_naar(self, moment: datetime, verschuiving: timedelta) -> None:
        """A step lands on its own instant, also when a deadline lapses at that very instant: the
        workflow never cancels a deadline timer (workflows/wekkers.py), so an update and a timer
        together cannot strand it, and the decider gives the same outcome in either order."""
        doel = moment - verschuiving
        wacht = doel - await self._klok.bereikt(self.env)
        if wacht > timedelta(0):
            await self.env.sleep(wacht)
            self._klok.verzet(doel)

    async def _tot(self, w: _Werkplaats, verloop: _Verloop) -> None:
        """Timers that fall before `tot` fire, with their effects; wait until the casus has them.
        Their effects are read from the store, not queried: the workflow's state is evolved from
        what it appended there, and a query would cost the worker a workflow task of its own."""
        tot = verloop.scenario.tot
        await self._klok_naar(tot - timedelta(seconds=1), verloop.verschuiving)

        async def verwerkt() -> None:
            while True:
                casus = herbouw(w.s.store.read(verloop.casus_id))
                volgende = casus.volgende_termijn() if casus else None
                if casus is not None and (volgende is None or volgende >= tot - timedelta(seconds=1)):
                    return
                await asyncio.sleep(0.01)

        await _binnen(verwerkt(), f"the deadlines before tot ({lokaal(tot)})")

    @staticmethod
    def _uitkomst(w: _Werkplaats, casus_id: str, fouten: tuple[Fout, ...]) -> dict[str, Any]:
        """Rebuilt from the event store and the projection, not from workflow memory."""
        gebeurtenissen = w.s.store.read(casus_id)
        casus = herbouw(gebeurtenissen)
        if casus is None:
            raise RuntimeError(f"casus {casus_id} left nothing in the event store")
        w.bij()
        resultaat = uitkomst(casus, fouten)
        # Which rules this run applied or refused by: what a scenario exercised (an extension).
        toegepast = {e.regel for e in gebeurtenissen} | {f.regel for f in fouten}
        resultaat["regels"] = sorted(r for r in toegepast if r[0].isupper())
        resultaat["verantwoordelijkheid"] = [
            {"partij": i.partij, "van": lokaal(i.van), "tot": lokaal(i.tot) if i.tot else None, "grond": i.grond}
            for i in tijdlijn(w.s.views, casus_id)
        ]
        return resultaat


def _in_geheugen() -> Path | None:
    """Where a simulation's throwaway store goes by default: a memory-backed folder where the system
    has one, on which SQLite's commit costs no disk flush (each append and each projection pass
    commits); else the system's temporary folder."""
    shm = Path("/dev/shm")  # noqa: S108 - only the parent of a private mkdtemp folder
    return shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


async def _binnen(werk: Coroutine[Any, Any, T], wat: str) -> T:
    """Never a run that waits for ever: past ANTWOORD_S the run stops, saying what it waited for."""
    try:
        return await asyncio.wait_for(werk, ANTWOORD_S)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):  # an update's wait, cancelled, raises the latter
        raise SimulatieVastgelopenError(f"the casus workflow did not finish {wat} within {ANTWOORD_S:.0f} s; stopped") from None


async def _gemeld(handle: WorkflowHandle[Any, Any]) -> None:
    """The melding as the workflow recorded it; one it refuses is the scenario's error (exit 1)."""
    try:
        await _binnen(gemeld(handle), "the melding")
    except Weigering as w:
        veld = f"melding.{w.veld}" if w.veld else "melding"
        raise ScenarioError(f"{veld}: refused under {w.regel}: {w.melding}", veld=veld) from None
