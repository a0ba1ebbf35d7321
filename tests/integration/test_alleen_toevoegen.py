"""In PostgreSQL the event table is append-only in the database itself: the worker's role appends
and reads but cannot change or remove an event, and a trigger refuses it to anyone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import psycopg
import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore import inzagelog
from eventstore.kluis import Kluis
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.rapport import rapport
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from service.migratie import ROLLEN, migreer

pytestmark = pytest.mark.storing


def verbind(settings: Settings, user: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=settings.postgres_host, port=settings.postgres_port, user=user, dbname=settings.postgres_dbname, autocommit=True
    )


def als_rol(postgres_settings: Settings, rol: str) -> Settings:
    """Settings of a login user in one of the migration's roles, as production connects."""
    migreer(postgres_settings, alle())
    login = f"{rol}_{uuid.uuid4().hex[:8]}"
    with verbind(postgres_settings, postgres_settings.postgres_user) as db:
        db.execute(f"CREATE ROLE {login} LOGIN IN ROLE {rol}")  # type: ignore[arg-type]
    return postgres_settings.model_copy(update={"postgres_user": login, "create_tables": False})


@pytest.fixture
def worker_settings(postgres_settings: Settings) -> Settings:
    return als_rol(postgres_settings, "casus_worker")


def test_the_worker_role_appends_and_reads(worker_settings: Settings, ijmond: Regelset) -> None:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    store = EventStore.open(worker_settings)
    try:
        assert store.append(d.casus.casus_id, 0, d.gebeurtenissen).nieuw == len(d.gebeurtenissen)
        assert store.read(d.casus.casus_id) == d.gebeurtenissen
    finally:
        store.close()


@pytest.mark.parametrize("statement", ["UPDATE casus_events SET topic = 'vervalst'", "DELETE FROM casus_events", "TRUNCATE casus_events"])
def test_the_worker_role_cannot_change_or_remove_events(worker_settings: Settings, ijmond: Regelset, statement: str) -> None:
    test_the_worker_role_appends_and_reads(worker_settings, ijmond)
    with verbind(worker_settings, worker_settings.postgres_user) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(statement)  # type: ignore[arg-type]


@pytest.mark.parametrize("statement", ["UPDATE casus_events SET topic = 'vervalst'", "DELETE FROM casus_events"])
def test_the_trigger_refuses_it_even_to_the_owner(postgres_settings: Settings, ijmond: Regelset, statement: str) -> None:
    migreer(postgres_settings, alle())
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    store = EventStore.open(postgres_settings)
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    store.close()
    with (
        verbind(postgres_settings, postgres_settings.postgres_user) as db,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
    ):
        db.execute(statement)  # type: ignore[arg-type]


def test_the_migration_runs_again_without_harm(postgres_settings: Settings) -> None:
    assert migreer(postgres_settings, alle()) == migreer(postgres_settings, alle())


def test_migrations_started_together_on_a_fresh_database_all_succeed(postgres_settings: Settings) -> None:
    """Two deploy jobs (or a job and its retry) at once: the second waits for the first instead of
    creating the same tables and replacing the same triggers beside it."""
    with ThreadPoolExecutor(3) as pool:
        uitkomsten = list(pool.map(lambda _: migreer(postgres_settings, alle()), range(3)))
    assert uitkomsten[0] == uitkomsten[1] == uitkomsten[2]
    with verbind(postgres_settings, postgres_settings.postgres_user) as db:
        triggers = db.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'casus_events'::regclass AND NOT tgisinternal").fetchone()
    assert triggers == (2,)


def test_the_roles_made_by_migrations_of_two_databases_at_once_are_made_once(postgres_settings: Settings) -> None:
    """Roles belong to the server, and the migration's lock to one database: migrations of two
    databases may create the roles at the same moment. The block that makes them, run from four
    sessions at once with roles of this test's own, holding each transaction open a moment so that
    the others' CREATE ROLE waits on it and then finds the name taken."""
    eigen = f"proef{uuid.uuid4().hex[:8]}_"
    blok = ROLLEN.replace("casus_", eigen)
    samen = threading.Barrier(4)

    def maak(_: int) -> None:
        with verbind(postgres_settings, postgres_settings.postgres_user) as db, db.transaction():
            samen.wait()
            db.execute(blok)  # type: ignore[arg-type]
            db.execute("SELECT pg_sleep(0.3)")

    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(maak, range(4)))
        with verbind(postgres_settings, postgres_settings.postgres_user) as db:
            rollen = db.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1", (eigen + "%",)).fetchall()
            lid = db.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (eigen + "medewerker", eigen + "lezer")).fetchone()
        assert [r[0] for r in rollen] == [eigen + r for r in ("lezer", "medewerker", "projecties", "worker")]
        assert lid == (True,)
    finally:
        with verbind(postgres_settings, postgres_settings.postgres_user) as db:
            for rol in ("medewerker", "lezer", "projecties", "worker"):
                db.execute(f'DROP ROLE IF EXISTS "{eigen}{rol}"')  # type: ignore[arg-type]


