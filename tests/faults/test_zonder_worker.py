"""The CLI when part of the stack is down: a service or worker that does not answer is exit 3 with
what is true of the request, never a traceback; a retry with the same --sleutel finds the same casus
and records an action once; a terminated workflow is named as such, with the way to restore it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client

from domain import gebeurtenissen as g
from eventstore.store import EventStore
from tests.faults.casussen import omgeving, sqlite_instellingen, start_worker, worker_en_voordeur
from tests.faults.onderdelen import TemporalServer, noteer
from tests.voordeur import Voordeur, voordeur

pytestmark = pytest.mark.storing

CASUS = str(Path(sys.executable).parent / "casus")


def casus(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CASUS, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def zonder_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stderr + r.stdout, r.stderr


async def test_a_melding_retried_with_its_key_while_no_worker_runs_is_one_casus(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    deur = Voordeur(omgeving(settings) | {"CASUS_WACHT_OP_WORKER_S": "60"}, tmp_path / "api")
    ontvangen = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0).isoformat()
    melding = ["melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", f"HH-{uuid.uuid4().hex[:6]}",
               "--ontvangen", ontvangen, "--als", "veilig-thuis", "--sleutel", "VT-2026-00017"]  # fmt: skip
    eerste = await asyncio.to_thread(deur.casus, *melding, wacht_s=3)
    tweede = await asyncio.to_thread(deur.casus, *melding, wacht_s=3)
    for r in (eerste, tweede):
        assert r.returncode == 3, r.stderr
        zonder_traceback(r)
        assert "is recorded once a worker runs; do not register it again" in r.stderr
    casus_id = eerste.stderr.split("accepted as casus ")[1].split()[0]
    assert f"casus {casus_id}" in tweede.stderr, "the retry found another casus"
    worker = start_worker(settings)
    try:
        derde = await asyncio.to_thread(deur.casus, *melding, wacht_s=60)
    finally:
        worker.stop()
        deur.stop()
    assert (derde.returncode, derde.stdout.strip()) == (0, casus_id), derde.stderr
    store = EventStore.open(settings)
    try:
        assert store.stream_ids() == [casus_id]
        assert sum(isinstance(e, g.MeldingOntvangen) for e in store.read(casus_id)) == 1
    finally:
        store.close()
    noteer("melding retried with its key while no worker ran", "exit 3 with the casus id, then one casus", pogingen=3)


async def test_an_action_without_a_worker_and_a_terminated_workflow_are_told_plainly(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    with worker_en_voordeur(server, tmp_path) as stapel:
        settings, env, worker, deur = stapel.settings, stapel.env, stapel.worker, stapel.deur
        r = await asyncio.to_thread(deur.casus, "melding", "--beleid", "gelderland-midden-2019", "--gemeente", "ede",
                                    "--huishouden", "HH-zw", "--als", "veilig-thuis")  # fmt: skip
        assert r.returncode == 0, r.stderr
        casus_id = r.stdout.strip()
        worker.stop()
        zonder = await asyncio.to_thread(deur.casus, "spoed-vastgesteld", casus_id, "--als", "veilig-thuis", wacht_s=3)
        assert zonder.returncode == 3, zonder.stderr
        zonder_traceback(zonder)
        sleutel = zonder.stderr.split("--sleutel ")[1].split("`")[0]
        worker.start()
        opnieuw = await asyncio.to_thread(
            deur.casus, "spoed-vastgesteld", casus_id, "--als", "veilig-thuis", "--sleutel", sleutel, "--json"
        )
        assert opnieuw.returncode == 0, opnieuw.stderr
        await client.get_workflow_handle(f"casus-{casus_id}").terminate("by hand, as from the UI")
        na = await asyncio.to_thread(deur.casus, "beoordeling-afronden", casus_id, "--als", "veilig-thuis", "--besluit", "onderzoek")
        assert na.returncode == 3, na.stderr
        zonder_traceback(na)
        assert "was terminated" in na.stderr and f"casus herstel {casus_id}" in na.stderr
        hersteld = await asyncio.to_thread(casus, env, "herstel", casus_id, "--json")
        assert json.loads(hersteld.stdout)["casussen"][0]["uitkomst"] == "hersteld", hersteld.stderr
        verder = await asyncio.to_thread(deur.casus, "beoordeling-afronden", casus_id, "--als", "veilig-thuis", "--besluit", "onderzoek")
        assert verder.returncode == 0, verder.stderr
    store = EventStore.open(settings)
    try:
        stream = store.read(casus_id)
    finally:
        store.close()
    assert sum(isinstance(e, g.SpoedVastgesteld) for e in stream) == 1, "the retried action was recorded twice"
    assert sum(isinstance(e, g.BeoordelingAfgerond) for e in stream) == 1
    noteer("action with no worker, retried with its key; workflow terminated", "exit 3 told plainly; recorded once; restored")


async def test_with_temporal_down_every_command_says_so_and_sends_nothing(server: TemporalServer, tmp_path: Path) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    server.stop()
    with voordeur(omgeving(settings), tmp_path / "api") as deur:
        r = await asyncio.to_thread(deur.casus, "melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "HH-x",
                                    "--als", "veilig-thuis")  # fmt: skip
        a = await asyncio.to_thread(deur.casus, "spoed-vastgesteld", str(uuid.uuid4()), "--als", "veilig-thuis")
    assert r.returncode == 3, r.stderr
    zonder_traceback(r)
    assert "nothing was sent" in r.stderr
    assert a.returncode == 3 and "nothing was sent" in a.stderr, a.stderr
    zonder_traceback(a)
