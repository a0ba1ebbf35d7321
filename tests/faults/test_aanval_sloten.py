"""Attack: any database login at all, without a single grant, takes the advisory locks that keep
one migration, one rebuild and one projection runner at a time. PostgreSQL puts no privilege on an
advisory lock, so it cannot be refused; what the operator must get is the holder named (pid, login,
application, client) wherever casus waits for it or gives up, and no wait without end."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.enkel import SLOT, enige_runner
from projections.herbouw import Herbouw, HerbouwBezigError
from projections.wissel_postgres import HERBOUWSLOT
from runtime.postgres import houder
from runtime.settings import Settings
from service.fouten import Conflict
from service.migratie import MIGRATIESLOT, migreer
from tests.conftest import store_env
from tests.faults.herbouw_hulp import CASUS, gebeurt_binnen, op_de_achtergrond, pg, rol

pytestmark = pytest.mark.storing


def test_a_migration_waits_a_bounded_time_for_an_intruder_on_its_lock_and_names_it(postgres_settings: Settings) -> None:
    """Should: the migration stops after its wait with a refusal that names the holder's pid and
    login, nothing migrated; and once the lock is let go, it migrates."""
    with rol(postgres_settings) as niemand, pg(postgres_settings, user=niemand) as insider:
        pid = insider.info.backend_pid
        insider.execute("SET application_name = 'casus-migreer'")  # its own claim: described, not believed
        insider.execute("SELECT pg_advisory_lock(%s)", (MIGRATIESLOT,))
        start = time.monotonic()
        with pytest.raises(Conflict) as fout:
            migreer(postgres_settings, alle(), wacht_s=1.0)
        assert time.monotonic() - start < 15
        assert fout.value.regel == "migratie-bezet"
        assert f"pid {pid}" in fout.value.melding and f"login {niemand}" in fout.value.melding, fout.value.melding
        assert "nothing was migrated" in fout.value.melding
        with pg(postgres_settings) as admin:
            assert admin.execute("SELECT to_regclass('casus_wissel')").fetchone() == (None,)
        insider.execute("SELECT pg_advisory_unlock_all()")
    assert "caseload" in migreer(postgres_settings, alle(), wacht_s=1.0)


def test_a_migration_goes_on_when_the_holder_lets_go_within_its_wait(postgres_settings: Settings) -> None:
    with pg(postgres_settings) as ander:
        ander.execute("SELECT pg_advisory_lock(%s)", (MIGRATIESLOT,))
        draad, uitkomst = op_de_achtergrond(lambda: migreer(postgres_settings, alle(), wacht_s=60.0))
        time.sleep(1.0)
        assert draad.is_alive() and not uitkomst, uitkomst
        ander.execute("SELECT pg_advisory_unlock_all()")
        draad.join(60)
    assert uitkomst and isinstance(uitkomst[0], list) and "caseload" in uitkomst[0], uitkomst


def test_casus_migreer_names_the_holder_in_one_json_document(postgres_settings: Settings, tmp_path: Path) -> None:
    with rol(postgres_settings) as niemand, pg(postgres_settings, user=niemand) as insider:
        insider.execute("SELECT pg_advisory_lock(%s)", (MIGRATIESLOT,))
        env = os.environ | store_env(postgres_settings) | {"CASUS_STATE_DIR": str(tmp_path)}
        r = subprocess.run([CASUS, "migreer", "--wacht", "1", "--json"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    fout = json.loads(r.stdout)["fout"]
    assert fout["regel"] == "migratie-bezet" and f"login {niemand}" in fout["melding"], fout
    assert "waits for the session that holds its lock" in r.stderr and niemand in r.stderr, r.stderr[-2000:]


def test_a_rebuild_refused_for_a_held_lock_names_the_holder(postgres_settings: Settings) -> None:
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        with rol(postgres_settings) as niemand, pg(postgres_settings, user=niemand) as insider:
            pid = insider.info.backend_pid
            insider.execute("SELECT pg_advisory_lock(%s)", (HERBOUWSLOT,))
            with pytest.raises(HerbouwBezigError) as fout:
                Herbouw(store, views, alle()).run()
        melding = str(fout.value)
        assert f"pid {pid}" in melding and f"login {niemand}" in melding, melding
        assert "pg_terminate_backend" in melding
    finally:
        store.close()


def test_a_waiting_runner_names_the_holder_and_takes_the_lock_when_it_is_let_go(postgres_settings: Settings) -> None:
    gemeld: list[str | None] = []
    stop = threading.Event()
    genomen = threading.Event()

    def runner() -> None:
        with enige_runner(postgres_settings, stop, gemeld.append, poll_seconds=0.05) as check:
            if check is not None:
                genomen.set()
                stop.wait(30)

    with rol(postgres_settings) as niemand, pg(postgres_settings, user=niemand) as insider:
        insider.execute("SELECT pg_advisory_lock(%s)", (SLOT,))
        draad = threading.Thread(target=runner, daemon=True)
        draad.start()
        try:
            assert gebeurt_binnen(lambda: bool(gemeld), 15), "the waiting runner said nothing"
            assert gemeld[0] is not None and f"login {niemand}" in gemeld[0], gemeld
            assert f"pid {insider.info.backend_pid}" in gemeld[0], gemeld
            assert not genomen.is_set()
            insider.execute("SELECT pg_advisory_unlock_all()")
            assert genomen.wait(15), "the runner did not take the lock once it was let go"
        finally:
            stop.set()
            draad.join(30)
    assert len(gemeld) == 1, gemeld  # told again only when the holder changes


def test_a_wait_of_0_does_not_wait_and_a_wait_that_is_no_number_of_seconds_is_refused(postgres_settings: Settings, tmp_path: Path) -> None:
    with pg(postgres_settings) as ander:
        ander.execute("SELECT pg_advisory_lock(%s)", (MIGRATIESLOT,))
        start = time.monotonic()
        with pytest.raises(Conflict) as fout:
            migreer(postgres_settings, alle(), wacht_s=0)
        assert time.monotonic() - start < 5 and "held the migration's lock (pid" in fout.value.melding, fout.value.melding
    env = os.environ | store_env(postgres_settings) | {"CASUS_STATE_DIR": str(tmp_path)}
    for wacht in ("nan", "inf", "-1", "1e10"):
        r = subprocess.run(
            [CASUS, "migreer", "--wacht", wacht, "--json"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert r.returncode == 2 and "Traceback" not in r.stderr, (wacht, r.stderr[-1500:])
        assert "seconds from 0 to 86400" in json.loads(r.stdout)["fout"]["melding"], (wacht, r.stdout)


def test_a_holder_seen_by_a_login_that_may_not_see_its_client_is_described_as_such(postgres_settings: Settings) -> None:
    """The migration runs as the owner, no superuser: PostgreSQL hides another login's client and
    start from it. The description says so, rather than 'over the local socket'."""
    with rol(postgres_settings) as eigenaar, rol(postgres_settings) as indringer, pg(postgres_settings, user=indringer) as insider:
        insider.execute("SET application_name = 'casus-migreer'")
        insider.execute("SELECT pg_advisory_lock(%s)", (MIGRATIESLOT,))
        with pg(postgres_settings, user=eigenaar) as kijker:
            wie = houder(kijker, MIGRATIESLOT)
        assert wie is not None and f"login {indringer}" in wie and "local socket" not in wie, wie
        assert "not visible to this login" in wie and "'casus-migreer' (as the session names itself)" in wie, wie
