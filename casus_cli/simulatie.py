"""`casus simuleer`: a scenario through the real workflow, activity, event store and projection,
on the time-skipping test server, with a temporary SQLite store. The simulator drives the clock
itself: waiting on an update does not skip time on that server."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict, ValidationError
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from casus_cli.uitvoeren import voer_uit
from casus_cli.verzegelen import verzegel
from domain.evolueren import herbouw
from domain.gebeurtenissen import Melder
from domain.opdrachten import OPDRACHTEN, Melden, Tekst, Verzoek
from domain.partijen import VEILIG_THUIS, Actor, Identificatie
from domain.tijd import Moment, lokaal
from domain.toestand import Casus
from domain.uitkomst import Fout, uitkomst
from domain.weigering import Weigering
from eventstore.kluis import Kluis
from eventstore.store import EventStore
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import Verantwoordelijkheid, tijdlijn
from projections.views import open_views
from runtime.policies import load_rules
from runtime.settings import Settings
from runtime.temporal import binary, register_search_attributes
from worker import build_worker
from workflows.casus import CasusStart, CasusWorkflow


class ScenarioError(ValueError):
    """The scenario file itself cannot be run (as opposed to a refused step)."""


class ScenarioMelding(BaseModel):
    """The melding of a scenario, held to the limits of `Melden` so that the loader refuses what the
    workflow would (the field named, exit 1) instead of the run failing half-way."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ontvangen: Moment
    gemeente: Identificatie
    huishouden: Identificatie
    melder: Melder = Melder()
    acuut: bool = False
    inhoud: Tekst = ""


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    beleid: str
    melding: ScenarioMelding
    stappen: tuple[dict[str, Any], ...] = ()
    tot: Moment

    @classmethod
    def load(cls, path: Path) -> Scenario:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as e:
            raise ScenarioError(f"{path}: cannot be read as YAML: {e}") from e
        try:
            return cls.model_validate(data)
        except ValidationError as e:
            raise ScenarioError(f"{path}: {_velden(e)}") from e


def _velden(e: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'scenario'}: {err['msg']}" for err in e.errors())


def verzoek(stap: dict[str, Any]) -> Verzoek:
    """A scenario step as the workflow's update input; raises ScenarioError naming the field."""
    velden = dict(stap)
    op, als, actie = velden.pop("op", None), velden.pop("als", None), velden.pop("actie", None)
    if op is None:
        raise ScenarioError("op: a step needs the moment it takes effect, e.g. 2027-03-31T15:00:00+02:00")
    medewerker = velden.pop("medewerker", None)
    if actie not in OPDRACHTEN:
        raise ScenarioError(f"unknown action '{actie}'; accepted: {', '.join(sorted(OPDRACHTEN))}")
    if not isinstance(als, str):
        raise ScenarioError("als: the acting party is required (e.g. veilig-thuis, lokaal-team:<id>)")
    try:
        opdracht = OPDRACHTEN[actie].model_validate({"actie": actie, **velden})
        return Verzoek.model_validate({"opdracht": opdracht, "actor": {"partij": als, "medewerker": medewerker}, "op": op})
    except ValidationError as e:
        raise ScenarioError(_velden(e)) from e


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
            settings = Settings(state_dir=Path(tmp), eventstore="sqlite")
            store = EventStore.open(settings)
            try:
                return await self._run(scenario, store)
            finally:
                store.close()

    async def _run(self, scenario: Scenario, store: EventStore) -> dict[str, Any]:
        regelset = load_rules(scenario.beleid)
        casus_id = str(uuid.uuid4())
        task_queue = f"simulatie-{casus_id}"
        m = scenario.melding
        melden = Melden(
            casus_id=casus_id, gemeente=m.gemeente, huishouden=m.huishouden, acuut=m.acuut, melder=m.melder,
            ontvangen=m.ontvangen, inhoud=m.inhoud, actor=Actor(partij=VEILIG_THUIS, medewerker="simulatie"),
        )  # fmt: skip
        # The simulation seals personal data as production does, with a key that lives as long as the run.
        self._kluis = Kluis(open_views(store.infrastructure), AESGCM.generate_key(bit_length=256))
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
                    await handle.execute_update("gemeld", result_type=Casus)
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
        return self._uitkomst(store, casus_id, tuple(fouten))

    async def _stap(self, handle: WorkflowHandle[Any, Any], nummer: int, stap: dict[str, Any], verschuiving: timedelta) -> Fout | None:
        actie = str(stap.get("actie"))
        try:
            v = verzoek(stap)
        except ScenarioError as e:
            return Fout(stap=nummer, actie=actie, regel="scenario", melding=str(e))
        if v.op is not None:
            await self._klok_naar(v.op, verschuiving)
        try:
            await voer_uit(handle, v.model_copy(update={"opdracht": verzegel(v.opdracht, self._huishouden, self._kluis)}))
        except Weigering as w:
            return Fout(stap=nummer, actie=actie, regel=w.regel, melding=w.melding, veld=w.veld)
        return None

    async def _klok_naar(self, moment: datetime, verschuiving: timedelta) -> None:
        wacht = (moment - verschuiving) - await self.env.get_current_time()
        if wacht > timedelta(0):
            await self.env.sleep(wacht)

    async def _tot(self, handle: WorkflowHandle[Any, Any], tot: datetime, verschuiving: timedelta) -> None:
        """Timers that fall before `tot` fire, with their effects; wait until the casus has them."""
        await self._klok_naar(tot - timedelta(seconds=1), verschuiving)
        for _ in range(500):
            casus: Casus | None = await handle.query(CasusWorkflow.toestand)
            volgende = casus.volgende_termijn() if casus else None
            if casus is not None and (volgende is None or volgende >= tot - timedelta(seconds=1)):
                return
            await asyncio.sleep(0.01)
        raise TimeoutError("the casus did not process its deadlines before the end of the simulation")

    @staticmethod
    def _uitkomst(store: EventStore, casus_id: str, fouten: tuple[Fout, ...]) -> dict[str, Any]:
        """Rebuilt from the event store and the projection, not from workflow memory."""
        gebeurtenissen = store.read(casus_id)
        casus = herbouw(gebeurtenissen)
        if casus is None:
            raise RuntimeError(f"casus {casus_id} left nothing in the event store")
        views = open_views(store.infrastructure)
        ProjectionRunner(store, views, [Verantwoordelijkheid()]).catch_up()
        resultaat = uitkomst(casus, fouten)
        # Which rules this run applied or refused by: what a scenario exercised (an extension).
        toegepast = {e.regel for e in gebeurtenissen} | {f.regel for f in fouten}
        resultaat["regels"] = sorted(r for r in toegepast if r[0].isupper())
        resultaat["verantwoordelijkheid"] = [
            {"partij": i.partij, "van": lokaal(i.van), "tot": lokaal(i.tot) if i.tot else None, "grond": i.grond}
            for i in tijdlijn(views, casus_id)
        ]
        return resultaat
