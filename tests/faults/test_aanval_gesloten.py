"""Attack (issue 11, "exit 3 with a true message"): an action on a CLOSED casus while no worker
runs. The update is refused by the server (the workflow completed); `voer_uit` then asks the
closed workflow for its state with a query, which only a worker can answer, so the CLI waits out
CASUS_WACHT_OP_WORKER_S and says "no worker answered ...; the action may still be recorded once a
worker runs ... repeat the command with --sleutel". That is false: the casus is closed and the
action will never be recorded. A completed workflow's result (its final Casus) is read from the
history without a worker. Fails now; passes once the closed casus is told from `handle.result()`
(exit 1, the closing rule), or at least the message no longer promises a recording."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client

from domain.draaiboek import t
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.stap import Regelset
from tests.faults.casussen import omgeving, sqlite_instellingen, start_worker
from tests.faults.onderdelen import TemporalServer
from tests.faults.test_zonder_worker import casus as cli
from tests.unit.test_overdracht import ACCEPTATIE, aangeboden
from workflows.casus import CasusStart, CasusWorkflow

pytestmark = pytest.mark.storing


async def test_an_action_on_a_closed_casus_without_a_worker_is_not_promised_a_recording(
    server: TemporalServer, client: Client, tmp_path: Path, ijmond: Regelset
) -> None:
    d = aangeboden(ijmond)
    d.doe(ACCEPTATIE, "overdracht-accepteren", "lokaal-team:socius-md")
    d.doe("2027-04-10T09:00:00+02:00", "contact-gelegd", "lokaal-team:socius-md")
    d.doe("2027-09-27T10:00:00+02:00", "stabiele-veiligheid", "lokaal-team:socius-md",
          risicofactoren_aangepakt=True, herstel_gestart=True)  # fmt: skip
    d.doe("2027-09-28T10:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="veiligheid stabiel")
    gesloten = d.casus
    assert gesloten.fase == "afgesloten"
    melden = Melden(
        casus_id=gesloten.casus_id, gemeente=gesloten.gemeente, huishouden=gesloten.huishouden,
        ontvangen=t("2027-03-25T10:00:00+01:00"), melder=Melder(), actor=Actor(partij="veilig-thuis", medewerker="t"),
    )  # fmt: skip
    settings = sqlite_instellingen(server, tmp_path)
    worker = start_worker(settings)
    try:
        handle = await client.start_workflow(CasusWorkflow.run, CasusStart(melding=melden, regelset=ijmond, casus=gesloten),
                                             id=f"casus-{gesloten.casus_id}", task_queue=settings.task_queue)  # fmt: skip
        await asyncio.wait_for(handle.result(), 60)  # the closed casus's workflow completes
    finally:
        worker.stop()

    env = omgeving(settings) | {"CASUS_WACHT_OP_WORKER_S": "5"}
    r = await asyncio.to_thread(cli, env, "incident", gesloten.casus_id, "--als", "lokaal-team:socius-md",
                                "--omschrijving", "ruzie", "--sleutel", str(uuid.uuid4()))  # fmt: skip
    assert "Traceback" not in r.stderr
    assert "may still be recorded" not in r.stderr, f"exit {r.returncode}: {r.stderr.strip()}"
