"""Attack (issue 11): the CLI's exit-3 message must be true. With the worker running and the event
store not answering (SQLite held by another writer past its busy timeout; the same for PostgreSQL
down), a worker did take the action: its append is being retried. The CLI says "no worker answered
... (start the stack with `make dev` or `casus dev`)", which is false and sends the operator to
start a second stack. Fails now; passes once the CLI tells a taken-but-unrecorded action (the
workflow's task or append running: `tests.faults.casussen.loopt_activiteit`) from no worker."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from temporalio.client import Client

from domain import gebeurtenissen as g
from eventstore.store import EventStore
from tests.faults.casussen import worker_en_voordeur
from tests.faults.onderdelen import TemporalServer

pytestmark = pytest.mark.storing


async def test_an_action_taken_by_a_worker_while_the_event_store_is_busy_is_not_told_as_no_worker(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    with worker_en_voordeur(server, tmp_path) as stapel:
        settings, deur = stapel.settings, stapel.deur
        r = await asyncio.to_thread(deur.casus, "melding", "--beleid", "ijmond-2024", "--gemeente", "velsen",
                                    "--huishouden", "HH-bezet", "--als", "veilig-thuis")  # fmt: skip
        assert r.returncode == 0, r.stderr
        casus_id = r.stdout.strip()
        # Another process holds the write lock longer than the busy timeout (a long `projecties herbouw`,
        # a backup, an operator's open transaction).
        slot = sqlite3.connect(settings.events_path, isolation_level=None, timeout=30)
        slot.execute("BEGIN IMMEDIATE")
        try:
            bezet = await asyncio.to_thread(deur.casus, "spoed-vastgesteld", casus_id, "--als", "veilig-thuis", wacht_s=8)
        finally:
            slot.execute("ROLLBACK")
            slot.close()
        assert bezet.returncode == 3, bezet.stderr
        assert "Traceback" not in bezet.stderr
        store = EventStore.open(settings)
        try:
            for _ in range(240):  # the worker that took it records it once the lock is free
                if any(isinstance(e, g.SpoedVastgesteld) for e in store.read(casus_id)):
                    break
                await asyncio.sleep(0.25)
            assert any(isinstance(e, g.SpoedVastgesteld) for e in store.read(casus_id)), "the worker never recorded the action"
        finally:
            store.close()
    assert "no worker answered" not in bezet.stderr, (
        f"a worker took the action (it was recorded once the lock was free), but the CLI said: {bezet.stderr.strip()}"
    )
