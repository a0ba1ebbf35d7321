"""Faults production brings, on real parts: a worker killed with -9 in the middle of an append, the
Temporal server stopped and restarted while casussen wait on timers, PostgreSQL cut off during an
append. After each, every casus goes on and every event is stored exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client

from domain import gebeurtenissen as g
from domain.draaiboek import verzoek
from domain.toestand import Casus
from eventstore.store import EventStore
from runtime.settings import Settings
from tests.faults.casussen import loopt_activiteit, meld, precies_eenmaal, sqlite_instellingen, start_worker
from tests.faults.onderdelen import Proxy, TemporalServer, noteer, wacht_tot
from workflows.casus import Resultaat

pytestmark = pytest.mark.storing


async def test_a_worker_killed_during_an_append_leaves_each_event_stored_once(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    eerste = start_worker(settings)
    ontvangen = datetime.now(UTC).replace(microsecond=0) - timedelta(days=220)
    handle = await meld(client, settings, "gelderland-midden-2019", "ede", ontvangen)
    slot = sqlite3.connect(settings.events_path, timeout=1, isolation_level=None)
    slot.execute("BEGIN EXCLUSIVE")  # the next append blocks inside its activity
    besluit = verzoek("beoordeling-afronden", "veilig-thuis", ontvangen + timedelta(days=1), besluit="direct-overdracht", team="ede")
    actie = asyncio.create_task(handle.execute_update("actie", besluit, result_type=Resultaat))
    for _ in range(400):
        if gestart := await loopt_activiteit(handle):
            break
        await asyncio.sleep(0.025)
    assert gestart, "the append never started; nothing was killed in the middle of it"
    await asyncio.sleep(1)  # well inside the append, which waits on the lock for up to 10 s
    eerste.kill()
    slot.execute("ROLLBACK")
    slot.close()
    tweede = start_worker(settings)
    try:
        await asyncio.wait_for(actie, 90)
        for stap in (
            verzoek("contact-gelegd", "lokaal-team:ede", ontvangen + timedelta(days=3)),
            verzoek(
                "stabiele-veiligheid",
                "lokaal-team:ede",
                ontvangen + timedelta(days=190),
                risicofactoren_aangepakt=True,
                herstel_gestart=True,
            ),
            verzoek("afsluiten", "lokaal-team:ede", None, reden="veiligheid stabiel"),
        ):
            await asyncio.wait_for(handle.execute_update("actie", stap, result_type=Resultaat), 60)
        casus: Casus = await asyncio.wait_for(handle.result(), 60)
    finally:
        tweede.stop()
    store = EventStore.open(settings)
    try:
        gebeurtenissen = precies_eenmaal(store, casus.casus_id, casus.versie)
    finally:
        store.close()
    assert casus.fase == "afgesloten" and isinstance(gebeurtenissen[-1], g.CasusAfgesloten)
    noteer("worker kill -9 during an append", "the casus completed; every event stored once", gebeurtenissen=len(gebeurtenissen))


async def test_timers_fire_after_the_temporal_server_was_stopped_and_restarted(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    worker = start_worker(settings)
    # Acute meldingen whose 72-hour crisis term (IJM-3.1b) ends a few seconds from now.
    bijna = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=72) + timedelta(seconds=8)
    handles = [await meld(client, settings, "ijmond-2024", "velsen", bijna + timedelta(seconds=i), acuut=True) for i in range(3)]
    worker.stop()
    server.stop()
    await asyncio.sleep(max(0.0, (bijna + timedelta(seconds=12) - datetime.now(UTC)).total_seconds()))
    server.start()
    worker.start()
    store = EventStore.open(settings)
    try:
        casus_ids = [h.id.removeprefix("casus-") for h in handles]

        def verstreken() -> bool:
            return all(any(isinstance(e, g.TermijnVerstreken) for e in store.read(c)) for c in casus_ids)

        wacht_tot(verstreken, 90)
        for c in casus_ids:
            crisis = next(e for e in store.read(c) if isinstance(e, g.TermijnVerstreken))
            assert crisis.regel == "IJM-3.1b" and crisis.vastgelegd >= crisis.op
            precies_eenmaal(store, c, store.version(c))
    finally:
        store.close()
        worker.stop()
    noteer("Temporal dev server stopped and restarted while timers wait", "every timer fired after the restart", casussen=len(handles))


async def test_an_append_retries_while_postgresql_is_cut_off(server: TemporalServer, client: Client, postgres_settings: Settings) -> None:
    proxy = Proxy((postgres_settings.postgres_host, postgres_settings.postgres_port))
    settings = postgres_settings.model_copy(
        update={"postgres_port": proxy.poort, "task_queue": f"storing-{uuid.uuid4()}", "temporal_address": server.adres}
    )
    worker = start_worker(settings)
    try:
        ontvangen = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        handle = await meld(client, settings, "gelderland-midden-2019", "ede", ontvangen)
        proxy.knip()
        besluit = verzoek("beoordeling-afronden", "veilig-thuis", ontvangen + timedelta(days=1), besluit="onderzoek")
        actie = asyncio.create_task(handle.execute_update("actie", besluit, result_type=Resultaat))
        await asyncio.sleep(4)
        assert not actie.done(), "the append did not wait for the database"
        proxy.herstel()
        resultaat = await asyncio.wait_for(actie, 90)
    finally:
        worker.stop()
        proxy.sluit()
    store = EventStore.open(postgres_settings)
    try:
        precies_eenmaal(store, resultaat.casus.casus_id, resultaat.versie)
    finally:
        store.close()
    noteer("PostgreSQL cut off during an append", "the append retried and stored every event once", versie=resultaat.versie)