def test_the_projection_role_follows_the_log_and_the_reader_role_only_reads(
    postgres_settings: Settings, worker_settings: Settings, ijmond: Regelset
) -> None:
    """Production's three connections: the worker appends, the runner writes only read models, and
    reports and audit read everything but change nothing."""
    test_the_worker_role_appends_and_reads(worker_settings, ijmond)
    projecties = als_rol(postgres_settings, "casus_projecties")
    store = EventStore.open(projecties)
    try:
        runner = ProjectionRunner(store, open_views(store.infrastructure), alle())
        assert runner.catch_up() == store.head() > 0
    finally:
        store.close()
    lezer = als_rol(postgres_settings, "casus_lezer")
    store = EventStore.open(lezer)
    try:
        casus_id = store.stream_ids()[0]
        assert len(store.read(casus_id)) > 0
        assert rapport(open_views(store.infrastructure), "ijmond-2024", date(2027, 3, 1), date(2027, 4, 1))["casussen"] == 1
    finally:
        store.close()
    geweigerd = {
        projecties.postgres_user: ["DELETE FROM casus_events", f"INSERT INTO casus_events (originator_id, originator_version, topic, state)"
                                   f" VALUES ('{casus_id}', 99, 't', '')"],
        lezer.postgres_user: ["DELETE FROM caseload", "UPDATE termijnen SET status = 'voldaan'", "DELETE FROM casus_tracking"],
    }  # fmt: skip
    for user, statements in geweigerd.items():
        with verbind(postgres_settings, user) as db:
            for statement in statements:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    db.execute(statement)  # type: ignore[arg-type]


def test_the_caseworker_role_seals_and_forgets_texts_but_cannot_touch_the_record(
    postgres_settings: Settings, worker_settings: Settings, ijmond: Regelset
) -> None:
    """The CLI's role: household keys are its to create and destroy; events and read models it only reads."""
    test_the_worker_role_appends_and_reads(worker_settings, ijmond)
    medewerker = als_rol(postgres_settings, "casus_medewerker")
    store = EventStore.open(medewerker)
    try:
        kluis = Kluis(open_views(store.infrastructure), os.urandom(32))
        verzegeld = kluis.verzegel("HH-rol", "zorgen over de kinderen")
        assert kluis.ontzegel("HH-rol", verzegeld) == "zorgen over de kinderen"
        assert kluis.vergeet("HH-rol", "verzoek betrokkene", "veilig-thuis/test")
        assert len(store.read(store.stream_ids()[0])) > 0
    finally:
        store.close()
    with verbind(postgres_settings, medewerker.postgres_user) as db:
        for statement in ("DELETE FROM casus_events", "DELETE FROM caseload", "DELETE FROM huishouden_sleutels"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute(statement)  # type: ignore[arg-type]


def test_the_api_role_writes_the_access_log_but_never_changes_it_nor_appends_events(
    postgres_settings: Settings, worker_settings: Settings, ijmond: Regelset
) -> None:
    """NEN 7513: a read once logged stays logged, whoever holds the API's login (issue 13)."""
    test_the_worker_role_appends_and_reads(worker_settings, ijmond)
    api = als_rol(postgres_settings, "casus_medewerker")
    store = EventStore.open(api)
    try:
        views = open_views(store.infrastructure)
        inzagelog.schrijf(views, ("2027-01-01T00:00:00Z", "https://sso", "sub", "carla", "auditor", None, "dossier", "c", "HH", "klacht"))
        assert [r["naam"] for r in inzagelog.lees(views, casus_id="c", huishouden=None, offset=0, limiet=10)] == ["carla"]
    finally:
        store.close()
    werker = EventStore.open(worker_settings)
    try:
        stream = werker.stream_ids()[0]
    finally:
        werker.close()
    for user in (api.postgres_user, postgres_settings.postgres_user):
        with verbind(postgres_settings, user) as db:
            for statement in ("UPDATE inzage_log SET reden = 'niets'", "DELETE FROM inzage_log", "TRUNCATE inzage_log"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    db.execute(statement)  # type: ignore[arg-type]
    with verbind(postgres_settings, api.postgres_user) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(
            "INSERT INTO casus_events (originator_id, originator_version, topic, state) VALUES (%s, 99, 't', '')",  # type: ignore[arg-type]
            (stream,),
        )


def test_a_migration_that_cannot_reach_postgresql_says_so_without_a_traceback(tmp_path: Path) -> None:
    """The operator sees which database could not be reached and what to do, exit 3 (unreachable),
    and with --json one document."""
    casus = str(Path(sys.executable).parent / "casus")
    env = os.environ | {"CASUS_EVENTSTORE": "postgres", "CASUS_POSTGRES_HOST": "127.0.0.1", "CASUS_POSTGRES_PORT": "1",
                        "CASUS_STATE_DIR": str(tmp_path)}  # fmt: skip
    r = subprocess.run([casus, "migreer", "--json"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    melding = json.loads(r.stdout)["fout"]["melding"]
    assert "cannot reach PostgreSQL 127.0.0.1:1/" in melding and "start PostgreSQL" in melding, melding
