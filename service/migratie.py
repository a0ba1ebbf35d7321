"""The PostgreSQL migration the project ships: the event and read-model tables, the append-only
guard on the event table, and the roles production connects with.

Roles (group roles without login; production grants them to login users made from its secrets):
- `casus_worker`: appends and reads events; may not change or remove one. It holds UPDATE only
  because eventsourcing serialises inserts with `LOCK TABLE ... IN EXCLUSIVE MODE`, which needs it;
  the trigger refuses every UPDATE and DELETE whoever tries, and TRUNCATE too.
- `casus_projecties`: reads events, writes the read models and their tracking.
- `casus_lezer`: reads everything but the household keys, for reports and audit (it reads the
  record of destroyed keys: who forgot which household when, and why).
- `casus_medewerker`: the API (login `api`; caseworkers' machines have no database login): reads
  everything, keeps the household keys, the only role that reads them (creates one when a text is
  sealed, destroys one when a household is forgotten; the triggers of eventstore/sleutelbewaking.py
  let it do no more), and writes the access log, which it may only insert into and read. It may not
  append events: the worker records an erasure (workflows/vergeten.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import psycopg
import structlog

from eventstore import inzagelog, sleutelbewaking
from eventstore.opnieuw import voorbijgaand
from eventstore.store import EventStore
from eventstore.views import WISSEL, WISSEL_DDL, open_views
from projections.basis import Projection
from runtime.postgres import houder, sessie
from runtime.settings import Settings
from service.fouten import Conflict, Onbereikbaar

log = structlog.get_logger()

EVENTS = "casus_events"
SLEUTELS = sleutelbewaking.SLEUTELS
VERNIETIGD = sleutelbewaking.VERNIETIGD
TRACKING = "casus_tracking"

GUARD = f"""
CREATE OR REPLACE FUNCTION casus_alleen_toevoegen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event store is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS casus_events_alleen_toevoegen ON {EVENTS};
CREATE TRIGGER casus_events_alleen_toevoegen BEFORE UPDATE OR DELETE ON {EVENTS}
    FOR EACH ROW EXECUTE FUNCTION casus_alleen_toevoegen();
DROP TRIGGER IF EXISTS casus_events_niet_legen ON {EVENTS};
CREATE TRIGGER casus_events_niet_legen BEFORE TRUNCATE ON {EVENTS}
    FOR EACH STATEMENT EXECUTE FUNCTION casus_alleen_toevoegen();
"""

# Roles belong to the whole server: a migration of another database on it may create them at the
# same moment (the migration's lock is per database). The one that loses that race finds the role
# made (unique_violation when both inserted at once) and goes on.
ROLLEN = """
DO $$
DECLARE rol text;
BEGIN
    FOREACH rol IN ARRAY ARRAY['casus_worker', 'casus_projecties', 'casus_lezer', 'casus_medewerker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = rol) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', rol);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END;
        END IF;
    END LOOP;
    IF NOT pg_has_role('casus_medewerker', 'casus_lezer', 'MEMBER') THEN
        BEGIN
            GRANT casus_lezer TO casus_medewerker;
        EXCEPTION WHEN unique_violation THEN NULL;
        END;
    END IF;
END $$;
"""
MIGRATIESLOT = 0x63617369
"""The advisory lock a migration holds for as long as it runs ("casi"): two at once on one database
would create the same tables and replace the same triggers side by side, which PostgreSQL's
catalog refuses for the second."""
MIGRATIE_WACHT_MAX_S = 86400.0
MIGRATIE_WACHT_S = 120.0
"""How long a migration waits for the session that holds its lock. A migration takes seconds; any
login at all can take an advisory lock, so a holder beyond this is named and the migration stops,
instead of waiting without end and without a word."""


def grants(view_tables: Sequence[str]) -> str:
    views = ", ".join([TRACKING, *view_tables])
    return f"""
