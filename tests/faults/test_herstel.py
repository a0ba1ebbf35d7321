"""The event store is the system of record: with open casussen (100 in `make faults`), the Temporal dev server's
database is deleted; `casus herstel --alle` starts every casus again from its stream, with the same
outcome as before, and their timers fire as they would have."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain import gebeurtenissen as g
from domain.evolueren import herbouw
from domain.uitkomst import uitkomst
from eventstore.store import EventStore
from tests.faults.casussen import (
    bij_de_stream,
    meld,
    niets_verloren,
    omgeving,
    precies_eenmaal,
    sqlite_instellingen,
    start_worker,
    telling,
    verbind,
)
from tests.faults.onderdelen import TemporalServer, noteer, wacht_tot
from workflows.casus import CasusWorkflow

pytestmark = pytest.mark.storing

# `make faults` restores 100 (HERSTEL_AANTAL); `make test` fewer, to keep the suite short.
AANTAL = int(os.environ.get("HERSTEL_AANTAL", "20"))
CASUS = str(Path(sys.executable).parent / "casus")


def herstel_alle(env: dict[str, str]) -> dict[str, str]:
    klaar = subprocess.run([CASUS, "herstel", "--alle", "--json"], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert klaar.returncode == 0, klaar.stderr
    return {c["casus_id"]: c["uitkomst"] for c in json.loads(klaar.stdout)["casussen"]}


async def test_every_open_casus_is_restored_from_its_stream_after_temporal_lost_them_all(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    worker = start_worker(settings)
    # Acute IJmond meldingen whose crisis term (IJM-3.1b, 72 hours) ends after the restore.
    ontvangen = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=72) + timedelta(seconds=25 + AANTAL // 2)
    try:
        handles = [await meld(client, settings, "ijmond-2024", "velsen", ontvangen, acuut=True) for _ in range(AANTAL)]
        toestanden = {h: await h.query(CasusWorkflow.toestand) for h in handles}
        voor = {h.id: uitkomst(c) for h, c in toestanden.items()}
        erkend = {h: c.versie for h, c in toestanden.items()}
        worker.stop()
        server.stop()
        wis_temporal(tmp_path)
        server.start()
        client = await verbind(server)
        with pytest.raises(RPCError) as kwijt:
            await handles[0].describe()
        assert kwijt.value.status == RPCStatusCode.NOT_FOUND, "the server still knew the casus"
        worker.start()
        uitkomsten = await asyncio.to_thread(herstel_alle, omgeving(settings))
        assert sorted(uitkomsten.values()) == ["hersteld"] * AANTAL
        handles = [client.get_workflow_handle(h.id) for h in handles]
        assert {h.id: uitkomst(await h.query(CasusWorkflow.toestand)) for h in handles} == voor
        store = EventStore.open(settings)
        try:
            ids = [h.id.removeprefix("casus-") for h in handles]
            await asyncio.to_thread(wacht_tot, lambda: all(crisis_voorbij(store, c) for c in ids), 150)
            versies = {}
            for h, cid in zip(handles, ids, strict=True):
                casus = await bij_de_stream(h, store, cid)
                gebeurtenissen = precies_eenmaal(store, cid, casus.versie)
                assert uitkomst(casus) == uitkomst(herbouw(gebeurtenissen))
                versies[cid] = casus.versie
            uitslag = telling(store, versies, {h.id.removeprefix("casus-"): v for h, v in erkend.items()})
            niets_verloren(uitslag)
        finally:
            store.close()
        assert sorted(await asyncio.to_thread(lambda: list(herstel_alle(omgeving(settings)).values()))) == ["loopt"] * AANTAL
    finally:
        worker.stop()
    noteer(
        "Temporal dev server database deleted with open casussen",
        "casus herstel --alle restored every one with the same outcome; every timer fired after it",
        **uitslag,
    )


def wis_temporal(state: Path) -> None:
    for bestand in state.glob("temporal.db*"):
        bestand.unlink()


def crisis_voorbij(store: EventStore, casus_id: str) -> bool:
    return any(isinstance(e, g.TermijnVerstreken) and e.regel == "IJM-3.1b" for e in store.read(casus_id))
