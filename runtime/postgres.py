"""A connection of its own to the configured PostgreSQL, outside the event store's pool: for a
session that holds an advisory lock for as long as it is open (one projection runner, one
migration at a time)."""

from __future__ import annotations

from datetime import datetime

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


def houder(conn: psycopg.Connection[tuple[object, ...]], sleutel: int) -> str | None:
    """Who holds the session advisory lock `sleutel` in this database, as an operator needs it to
    decide (pid, login, the application the session names itself, client, since when); None when
    nobody holds it now. Any login can take an advisory lock, so the holder is described, never
    trusted: its application name is its own claim."""
    rij = conn.execute(
        "SELECT l.pid, a.usename, a.application_name, host(a.client_addr), a.backend_start FROM pg_locks l"
        " LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = %s AND l.objid::bigint = %s"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        (sleutel >> 32, sleutel & 0xFFFFFFFF),
    ).fetchone()
    if rij is None:
        return None
    pid, login, applicatie, client, sinds = rij
    if not isinstance(sinds, datetime):  # another login's session, seen by a login without pg_read_all_stats
        waar = "its client and start not visible to this login"
    else:
        waar = f"{f'from {client}' if client else 'over the local socket'}, connected since {sinds.isoformat(timespec='seconds')}"
    return f"pid {pid}, login {login or '?'}, application {applicatie or '(none)'!r} (as the session names itself), {waar}"
