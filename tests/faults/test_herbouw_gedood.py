"""`casus projecties herbouw` killed with SIGKILL at each of its commit points, on SQLite and
PostgreSQL: with the workplace filled, while its parts run (the parts then stop by themselves),
inside a part, with the fresh tables copied and indexed, and with the switch made but not committed.
Each time the live read models and their positions are as they were, no fresh table is left
behind, and the next rebuild runs and gives the same rows."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.herbouw import NIEUW
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.conftest import store_env
from tests.faults.onderdelen import noteer
from tests.integration.test_projecties import dump, populatie, schrijf_verweven

pytestmark = pytest.mark.storing

CASUS = str(Path(sys.executable).parent / "casus")
PUNTEN = ("herbouw-gevolgd", "herbouw-wacht", "herbouw-deel", "herbouw-gekopieerd", "herbouw-gewisseld")


def _processen_met(merk: str) -> list[int]:
    gevonden = []
    for omgeving in Path("/proc").glob("[0-9]*/environ"):
        try:
            if merk.encode() in omgeving.read_bytes():
                gevonden.append(int(omgeving.parent.name))
        except OSError:
            continue
    return gevonden


def _verse_tabellen(store: EventStore) -> list[str]:
    views = open_views(store.infrastructure)
    if type(views).__name__.startswith("Postgres"):
        rijen = views.query("SELECT tablename AS naam FROM pg_tables WHERE tablename LIKE %s", (f"%{NIEUW}",))
    else:
        rijen = views.query("SELECT name AS naam FROM sqlite_master WHERE type = 'table' AND name LIKE %s", (f"%{NIEUW}",))
    return [r["naam"] for r in rijen]


@pytest.mark.parametrize("punt", PUNTEN)
def test_a_rebuild_killed_at_a_commit_point_leaves_the_live_read_models_as_they_were(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset, tmp_path: Path, punt: str
) -> None:
    postgres = store_settings.eventstore == "postgres"
    if punt == "herbouw-wacht" and not postgres:
        pytest.skip("SQLite rebuilds in one process: there are no parts to wait for")
    views = open_views(store.infrastructure)
    schrijf_verweven(store, populatie(ijmond, gelderland, 120))
    ProjectionRunner(store, views, alle()).catch_up()
    voor, posities = dump(views), {p.name: views.position(p.name) for p in alle()}
    merk = f"CASUS_PROEF_{uuid.uuid4().hex}"
    env = store_env(store_settings) | {
        "PATH": str(Path(sys.executable).parent), "CASUS_STATE_DIR": str(tmp_path), "CASUS_STORINGSPUNT": f"{punt}:",
        "CASUS_STORINGSPUNT_MERK": str(tmp_path / "merk"), "CASUS_PROJECTION_BATCH": "50", merk: "1",
    }  # fmt: skip
    r = subprocess.run([CASUS, "projecties", "herbouw", "--json"], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert (tmp_path / "merk").exists(), f"the rebuild never reached {punt}: {r.stderr[-800:]}"
    if punt == "herbouw-deel" and postgres:  # a part died; the rebuild itself says so, in its one document
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        fout = json.loads(r.stdout)["fout"]["melding"]
        assert "exit code -9" in fout and "live read models are as they were" in fout, fout
    else:  # the rebuild itself died: no outcome
        assert r.returncode == -9 and r.stdout == "", (r.returncode, r.stdout)
    einde = time.monotonic() + 15
    while _processen_met(merk) and time.monotonic() < einde:
        time.sleep(0.1)
    assert not _processen_met(merk), "a part of the killed rebuild is still running"
    assert dump(views) == voor
    assert {p.name: views.position(p.name) for p in alle()} == posities
    assert not _verse_tabellen(store), _verse_tabellen(store)
    opnieuw = subprocess.run([CASUS, "projecties", "herbouw", "--json"], env={k: v for k, v in env.items() if "STORINGSPUNT" not in k},
                             capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert opnieuw.returncode == 0, opnieuw.stderr[-800:]
    assert dump(views) == voor and not _verse_tabellen(store)
    noteer(f"herbouw gedood bij {punt} ({store_settings.eventstore})", "live read models unchanged, next rebuild equal")
