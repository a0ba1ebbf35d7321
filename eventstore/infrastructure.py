"""Builds eventsourcing's infrastructure for the configured database, without reading the process environment."""

from __future__ import annotations

from eventsourcing.persistence import InfrastructureFactory, TrackingRecorder
from eventsourcing.utils import Environment

from runtime.settings import Settings

APPLICATION_NAME = "casus"


def environment(settings: Settings) -> Environment:
    if settings.eventstore == "postgres":
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": settings.postgres_host,
            "POSTGRES_PORT": str(settings.postgres_port),
            "POSTGRES_DBNAME": settings.postgres_dbname,
            "POSTGRES_USER": settings.postgres_user,
            "POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
            "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "APPLICATION_RECORDER_TOPIC": "eventstore.postgres_recorder:CasusPostgresRecorder",
            # A role that may only append (the worker's) creates no tables: `casus migreer` does.
            "CREATE_TABLE": "yes" if settings.create_tables else "no",
        }
    else:
        settings.events_path.parent.mkdir(parents=True, exist_ok=True)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.events_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    return Environment(name=APPLICATION_NAME, env=env)


def factory(settings: Settings) -> InfrastructureFactory[TrackingRecorder]:
    return InfrastructureFactory.construct(environment(settings))
