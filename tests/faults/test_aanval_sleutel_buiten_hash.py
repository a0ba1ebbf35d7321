"""Attack (issue 11, the insider): a decision's key is stored in the envelope outside the hash, yet
it decides what the workflow does. An insider with UPDATE rights relabels the key of the stream's
last event as the tick of the casus's next deadline (`tik:<versie>:<instant>`, both readable from
the stream). `casus verifieer` still calls the chain intact; after `casus herstel` the restored
workflow finds that key "already stored" when the deadline comes, appends nothing, and loops on
the same due deadline: the workflow task never completes (the deadlock detector fails it, again
and again), so the deadline is never enforced. Fails now; passes once the key is covered by the
hash (or a due tick that appends nothing cannot return without the stream moving)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import uuid
from datetime import timedelta

import pytest
from temporalio.service import RPCError

from domain import gebeurtenissen as g
from domain.stap import Regelset
from eventstore.keten import verpak
from service.herstel import herstel_casus
from tests.workflows import conftest as tijdsprong
from tests.workflows.conftest import Casusbank
from tests.workflows.test_casus_workflow import toestand

pytestmark = pytest.mark.storing

# The time-skipping server and a worker with its own SQLite store (tests/workflows/conftest.py).
env = tijdsprong.env
bank = tijdsprong.bank


async def test_a_relabelled_key_does_not_stop_a_deadline(bank: Casusbank, ijmond: Regelset, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Received at the server's own moment: `casus herstel` starts the workflow on the real clock.
    nu = (await bank.env.get_current_time()).replace(microsecond=0)
    handle = await bank.meld(ijmond, nu, "velsen")
    casus = await toestand(handle)
    await handle.terminate("operator")
    termijn = casus.volgende_termijn()
    assert termijn is not None

    pad = bank.store.recorder.datastore.pool.db_name  # type: ignore[attr-defined]
    rij = bank.store.recorder.select_events(uuid.UUID(casus.casus_id), desc=True, limit=1)[0]
    oud = json.loads(rij.state)
    nieuw, _ = verpak(oud["vorige"], casus.casus_id, rij.originator_version, rij.topic, oud["gebeurtenis"],
                      f"tik:{casus.versie}:{termijn.isoformat()}")  # fmt: skip
    with sqlite3.connect(pad) as db:  # the insider's UPDATE, past the application
        db.execute("UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                   (nieuw, uuid.UUID(casus.casus_id).hex, rij.originator_version))  # fmt: skip
    if bank.store.verify(casus.casus_id):
        return  # the chain covers the key: the relabelling is reported (fixed one way)

    uitkomst = await herstel_casus(bank.env.client, bank.store, casus.casus_id, bank.task_queue)
    assert uitkomst.uitkomst == "hersteld", uitkomst
    bank.gestart.append(bank.env.client.get_workflow_handle(handle.id))
    # The test server cannot skip past a workflow task that keeps failing; what was stored tells.
    with contextlib.suppress(RPCError):
        await bank.klok_naar(termijn + timedelta(minutes=1))
    for _ in range(60):
        if any(isinstance(e, g.TermijnVerstreken) for e in bank.store.read(casus.casus_id)):
            return
        await asyncio.sleep(0.25)
    pytest.fail(
        f"the deadline {termijn} never lapsed: the restored workflow took the relabelled key for its tick, appended "
        "nothing and looped on the due deadline (the SDK reports a potential deadlock on every retry of the task)"
    )
