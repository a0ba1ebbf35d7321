"""In PostgreSQL the event table is append-only in the database itself: the worker's role appends
and reads but cannot change or remove an event, and a trigger refuses it to anyone."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from domain.stap import Regelset
from eventstore.migratie import migreer
from eventstore.store import EventStore
from projections.alle import alle
from runtime.settings import Settings
from tests.draaiboek import Draaiboek

pytestmark = pytest.mark.storing


def verbind(settings: Settings, user: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=settings.postgres_host, port=settings.postgres_port, user=user, dbname=settings.postgres_dbname, autocommit=True
    )


@pytest.fixture
def worker_settings(postgres_settings: Settings) -> Settings:
    migreer(postgres_settings, alle())
    login = f"casus_worker_{uuid.uuid4().hex[:8]}"
    with verbind(postgres_settings, postgres_settings.postgres_user) as db:
        db.execute(f"CREATE ROLE {login} LOGIN IN ROLE casus_worker")
    return postgres_settings.model_copy(update={"postgres_user": login, "create_tables": False})


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
