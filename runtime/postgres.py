"""A connection of its own to the configured PostgreSQL, outside the event store's pool: for a
session that holds an advisory lock for as long as it is open (one projection runner, one
migration at a time)."""

from __future__ import annotations

import psycopg

from runtime.settings import Settings


def sessie(settings: Settings, naam: str, wachttijd_s: int) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection named `naam` in pg_stat_activity; closing it ends the session and
    with it every session lock it took."""
    return psycopg.connect(
        host=settings.postgres_host, port=settings.postgres_port, dbname=settings.postgres_dbname, user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value() or None, autocommit=True, connect_timeout=wachttijd_s,
        application_name=naam,
    )  # fmt: skip
