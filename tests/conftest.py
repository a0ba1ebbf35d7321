"""Fixtures shared by the tiers: the rules of both regions and the two event-store backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from runtime.policies import load_rules
from runtime.settings import Settings

pytest_plugins = ["tests.conftest_storing"]

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCENARIOS = SHARED / "scenarios"


@pytest.fixture(scope="session")
def ijmond() -> Regelset:
    return load_rules("ijmond-2024")


@pytest.fixture(scope="session")
def gelderland() -> Regelset:
    return load_rules("gelderland-midden-2019")


def _pg(dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=os.environ.get("CASUS_TEST_POSTGRES_HOST", "127.0.0.1"),
        port=int(os.environ.get("CASUS_TEST_POSTGRES_PORT", "5432")),
        user=os.environ.get("CASUS_TEST_POSTGRES_USER", "postgres"),
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture
def postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    """A database of its own for one test, dropped afterwards. In CI an unreachable server fails."""
    try:
        admin = _pg("postgres")
    except psycopg.OperationalError as e:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL is unreachable and CI is set: {e}")
        pytest.skip(f"PostgreSQL is unreachable: {e}")
    naam = f"casus_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{naam}"')
        try:
            yield Settings(
                state_dir=tmp_path,
                eventstore="postgres",
                postgres_host=admin.info.host,
                postgres_port=admin.info.port,
                postgres_user=admin.info.user,
                postgres_dbname=naam,
            )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The same test against the embedded default and against production's database."""
    if request.param == "sqlite":
        return Settings(state_dir=tmp_path, eventstore="sqlite")
    settings: Settings = request.getfixturevalue("postgres_settings")
    return settings


@pytest.fixture
def store(store_settings: Settings) -> Iterator[EventStore]:
    s = EventStore.open(store_settings)
    yield s
    s.close()


def store_env(settings: Settings) -> dict[str, str]:
    """The CASUS_* variables that point a subprocess (casus, worker.py) at the same event store."""
    env = {"CASUS_EVENTSTORE": settings.eventstore, "CASUS_SQLITE_PATH": str(settings.events_path)}
    if settings.eventstore == "postgres":
        env |= {"CASUS_POSTGRES_HOST": settings.postgres_host, "CASUS_POSTGRES_PORT": str(settings.postgres_port),
                "CASUS_POSTGRES_DBNAME": settings.postgres_dbname, "CASUS_POSTGRES_USER": settings.postgres_user}  # fmt: skip
    return env
