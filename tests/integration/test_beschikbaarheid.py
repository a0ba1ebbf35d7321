"""The embedded stack under load and faults: concurrent writers never make SQLite refuse the
projection runner, and the runner waits out a database that is busy or gone (SQLite locked, a
PostgreSQL connection lost) instead of stopping; `casus dev`'s runner restarts after an error."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import InfrastructureFactory, OperationalError, TrackingRecorder

from casus_cli.dev import volg_projecties
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.opnieuw import Terugval
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.faults.onderdelen import noteer

ROOT = Path(__file__).resolve().parents[2]
SNEL = Terugval(pogingen=2, eerste=0.001, hoogste=0.01)

SCHRIJVER = """
import sys
from pathlib import Path
from eventstore.store import EventStore
from runtime.policies import load_rules
from runtime.settings import Settings
from domain.draaiboek import Draaiboek

store = EventStore.open(Settings(state_dir=Path(sys.argv[1])))
regels = load_rules("ijmond-2024")
for _ in range(int(sys.argv[2])):
    d = Draaiboek(regels, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    for j in range(0, len(d.gebeurtenissen), 2):
        store.append(d.casus.casus_id, j, d.gebeurtenissen[j : j + 2])
"""


def casus(store: EventStore, regels: Regelset) -> str:
    d = Draaiboek(regels, "2027-03-25T10:00:00+01:00", "velsen")
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    return d.casus.casus_id


def wacht_tot(voorwaarde: Callable[[], bool], seconden: float = 60) -> None:
    einde = time.monotonic() + seconden
    while not voorwaarde():
        assert time.monotonic() < einde, "timed out"
        time.sleep(0.02)


def bij(views: ViewStore, store: EventStore) -> bool:
    return all(views.position(p.name) == store.head() for p in alle())


class Draad:
    """A function on a thread, its exception kept for the test to see."""

    def __init__(self, doel: Callable[[], None]) -> None:
        self.fout: BaseException | None = None

        def draai() -> None:
            try:
                doel()
            except BaseException as e:
                self.fout = e

        self.draad = threading.Thread(target=draai, daemon=True)
        self.draad.start()


@pytest.mark.storing
def test_concurrent_writers_never_make_sqlite_refuse_the_runner(tmp_path: Path) -> None:
    """Eight processes append while the runner applies batches, the runner without any retry of
    its own: WAL, a busy timeout and BEGIN IMMEDIATE alone must keep "database is locked" away."""
    store = EventStore.open(Settings(state_dir=tmp_path))
    try:
        views = open_views(store.infrastructure)
        runner = ProjectionRunner(store, views, alle(), batch=10, terugval=Terugval(pogingen=1))
        schrijvers = [
            subprocess.Popen([sys.executable, "-c", SCHRIJVER, str(tmp_path), "6"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
            for _ in range(8)
        ]
        stappen = 0
        while any(s.poll() is None for s in schrijvers):
            stappen += runner.step() > 0
        fouten = [s.stderr.read() for s in schrijvers if s.wait() != 0 and s.stderr is not None]
        assert fouten == []
        runner.catch_up()
        assert bij(views, store) and stappen > 1
        assert len(views.query("SELECT casus_id FROM caseload")) == 48
    finally:
        store.close()
    noteer("8 processes appending to SQLite while the runner applies", "no 'database is locked'; every event projected", stappen=stappen)


class Wankel(EventStore):
    """An event store whose log answers with an error the first `fouten` times."""

    def __init__(self, infrastructure: InfrastructureFactory[TrackingRecorder], fouten: int, soort: Callable[[], Exception]) -> None:
        super().__init__(infrastructure)
        self.fouten, self.soort = fouten, soort

    def log_ruw(self, na: int, limit: int = 500) -> list[tuple[int, str, object, str, bytes]]:
        if self.fouten:
            self.fouten -= 1
            raise self.soort()
        return super().log_ruw(na, limit)


def _bezet() -> Exception:
    try:
        raise OperationalError("database is locked") from sqlite3.OperationalError("database is locked")
    except OperationalError as e:
        return e


def test_the_runner_waits_out_a_locked_database_beyond_its_attempts(tmp_path: Path, ijmond: Regelset) -> None:
    store = Wankel(EventStore.open(Settings(state_dir=tmp_path)).infrastructure, fouten=12, soort=_bezet)
    views = open_views(store.infrastructure)
    casus(store, ijmond)
    stop = threading.Event()
    runner = ProjectionRunner(store, views, alle(), terugval=SNEL)
    draad = Draad(lambda: runner.run(stop, 0.01))
    try:
        wacht_tot(lambda: bij(views, store) or draad.fout is not None)
    finally:
        stop.set()
        draad.draad.join(10)
        store.close()
    assert draad.fout is None and store.fouten == 0


def test_casus_devs_runner_restarts_after_an_error_and_catches_up(tmp_path: Path, ijmond: Regelset) -> None:
    store = Wankel(EventStore.open(Settings(state_dir=tmp_path)).infrastructure, fouten=3, soort=lambda: RuntimeError("read model fails"))
    views = open_views(store.infrastructure)
    casus(store, ijmond)
    stop = threading.Event()
    settings = Settings(state_dir=tmp_path, projection_poll_seconds=0.01)
    draad = Draad(lambda: volg_projecties(store, settings, stop, Terugval(eerste=0.01, hoogste=0.05)))
    try:
        wacht_tot(lambda: bij(views, store) or not draad.draad.is_alive())
        assert draad.draad.is_alive(), f"the runner's thread ended: {draad.fout!r}"
    finally:
        stop.set()
        draad.draad.join(10)
        store.close()
    assert store.fouten == 0 and draad.fout is None and not draad.draad.is_alive()


def _verbreek(settings: Settings) -> int:
    with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                         dbname="postgres", autocommit=True) as db:  # fmt: skip
        rijen = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (settings.postgres_dbname,),
        ).fetchall()
    return len(rijen)


@pytest.mark.storing
def test_the_runner_survives_its_postgresql_connections_being_cut(postgres_settings: Settings, ijmond: Regelset) -> None:
    store = EventStore.open(postgres_settings)
    views = open_views(store.infrastructure)
    stop = threading.Event()
    runner = ProjectionRunner(store, views, alle(), terugval=Terugval(pogingen=4, eerste=0.05, hoogste=0.5))
    draad = Draad(lambda: runner.run(stop, 0.02))
    verbroken: Sequence[int] = []
    try:
        for _ in range(3):
            schrijver = EventStore.open(postgres_settings)  # a writer after the cut: the test's own connections are cut too
            try:
                casus(schrijver, ijmond)
            finally:
                schrijver.close()
            wacht_tot(lambda: bij(views, store) or draad.fout is not None)
            verbroken = [*verbroken, _verbreek(postgres_settings)]
        assert all(verbroken), "no connection was cut; nothing was tested"
        schrijver = EventStore.open(postgres_settings)
        try:
            casus(schrijver, ijmond)
        finally:
            schrijver.close()
        wacht_tot(lambda: bij(views, store) or draad.fout is not None)
    finally:
        stop.set()
        draad.draad.join(10)
        store.close()
    assert draad.fout is None
    noteer("PostgreSQL connections of the projection runner cut three times", "the runner reconnected and projected every event",
           verbroken=sum(verbroken))  # fmt: skip
