"""The hash chain on SQLite and PostgreSQL: rows edited behind the store's back are found by
`casus verifieer` / `casus audit --verify`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.store import EventStore, stream_id
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.conftest import store_env

pytestmark = pytest.mark.storing

CASUS = str(Path(sys.executable).parent / "casus")


def casus(store: EventStore, ijmond: Regelset) -> str:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    return d.casus.casus_id


def rauw(settings: Settings, statement: str, params: tuple[Any, ...]) -> None:
    """Edits the event table directly, as someone with database access could."""
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path) as db:
            db.execute(statement.replace("%s", "?").replace("casus_events", "stored_events"), params)
        return
    with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                         dbname=settings.postgres_dbname, autocommit=True) as db:  # fmt: skip
        db.execute("SET session_replication_role = replica")  # past any trigger, as a superuser can
        db.execute(statement, params)  # type: ignore[arg-type]


def sleutel(settings: Settings, casus_id: str) -> Any:
    return stream_id(casus_id).hex if settings.eventstore == "sqlite" else stream_id(casus_id)


def test_an_untouched_stream_verifies(store: EventStore, ijmond: Regelset) -> None:
    assert store.verify(casus(store, ijmond)) == []


def test_an_altered_event_is_found(store: EventStore, store_settings: Settings, ijmond: Regelset) -> None:
    casus_id = casus(store, ijmond)
    state = bytes(store.recorder.select_events(stream_id(casus_id), gt=6, lte=7)[0].state)
    vervalst = state.replace(b"IJM-3.1c", b"IJM-3.1d")
    assert vervalst != state
    rauw(store_settings, "UPDATE casus_events SET state = %s WHERE originator_id = %s AND originator_version = 7",
         (vervalst, sleutel(store_settings, casus_id)))  # fmt: skip
    assert [(a.versie, a.soort) for a in store.verify(casus_id)] == [(7, "gewijzigd")]


def test_a_deleted_event_is_found(store: EventStore, store_settings: Settings, ijmond: Regelset) -> None:
    casus_id = casus(store, ijmond)
    rauw(
        store_settings, "DELETE FROM casus_events WHERE originator_id = %s AND originator_version = 4", (sleutel(store_settings, casus_id),)
    )
    assert (4, "ontbreekt") in [(a.versie, a.soort) for a in store.verify(casus_id)]


def test_reordered_events_are_found(store: EventStore, store_settings: Settings, ijmond: Regelset) -> None:
    casus_id = casus(store, ijmond)
    sid = sleutel(store_settings, casus_id)
    for van, naar in ((3, 1000), (4, 3), (1000, 4)):
        rauw(store_settings, "UPDATE casus_events SET originator_version = %s WHERE originator_id = %s AND originator_version = %s",
             (naar, sid, van))  # fmt: skip
    assert {3, 4} <= {a.versie for a in store.verify(casus_id)}


def test_a_removed_last_event_is_found_against_the_read_model(store: EventStore, store_settings: Settings, ijmond: Regelset) -> None:
    casus_id = casus(store, ijmond)
    ProjectionRunner(store, open_views(store.infrastructure), alle()).catch_up()
    laatste = store.version(casus_id)
    rauw(store_settings, "DELETE FROM casus_events WHERE originator_id = %s AND originator_version = %s",
         (sleutel(store_settings, casus_id), laatste))  # fmt: skip
    assert store.verify(casus_id) == []  # the chain alone cannot see its own end go
    env = os.environ | store_env(store_settings)
    r = subprocess.run([CASUS, "verifieer", "--alle", "--json"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1
    assert f'"versie": {laatste}' in r.stdout and "ontbreekt" in r.stdout
    enkel = subprocess.run([CASUS, "audit", casus_id, "--verify"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert enkel.returncode == 1 and "broken" in enkel.stderr
