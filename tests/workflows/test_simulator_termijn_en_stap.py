"""Issue 12: `casus simuleer` hung in about half the runs when a step fell on the instant a deadline
lapsed. The cause: an action that ends the workflow's wait cancelled the deadline timer
(`wait_condition(..., timeout=...)`); when that timer had fired while the action's workflow task was
with the worker, the time-skipping test server refused the completion ("invalid history builder
state for action") and never sent the task again. The workflow now never cancels a deadline timer
(workflows/wekkers.py, behind `workflow.patched`). A real server clears the fired timer instead, so
the old wait was no production bug: shown here on a dev server, with the action's task held open
while its timer fires."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.eventstore import EventStoreActivities, Toegevoegd, Toevoegen
from domain.draaiboek import t, verzoek
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.toestand import Casus
from eventstore.store import EventStore
from runtime.policies import load_rules
from runtime.settings import Settings
from service import simulatie
from service.simulatie import Scenario, Simulator, omgeving
from tests.faults.casussen import verbind
from tests.faults.onderdelen import TemporalServer
from workflows.casus import PATCH_WEKKERS, CasusStart, CasusWorkflow, Resultaat

ONTVANGEN = t("2027-03-01T10:00:00+01:00")  # a Monday: working day 5 is Monday 8 March
TERMIJN = t("2027-03-09T00:00:00+01:00")  # veiligheidsbeoordeling and verantwoordelijkheid-vt lapse
BESLUIT_OP = TERMIJN - timedelta(seconds=1)  # 23:59:59 of working day 5
# On the real server the action is sent 1.8 s before the deadline (at 23:59:58.2), leaving it room to
# be accepted before the deadline on a loaded machine (sent 0.8 s before, a CI run under load had
# most actions accepted after their timer had fired).
BESLUIT_ECHT = TERMIJN - timedelta(seconds=2)
# Long enough that the deadline timer fires while the action's task is open.
APPEND_VERTRAGING_S = 3.0

# The scenario: a besluit at 23:59:59 of working day 5, the contact at 00:00 of day 15.
SCENARIO = {
    "beleid": "ijmond-2024",
    "melding": {"ontvangen": ONTVANGEN, "gemeente": "velsen", "huishouden": "HH-1200", "inhoud": "termijn en stap"},
    "stappen": [
        {"op": BESLUIT_OP, "als": "veilig-thuis", "actie": "beoordeling-afronden", "besluit": "direct-overdracht", "team": "socius-md"},
        {"op": t("2027-03-09T10:00:00+01:00"), "als": "lokaal-team:socius-md", "actie": "overdracht-accepteren"},
        # Accepted on 9 March: the 14 days of contact-gezin end at 00:00 of 24 March (T-3b).
        {"op": t("2027-03-24T00:00:00+01:00"), "als": "lokaal-team:socius-md", "actie": "contact-gelegd"},
    ],
    "tot": t("2027-04-01T00:00:00+02:00"),
}


async def test_a_step_at_the_instant_a_deadline_lapses_runs_to_the_end_30_times_with_one_outcome(
    env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulatie, "ANTWOORD_S", 20.0)  # a stranded run fails the test, it does not hang it
    simulator = Simulator(env, store_dir=tmp_path)
    scenario = Scenario.model_validate(SCENARIO)
    uitkomsten = [await simulator.run(scenario) for _ in range(30)]
    kern = {repr({k: u[k] for k in ("verantwoordelijkheid", "termijnen", "fouten", "status")}) for u in uitkomsten}
    assert len(kern) == 1
    termijnen = {d["soort"]: (d["status"], d.get("voldaan_op")) for d in uitkomsten[0]["termijnen"]}
    assert termijnen == {
        "veiligheidsbeoordeling": ("voldaan", "2027-03-08T23:59:59+01:00"),
        "verantwoordelijkheid-vt": ("voldaan", "2027-03-08T23:59:59+01:00"),
        # 00:00 of 24 March is the instant the term lapses (CONTRACT.md: `uiterlijk`): met then, it is late.
        "contact-gezin": ("te-laat", "2027-03-24T00:00:00+01:00"),
    }
    assert uitkomsten[0]["fouten"] == []


async def test_a_history_with_timers_left_running_replays_and_carries_the_patch_marker(env: WorkflowEnvironment, tmp_path: Path) -> None:
    simulator = Simulator(env, store_dir=tmp_path, bewaar_geschiedenis=True)
    await simulator.run(Scenario.model_validate(SCENARIO))
    (geschiedenis,) = simulator.geschiedenissen
    markeringen = [e.marker_recorded_event_attributes for e in geschiedenis.events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
    assert any(PATCH_WEKKERS.encode() in m.details["patch-data"].payloads[0].data for m in markeringen if "patch-data" in m.details)
    replayer = Replayer(workflows=[CasusWorkflow], data_converter=pydantic_data_converter)
    resultaat = await replayer.replay_workflow(geschiedenis, raise_on_replay_failure=False)
    assert resultaat.replay_failure is None, resultaat.replay_failure


@workflow.defn(name="Casus", sandboxed=False)
class MetAnnulering(CasusWorkflow):
    """The wait as it was before `PATCH_WEKKERS`: an action that ends it cancels the deadline timer."""

    @workflow.run
    async def run(self, start: CasusStart) -> Casus:
        return await super().run(start)

    async def _wacht_op_termijn_of_actie(self, termijn: datetime | None) -> None:
        if termijn is not None and termijn <= self._nu():
            await self._besluit(f"tik:{self._huidig().versie}:{termijn.isoformat()}", self._tik)
            return
        self._gewijzigd = False
        timeout = None if termijn is None else termijn - self._nu()
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(lambda: self._gewijzigd, timeout=timeout)


@contextlib.asynccontextmanager
async def trage_worker(client: Client, store: EventStore, workflow_cls: type, task_queue: str) -> AsyncIterator[None]:
    """A worker whose append of an action takes APPEND_VERTRAGING_S: the action's workflow task stays
    with the worker while the deadline timer one second later fires."""
    echt = EventStoreActivities(store)

    @activity.defn(name="voeg_toe")
    def voeg_toe(invoer: Toevoegen) -> Toegevoegd:
        if invoer.sleutel and invoer.sleutel.startswith("actie:"):
            time.sleep(APPEND_VERTRAGING_S)
        return echt.voeg_toe(invoer)

    with ThreadPoolExecutor(max_workers=64) as executor:
        async with Worker(client, task_queue=task_queue, workflows=[workflow_cls], activities=[voeg_toe], activity_executor=executor):
            yield


async def start(client: Client, task_queue: str, verschuiving: timedelta) -> WorkflowHandle[Any, Any]:
    casus_id = str(uuid.uuid4())
    melden = Melden(casus_id=casus_id, gemeente="velsen", huishouden=f"HH-{casus_id[:8]}", ontvangen=ONTVANGEN, melder=Melder(),
                    actor=Actor(partij="veilig-thuis", medewerker="proef"))  # fmt: skip
    invoer = CasusStart(melding=melden, regelset=load_rules("ijmond-2024"), klok_verschuiving_s=verschuiving.total_seconds())
    handle = await client.start_workflow(CasusWorkflow.run, invoer, id=f"casus-{casus_id}", task_queue=task_queue)
    await handle.execute_update("gemeld", result_type=Casus)
    return handle


async def besluit(handle: WorkflowHandle[Any, Any], seconden: float, op: datetime = BESLUIT_OP) -> Resultaat:
    v = verzoek("beoordeling-afronden", "veilig-thuis", op, besluit="onderzoek")
    resultaat: Resultaat = await asyncio.wait_for(handle.execute_update("actie", v, result_type=Resultaat), seconden)
    return resultaat


async def timer_viel_tijdens_de_actie(handle: WorkflowHandle[Any, Any]) -> bool:
    """Whether the deadline timer went off after the action was accepted: fired then, or cancelled
    by the action after its due time (the real server drops a fired timer that the task cancels)."""
    events = (await handle.fetch_history()).events
    geaccepteerd = next(
        e.event_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name == "actie"
    )
    gestart = {e.timer_started_event_attributes.timer_id: e for e in events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED}
    for e in events:
        if e.event_id < geaccepteerd:
            continue
        if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            return True
        if e.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            s = gestart[e.timer_canceled_event_attributes.timer_id]
            verloopt = s.event_time.ToDatetime() + s.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            if e.event_time.ToDatetime() >= verloopt:
                return True
    return False


async def rustig(handle: WorkflowHandle[Any, Any]) -> None:
    """Until no workflow task is outstanding: a run terminated with one scheduled can keep the
    time-skipping server from skipping for the tests after it."""
    open_taken = {
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: 1,
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: -1,
        EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: -1,
        EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: -1,
    }
    for _ in range(500):
        if sum(open_taken.get(e.event_type, 0) for e in (await handle.fetch_history()).events) == 0:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the workflow did not settle")


@pytest.fixture
async def test_store(tmp_path: Path) -> AsyncIterator[EventStore]:
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    yield store
    store.close()


async def klok_naar_besluit(env: WorkflowEnvironment, verschuiving: timedelta) -> None:
    await env.sleep((BESLUIT_OP - verschuiving) - await env.get_current_time())


async def test_an_action_whose_task_is_open_as_its_deadline_timer_fires_completes_on_the_time_skipping_server(
    env: WorkflowEnvironment, test_store: EventStore
) -> None:
    task_queue = f"wekker-{uuid.uuid4()}"
    async with trage_worker(env.client, test_store, CasusWorkflow, task_queue):
        verschuiving = ONTVANGEN - await env.get_current_time()
        handle = await start(env.client, task_queue, verschuiving)
        try:
            await klok_naar_besluit(env, verschuiving)
            resultaat = await besluit(handle, 30)
            assert resultaat.casus.houder == "veilig-thuis"
            assert await timer_viel_tijdens_de_actie(handle)
            await rustig(handle)
        finally:
            await handle.terminate("proef voorbij")


async def test_the_old_wait_strands_that_task_on_the_time_skipping_server(test_store: EventStore) -> None:
    """The cause, shown: the same action with the wait as it was never completes on this server
    (temporalio/sdk-java#3088); the worker logs "invalid history builder state for action". On a
    server of its own: the stranded task would keep the shared one from skipping time."""
    task_queue = f"wekker-oud-{uuid.uuid4()}"
    async with omgeving() as env, trage_worker(env.client, test_store, MetAnnulering, task_queue):
        verschuiving = ONTVANGEN - await env.get_current_time()
        handle = await start(env.client, task_queue, verschuiving)
        try:
            await klok_naar_besluit(env, verschuiving)
            # The client turns the cancelled wait into its own timeout error.
            with pytest.raises((TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError)):
                await besluit(handle, APPEND_VERTRAGING_S + 4)
        finally:
            with contextlib.suppress(RPCError):
                await handle.terminate("proef voorbij")


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemporalServer]:
    server = TemporalServer(tmp_path_factory.mktemp("temporal"))
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("workflow_cls", [CasusWorkflow, MetAnnulering], ids=["timers-blijven", "timers-geannuleerd"])
async def test_on_a_real_server_30_actions_arriving_as_their_deadline_timer_fires_all_complete(
    dev_server: TemporalServer, test_store: EventStore, workflow_cls: type
) -> None:
    """Production: the dev server (the real server's code) takes an action whose task is open as
    the timer fires, with the old wait (the timer cancelled after it fired) as with the new."""
    client = await verbind(dev_server)
    task_queue = f"wekker-echt-{uuid.uuid4()}"
    async with trage_worker(client, test_store, workflow_cls, task_queue):
        te_laat: list[float] = []

        async def een() -> tuple[Resultaat, bool]:
            # The workflow's clock reaches the deadline 15 s from now: room for 30 meldingen started at
            # once on a loaded machine (with 6 s, starts under load left some actions sent after their
            # timer had fired); the action is sent at 23:59:58.2.
            verschuiving = (TERMIJN - timedelta(seconds=15)) - datetime.now().astimezone()
            handle = await start(client, task_queue, verschuiving)
            wacht = ((BESLUIT_ECHT - verschuiving) - datetime.now().astimezone()).total_seconds() + 0.2
            if wacht < 0:
                te_laat.append(-wacht)
            await asyncio.sleep(max(0.0, wacht))
            resultaat = await besluit(handle, 60, BESLUIT_ECHT)
            return resultaat, await timer_viel_tijdens_de_actie(handle)

        uitkomsten = await asyncio.gather(*(een() for _ in range(30)))
    assert all(r.casus.houder == "veilig-thuis" for r, _ in uitkomsten)
    assert all(r.casus.volgende_termijn() != TERMIJN for r, _ in uitkomsten)
    assert sum(geraakt for _, geraakt in uitkomsten) >= 25, f"the timer should fire while most actions are open (late starts: {te_laat})"
