"""What the attacks on the rebuild beside the running system share (tests/faults/test_aanval_herbouw_*.py,
tests/faults/test_herbouw_houdt_stand.py): connections and login roles of the test's own, work on a
thread with its outcome kept, the fresh tables a rebuild leaves, and the read models followed again
by an incremental runner to compare with."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from domain.draaiboek import Draaiboek
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections.alle import alle
from projections.herbouw import NIEUW
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.integration.test_projecties import dump, schrijf_verweven

CASUS = str(Path(sys.executable).parent / "casus")


def pg(settings: Settings, user: str | None = None) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(
        host=settings.postgres_host, port=settings.postgres_port, user=user or settings.postgres_user,
        dbname=settings.postgres_dbname, autocommit=True, connect_timeout=5,
    )  # fmt: skip


def gebeurt_binnen(voorwaarde: Callable[[], bool], seconden: float = 30.0) -> bool:
    """Whether `voorwaarde` comes true within `seconden`."""
    einde = time.monotonic() + seconden
    while time.monotonic() < einde:
        if voorwaarde():
            return True
        time.sleep(0.05)
    return False


def op_de_achtergrond(doe: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    uitkomst: list[object] = []

    def draai() -> None:
        try:
            uitkomst.append(doe())
        except BaseException as e:  # the test reports it
            uitkomst.append(e)

    draad = threading.Thread(target=draai, daemon=True)
    draad.start()
    return draad, uitkomst


def fouten(*uitkomsten: list[object]) -> list[BaseException]:
    return [u for uitkomst in uitkomsten for u in uitkomst if isinstance(u, BaseException)]


@contextmanager
def rol(settings: Settings, *lid_van: str) -> Iterator[str]:
    """A login role of the test's own (roles are the cluster's: dropped afterwards)."""
    naam = f"casus_aanval_{uuid.uuid4().hex[:10]}"
    with pg(settings) as admin:
        admin.execute(f'CREATE ROLE "{naam}" LOGIN' + (f" IN ROLE {', '.join(lid_van)}" if lid_van else ""))
        try:
            yield naam
        finally:
            admin.execute(f'REASSIGN OWNED BY "{naam}" TO CURRENT_USER')
            admin.execute(f'DROP OWNED BY "{naam}"')
            admin.execute(f'DROP ROLE "{naam}"')


def verse_tabellen(views: ViewStore, postgres: bool) -> list[str]:
    if postgres:
        rijen = views.query("SELECT tablename AS naam FROM pg_tables WHERE tablename LIKE %s", (f"%{NIEUW}",))
    else:
        rijen = views.query("SELECT name AS naam FROM sqlite_master WHERE type = 'table' AND name LIKE %s", (f"%{NIEUW}",))
    return [r["naam"] for r in rijen]


def zonder_moment(d: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """`dump` without the quarantine's `at` (when a row was set aside: the moment of the run)."""
    return d | {"quarantaine": sorted(r[:-1] for r in d["quarantaine"])}


def incrementeel_opnieuw(views: ViewStore, store: EventStore) -> dict[str, list[tuple[Any, ...]]]:
    """The read models emptied and followed again from the first event by an incremental runner in
    small batches, in the same database (so on PostgreSQL with PostgreSQL's own SQL)."""
    with views.transaction() as sql:
        for p in alle():
            views.forget(sql, p.name)
            for tabel in p.tables:
                sql.execute(f"DELETE FROM {tabel}")
    ProjectionRunner(store, views, alle(), batch=7).catch_up()
    return zonder_moment(dump(views))


def bijgewerkt(store: EventStore, casussen: list[Draaiboek]) -> ViewStore:
    """The store with these casussen written interleaved, and its read models caught up."""
    views = open_views(store.infrastructure)
    schrijf_verweven(store, casussen)
    ProjectionRunner(store, views, alle()).catch_up()
    return views
