"""`casus projecties herbouw` while `casus dev` runs and 20 clients act (issue 15: it crashed with
"database is locked" and took the stack down). The rebuild builds new tables beside the live ones
and switches; the stack keeps running, every client's command succeeds, every acknowledged step is
stored once, and afterwards the read models hold exactly the rows an incremental runner makes from
the same log."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle, namen
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.e2e.conftest import Stack
from tests.e2e.test_soak import aan_het_werk, afgerond, zonder_verlies
from tests.faults.onderdelen import wacht_tot
from tests.integration.test_projecties import dump

CLIENTS = 20
SECONDEN = 25.0


@pytest.mark.soak
def test_a_rebuild_while_twenty_clients_act_disturbs_nothing(tmp_path: Path) -> None:
    stack = Stack(tmp_path / "stack", CASUS_WACHT_OP_WORKER_S="120")
    herbouwd: list[dict[str, object]] = []
    fouten: list[str] = []
    try:
        clients, draden = aan_het_werk(stack, CLIENTS, SECONDEN)
        tot = time.monotonic() + SECONDEN
        while time.monotonic() < tot - 3:  # rebuilds one after the other, for as long as the clients act
            time.sleep(2)
            r = stack.casus("projecties", "herbouw", "--json")
            if r.returncode != 0:
                fouten.append(f"exit {r.returncode}: {r.stderr[-600:]}")
            else:
                herbouwd.append(json.loads(r.stdout))
        figuren = afgerond(stack, clients, draden)
    finally:
        stack.proces.terminate()
        stack.proces.wait(timeout=60)
    zonder_verlies(stack, clients, figuren)
    assert not fouten, fouten
    assert len(herbouwd) >= 2 and all(h["klaar"] for h in herbouwd)
    posities = [int(str(h["positie"])) for h in herbouwd]
    assert posities == sorted(posities)
    assert figuren["erkend"] > CLIENTS
    assert not any("database is locked" in r for r in stack.uitvoer), "".join(r for r in stack.uitvoer if "locked" in r)[:2000]

    store = EventStore.open(Settings(state_dir=stack.state_dir, eventstore="sqlite"))
    vergelijk = EventStore.open(Settings(state_dir=tmp_path / "vergelijk", eventstore="sqlite"))
    try:
        views = open_views(store.infrastructure)
        wacht_tot(lambda: min(views.position(n) for n in namen()) >= store.head(), 60, 0.2)
        eigen = open_views(vergelijk.infrastructure)
        ProjectionRunner(store, eigen, alle(), batch=50).catch_up()
        assert dump(views) == dump(eigen)
    finally:
        store.close()
        vergelijk.close()
