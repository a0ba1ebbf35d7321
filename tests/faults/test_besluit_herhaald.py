"""A worker killed after its append committed and before the workflow task that made it completed
(the commit point of every decision: the melding, an action, a deadline's tick). The retried task
decides again at another moment and so builds other bytes; the decision's key finds the events as
stored, and the workflow goes on from those: the action is reported done, the workflow is at the
stream's version, the next deadline fires, and the chain verifies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.client import Client

from domain import gebeurtenissen as g
from domain.draaiboek import t, verzoek
from domain.toestand import Casus
from eventstore.store import EventStore
from tests.faults.casussen import bij_de_stream, niets_verloren, precies_eenmaal, sqlite_instellingen, start_casus, start_worker, telling
from tests.faults.onderdelen import TemporalServer, noteer, wacht_tot
from workflows.casus import Resultaat

pytestmark = pytest.mark.storing

# An IJmond melding on a Monday: the veiligheidsbeoordeling (IJM-3.3.1a) and the sixth working day
# (IJM-3.1d) both fall at 00:00 on the Tuesday a week later. The casus's clock is set to just before.
ONTVANGEN = t("2026-11-02T10:00:00+01:00")
ZESDE_WERKDAG = t("2026-11-10T00:00:00+01:00")
VOORSPRONG_S = 20


@pytest.mark.parametrize("punt", ["melding:", "actie:", "tik:"])
async def test_a_worker_killed_after_the_commit_of_a_decision_leaves_the_casus_going(
    server: TemporalServer, client: Client, tmp_path: Path, punt: str
) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    merk = tmp_path / "storingspunt-geraakt"
    eerste = start_worker(settings, CASUS_STORINGSPUNT=f"na-append:{punt}", CASUS_STORINGSPUNT_MERK=str(merk))
    verschuiving = (ZESDE_WERKDAG - datetime.now(UTC)).total_seconds() - VOORSPRONG_S
    handle = await start_casus(client, settings, "ijmond-2024", "velsen", ONTVANGEN, verschuiving_s=verschuiving)
    tweede = None
    try:
        if punt == "melding:":
            await asyncio.to_thread(wacht_tot, merk.exists, 60)
            tweede = start_worker(settings)
        await asyncio.wait_for(handle.execute_update("gemeld", result_type=Casus), 60)
        if punt != "tik:":
            spoed = asyncio.create_task(handle.execute_update("actie", verzoek("spoed-vastgesteld", "veilig-thuis"), result_type=Resultaat))
            if punt == "actie:":
                await asyncio.to_thread(wacht_tot, merk.exists, 60)
                tweede = start_worker(settings)
            resultaat = await asyncio.wait_for(spoed, 60)
            assert "SpoedVastgesteld" in resultaat.gebeurtenissen, "the action is reported as done"
        else:
            await asyncio.to_thread(wacht_tot, merk.exists, 60)
            tweede = start_worker(settings)
        assert merk.exists(), "the worker was never killed at the commit point"
        store = EventStore.open(settings)
        try:
            cid = handle.id.removeprefix("casus-")
            await asyncio.to_thread(wacht_tot, lambda: verstreken(store, cid, "IJM-3.3.1a"), 60)
            casus = await bij_de_stream(handle, store, cid)
            assert casus.versie == store.version(cid), "the workflow believes what the stream holds"
            uitslag = telling(store, {cid: casus.versie}, {cid: casus.versie})
            niets_verloren(uitslag)
            gebeurtenissen = precies_eenmaal(store, cid, casus.versie)
            if punt == "tik:":
                # After the tick the casus still takes actions: it is not behind its stream.
                na = await asyncio.wait_for(
                    handle.execute_update("actie", verzoek("spoed-vastgesteld", "veilig-thuis"), result_type=Resultaat), 60
                )
                assert na.versie == store.version(cid)
                gebeurtenissen = precies_eenmaal(store, cid, na.versie)
        finally:
            store.close()
    finally:
        eerste.kill()
        if tweede is not None:
            tweede.stop()
    assert sum(isinstance(e, g.SpoedVastgesteld) for e in gebeurtenissen) == 1
    assert sum(isinstance(e, g.TermijnVerstreken) and e.regel == "IJM-3.3.1a" for e in gebeurtenissen) == 1
    noteer(
        f"worker killed after the commit of a decision ({punt.rstrip(':')})",
        "reported done, at the stream's version, the next deadline fired, every event once",
        **uitslag,
    )


def verstreken(store: EventStore, casus_id: str, regel: str) -> bool:
    return any(isinstance(e, g.TermijnVerstreken) and e.regel == regel for e in store.read(casus_id))
