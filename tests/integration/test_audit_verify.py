"""`casus audit ID --verify` answers from proven facts (issue 14), on SQLite and PostgreSQL: the
responsibility timeline recomputed from the verified stream is compared with the read model's, so
the `casus_projecties` login that changes a row with one UPDATE, or moves the read model's tracked
position, is named; the read model is not trusted for integrity."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.stap import Regelset
from domain.toegang import Gebruiker
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import NAME
from runtime.settings import Settings
from service import lezen
from service.samenstelling import Samenstelling
from tests.conftest import store_env
from tests.integration.test_controlepunt import casus, posities

CASUS = str(Path(sys.executable).parent / "casus")


def projecteer(store: EventStore) -> None:
    ProjectionRunner(store, open_views(store.infrastructure), alle()).catch_up()


def leesmodel(settings: Settings, statement: str, params: tuple[Any, ...]) -> None:
    """Changes a read-model table directly, as the projections' own login could."""
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path) as db:
            db.execute(statement.replace("%s", "?"), params)
        return
    with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                         dbname=settings.postgres_dbname, autocommit=True) as db:  # fmt: skip
        db.execute(statement, params)


def audit(env: dict[str, str], casus_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CASUS, "audit", casus_id, *args, "--json"], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def env(store_settings: Settings, tmp_path: Path) -> dict[str, str]:
    return os.environ | store_env(store_settings) | {"CASUS_STATE_DIR": str(tmp_path)}


def test_an_untouched_read_model_agrees_with_the_stream(store: EventStore, env: dict[str, str], ijmond: Regelset) -> None:
    casus_id = casus(store, ijmond)
    projecteer(store)
    r = audit(env, casus_id, "--verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["afwijkingen"] == []


AUDITOR = Gebruiker(issuer="https://sso.example.nl", subject="a1", weergavenaam="carla", partij=None, rol="auditor")


@pytest.mark.storing
def test_a_read_model_row_changed_by_update_is_named(
    store: EventStore, store_settings: Settings, env: dict[str, str], ijmond: Regelset
) -> None:
    casus_id = casus(store, ijmond)
    projecteer(store)
    leesmodel(store_settings, "UPDATE verantwoordelijkheid SET partij = %s, actor = %s WHERE casus_id = %s AND versie = 12",
              ("veilig-thuis", "veilig-thuis/systeem", casus_id))  # fmt: skip
    s = Samenstelling(store_settings)
    try:
        getoond = asyncio.run(lezen.audit(s, AUDITOR, casus_id, reden="steekproef"))["verantwoordelijkheid"]
    finally:
        s.sluit()
    assert getoond[-1]["partij"] == "veilig-thuis", "the read model alone shows the changed answer"
    r = audit(env, casus_id, "--verify")
    assert r.returncode == 1
    afwijkingen = json.loads(r.stdout)["afwijkingen"]
    assert [(a["versie"], a["soort"]) for a in afwijkingen] == [(12, "leesmodel:verantwoordelijkheid")]
    assert "veilig-thuis" in afwijkingen[0]["melding"] and "lokaal-team:socius-md" in afwijkingen[0]["melding"]


@pytest.mark.storing
def test_a_deleted_read_model_row_and_a_moved_tracking_position_are_named(
    store: EventStore, store_settings: Settings, env: dict[str, str], ijmond: Regelset
) -> None:
    verwijderd, verschoven = casus(store, ijmond), casus(store, ijmond)
    projecteer(store)
    leesmodel(store_settings, "DELETE FROM verantwoordelijkheid WHERE casus_id = %s AND versie = 7", (verwijderd,))
    r = audit(env, verwijderd, "--verify")
    assert r.returncode == 1
    assert {a["soort"] for a in json.loads(r.stdout)["afwijkingen"]} == {"leesmodel:verantwoordelijkheid"}

    # Back to before the last transfer of the later casus: the rows it holds no longer follow from what it claims to have seen.
    views = open_views(store.infrastructure)
    tabel = getattr(views, "tracking_table_name", "tracking")
    terug = posities(store, verschoven)[11]
    leesmodel(store_settings, f"UPDATE {tabel} SET notification_id = %s WHERE application_name = %s", (terug, NAME))
    assert views.position(NAME) == terug
    r = audit(env, verschoven, "--verify")
    assert r.returncode == 1
    afwijkingen = json.loads(r.stdout)["afwijkingen"]
    assert {a["soort"] for a in afwijkingen} == {"leesmodel:verantwoordelijkheid"} and len(afwijkingen) == 2