REVOKE ALL ON {EVENTS} FROM casus_worker, casus_projecties, casus_lezer;
GRANT SELECT, INSERT, UPDATE ON {EVENTS} TO casus_worker;
GRANT USAGE ON SEQUENCE {EVENTS}_notification_id_seq TO casus_worker;
GRANT SELECT ON {EVENTS} TO casus_projecties, casus_lezer;
GRANT SELECT, INSERT, UPDATE, DELETE ON {views} TO casus_projecties;
GRANT SELECT ON {views} TO casus_lezer;
REVOKE ALL ON {SLEUTELS}, {VERNIETIGD} FROM casus_worker, casus_projecties, casus_lezer, casus_medewerker;
GRANT SELECT, INSERT, UPDATE ON {SLEUTELS} TO casus_medewerker;
GRANT SELECT, INSERT ON {VERNIETIGD} TO casus_medewerker;
GRANT SELECT ON {VERNIETIGD} TO casus_lezer;
REVOKE ALL ON {inzagelog.TABEL} FROM casus_worker, casus_projecties, casus_lezer, casus_medewerker;
GRANT SELECT, INSERT ON {inzagelog.TABEL} TO casus_medewerker;
GRANT SELECT ON {inzagelog.TABEL} TO casus_lezer;
"""


def migreer(settings: Settings, projecties: Sequence[Projection], wacht_s: float = MIGRATIE_WACHT_S) -> list[str]:
    """Creates what is missing and (re)applies guard and grants; safe to run again."""
    if settings.eventstore != "postgres":
        raise ValueError("the migration is for PostgreSQL (CASUS_EVENTSTORE=postgres); SQLite creates its tables itself")
    if not 0 <= wacht_s <= MIGRATIE_WACHT_MAX_S:  # NaN too: it is no number of seconds
        raise ValueError(f"--wacht {wacht_s:g}: seconds from 0 to {MIGRATIE_WACHT_MAX_S:g}")
    try:
        with _alleen(settings, wacht_s):
            return _migreer(settings, projecties)
    except Conflict:
        raise  # the lock is held: named, not unreachable
    except Exception as e:
        if voorbijgaand(e):  # refused, lost, or no connection to be had: the operator starts PostgreSQL and runs it again
            raise Onbereikbaar(
                f"the migration cannot reach {settings.eventstore_description} ({e}); start PostgreSQL or check CASUS_POSTGRES_*,"
                " and run it again: it picks up where it stopped"
            ) from e
        raise


@contextlib.contextmanager
def _alleen(settings: Settings, wacht_s: float) -> Iterator[None]:
    """One migration of a database at a time: a second waits for the first (and then finds
    everything made), saying for whom it waits; after `wacht_s` it stops and names the holder."""
    with sessie(settings, "casus-migreer", 10) as conn:
        rij = conn.execute("SELECT pg_try_advisory_lock(%s)", (MIGRATIESLOT,)).fetchone()
        if not (rij and rij[0]) and not _gewacht(conn, wacht_s):
            wie = houder(conn, MIGRATIESLOT) or "a session that has let go of it just now"
            duur = f"for over {wacht_s:g} s " if wacht_s > 0 else ""
            raise Conflict(
                f"another session has held the migration's lock {duur}({wie}); nothing was migrated."
                " If it is not a migration, end it (SELECT pg_terminate_backend(<pid>), as a superuser or a member of"
                " pg_signal_backend) and run casus migreer again",
                regel="migratie-bezet",
            )
        yield  # closing the session releases the lock


def _gewacht(conn: psycopg.Connection[tuple[object, ...]], wacht_s: float) -> bool:
    """Whether the migration's lock came within `wacht_s` (0: not waited for), saying for whom it waits."""
    if wacht_s <= 0:
        return False
    log.warning("the migration waits for the session that holds its lock", houder=houder(conn, MIGRATIESLOT), seconden=wacht_s)
    try:
        # PostgreSQL's lock_timeout is a whole number of milliseconds below 2^31 (24.8 days).
        conn.execute(f"SET lock_timeout = '{min(max(1, round(wacht_s * 1000)), 2**31 - 1)}ms'")
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATIESLOT,))
    except psycopg.errors.LockNotAvailable:
        return False
    conn.execute("SET lock_timeout = 0")
    return True


def _migreer(settings: Settings, projecties: Sequence[Projection]) -> list[str]:
    store = EventStore.open(settings)
    try:
        views = open_views(store.infrastructure)
        tabellen: list[str] = []
        sleutelbewaking.richt_in(views, vervang=True)
        inzagelog.richt_in(views)
        views.create(WISSEL_DDL)  # the rebuilds' switch count: the runner holds its row FOR SHARE (UPDATE grant)
        tabellen.append(WISSEL)
        for p in projecties:
            views.create(p.ddl)
            tabellen += p.tables
        with views.transaction() as sql:
            for stap in (GUARD, inzagelog.GUARD, ROLLEN, grants(tabellen)):
                sql.execute(stap)
    finally:
        store.close()
    return [EVENTS, TRACKING, SLEUTELS, VERNIETIGD, inzagelog.TABEL, *tabellen]
