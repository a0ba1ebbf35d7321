"""The rebuild beside the running system (projections/herbouw.py) under attacks that it withstood:
grants, owners and indexes kept across the switch, an empty store, PostgreSQL's id gaps and
prepared statements with several parts, and a rebuild of one read model beside a runner of all.
Each could fail; tests/faults/test_aanval_herbouw_*.py hold the attacks that found defects."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.stap import Regelset
from eventstore.keten import verpak
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.herbouw import Herbouw
from projections.huishouden import open_casussen
from projections.quarantaine import in_quarantaine
from projections.runner import ProjectionRunner
from projections.termijnen import Termijnen
from runtime.settings import Settings
from service.migratie import migreer
from tests.faults.herbouw_hulp import bijgewerkt, fouten, incrementeel_opnieuw, op_de_achtergrond, pg, rol, zonder_moment
from tests.integration.test_projecties import dump, populatie, schrijf_verweven
from tests.integration.test_quarantaine import casus, laatste, voeg_rauw_toe

pytestmark = pytest.mark.storing

CASUS = str(Path(sys.executable).parent / "casus")
HERBOUW = "casus-herbouw"
"""The application name of the rebuild's own PostgreSQL sessions (projections/herbouw.py)."""


# Helpers.


def test_grants_owner_and_indexes_survive_the_switch_on_postgres(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: the production layout (`casus migreer`: roles casus_projecties and casus_lezer with
    their grants), the household index `open_casussen` creates outside the DDL, and an index an
    operator made (an expression and a predicate), then two rebuilds. Should: every grant, owner and
    index of every read-model table as before, under the same names, and the runner's role still
    writing and the reader's still reading (and not writing)."""
    migreer(postgres_settings, alle())
    store = EventStore.open(postgres_settings)
    try:
        views = bijgewerkt(store, populatie(ijmond, gelderland, 4))
        open_casussen(views, "HH-niemand")
        views.create(["CREATE INDEX IF NOT EXISTS caseload_open_gemeente ON caseload (lower(gemeente)) WHERE status = 'open'"])
        tabellen = list(dict.fromkeys(t for p in alle() for t in p.tables))

        def stand() -> tuple[list[tuple[Any, ...]], ...]:
            rechten = views.query(
                "SELECT c.relname, r.rolname, a.privilege_type, a.is_grantable, pg_get_userbyid(c.relowner) AS eigenaar FROM pg_class c"
                " CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee WHERE c.relname = ANY(%s)",
                (tabellen,),
            )
            indexen = views.query("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", (tabellen,))
            sleutels = views.query(
                "SELECT conrelid::regclass::text AS tabel, conname, contype FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
                (tabellen,),
            )
            return tuple(sorted(tuple(r.values()) for r in rijen) for rijen in (rechten, indexen, sleutels))

        voor = stand()
        assert any(r[1] == "casus_lezer" for r in voor[0]) and any(r[1] == "caseload_huishouden" for r in voor[1])
        for _ in range(2):
            Herbouw(store, views, alle()).run()
        assert stand() == voor
        with rol(postgres_settings, "casus_projecties") as schrijver, pg(postgres_settings, user=schrijver) as runner_conn:
            runner_conn.execute("UPDATE caseload SET versie = versie")
            runner_conn.execute("DELETE FROM quarantaine WHERE positie < 0")
        with rol(postgres_settings, "casus_lezer") as lezer, pg(postgres_settings, user=lezer) as lezer_conn:
            assert lezer_conn.execute("SELECT count(*) FROM termijnen").fetchone() == (len(dump(views)["termijnen"]),)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                lezer_conn.execute("DELETE FROM caseload")
    finally:
        store.close()


def test_indexes_made_outside_the_ddl_survive_the_switch_on_sqlite(tmp_path: Path, ijmond: Regelset, gelderland: Regelset) -> None:
    """Attack: on SQLite, the household index `open_casussen` creates outside the DDL and an index an
    operator made (an expression and a predicate), then two rebuilds. Should: the same indexes, by
    name and definition, and the query plan still uses the household index."""
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    try:
        views = bijgewerkt(store, populatie(ijmond, gelderland, 4))
        open_casussen(views, "HH-niemand")
        views.create(["CREATE INDEX IF NOT EXISTS caseload_open_gemeente ON caseload (lower(gemeente)) WHERE status = 'open'"])

        def indexen() -> list[tuple[Any, ...]]:
            return sorted(tuple(r.values()) for r in views.query("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"))

        voor = indexen()
        assert any(r[0] == "caseload_huishouden" for r in voor)
        for _ in range(2):
            Herbouw(store, views, alle()).run()
        assert indexen() == voor
        plan = views.query("EXPLAIN QUERY PLAN SELECT casus_id FROM caseload WHERE huishouden = %s AND status = 'open'", ("HH-x",))
        assert any("caseload_huishouden" in str(r["detail"]) for r in plan), plan
    finally:
        store.close()


def test_a_rebuild_of_an_empty_store_then_appends_end_in_the_incremental_rows(
    store: EventStore, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: a rebuild of a store with no event at all (the head is 0: nothing to follow, positions
    set to 0 by hand, on PostgreSQL parts with nothing to read), twice, then appends. Should: the
    rebuild succeeds, the runner follows from 0, and the rows are the incremental runner's."""
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    for _ in range(2):
        uitkomst = Herbouw(store, views, alle()).run()
        assert uitkomst.positie == 0 and uitkomst.rijen == 0
    assert {p.name: views.position(p.name) for p in alle()} == {p.name: 0 for p in alle()}
    schrijf_verweven(store, populatie(ijmond, gelderland, 4))
    runner.catch_up()
    na = zonder_moment(dump(views))
    assert len(na["caseload"]) == 4
    assert incrementeel_opnieuw(views, store) == na


def test_postgres_parts_with_gaps_in_the_ids_and_prepared_statements_end_in_postgres_incremental_rows(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: on PostgreSQL, notification ids with gaps (appends rolled back: the sequence moved on),
    poison rows among the casussen, four parts side by side, and a runner that has run long enough for
    psycopg to have prepared its statements on the tables the switch drops (the existing test compares
    with a SQLite runner; here PostgreSQL's own SQL is the reference). The runner keeps following
    throughout. Should: after it catches up, exactly the rows (and quarantine) of an incremental
    PostgreSQL runner over the same log, and no runner error."""
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        runner = ProjectionRunner(store, views, alle(), batch=3)

        def gat() -> None:
            with pg(postgres_settings) as db:
                db.execute("SELECT nextval('casus_events_notification_id_seq') FROM generate_series(1, 7)")

        for _ in range(3):
            schrijf_verweven(store, populatie(ijmond, gelderland, 4))
            gat()
        ziek = casus(store, ijmond)
        v, h, topic = laatste(store, ziek)
        voeg_rauw_toe(postgres_settings, ziek, v + 1, topic, verpak(h, ziek, v + 1, topic, '{"type": "Onzin"}')[0])
        runner.catch_up()  # dozens of batches: every statement prepared on the live tables

        stop = threading.Event()

        def schrijf() -> None:
            while not stop.is_set():
                schrijf_verweven(store, populatie(ijmond, gelderland, 2), stuk=2)
                gat()

        schrijver, schrijffout = op_de_achtergrond(schrijf)
        volger, volgfout = op_de_achtergrond(lambda: runner.run(stop, 0.01))
        try:
            for _ in range(2):
                uitkomst = Herbouw(store, views, alle(), delen=4).run()
                assert uitkomst.positie > 0
                time.sleep(0.3)
        finally:
            stop.set()
            schrijver.join(60)
            volger.join(60)
        assert not fouten(schrijffout, volgfout), fouten(schrijffout, volgfout)
        runner.catch_up()
        assert all(views.position(p.name) == store.head() for p in alle())
        na = zonder_moment(dump(views))
        assert [q.soort for q in in_quarantaine(views)] == ["ongeldig"]
        assert na == incrementeel_opnieuw(views, store)
    finally:
        store.close()


def test_a_rebuild_of_termijnen_alone_leaves_the_other_read_models_untouched(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: `--naam termijnen` while a runner of every read model follows and writers append.
    Should: the other read models' tables are the same tables (PostgreSQL: same oid; SQLite: same
    root page) and their positions are never set back; after the runner catches up every read model
    holds the incremental rows."""
    postgres = store_settings.eventstore == "postgres"
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle(), batch=11)
    schrijf_verweven(store, populatie(ijmond, gelderland, 12))
    runner.catch_up()
    anderen = [t for p in alle() if p.name != "termijnen" for t in p.tables if t != "quarantaine"]

    def identiteit() -> dict[str, object]:
        if postgres:
            rijen = views.query("SELECT relname AS naam, oid::bigint AS id FROM pg_class WHERE relname = ANY(%s)", (anderen,))
        else:
            rijen = views.query("SELECT name AS naam, rootpage AS id FROM sqlite_master WHERE type = 'table'")
        return {r["naam"]: r["id"] for r in rijen if r["naam"] in anderen}

    voor = identiteit()
    stop = threading.Event()

    def schrijf() -> None:
        while not stop.is_set():
            schrijf_verweven(store, populatie(ijmond, gelderland, 2), stuk=2)

    schrijver, schrijffout = op_de_achtergrond(schrijf)
    volger, volgfout = op_de_achtergrond(lambda: runner.run(stop, 0.01))
    posities: list[dict[str, int]] = []
    try:
        time.sleep(0.3)
        posities.append({p.name: views.position(p.name) for p in alle() if p.name != "termijnen"})
        uitkomst = Herbouw(store, views, [Termijnen()]).run()
        posities.append({p.name: views.position(p.name) for p in alle() if p.name != "termijnen"})
    finally:
        stop.set()
        schrijver.join(60)
        volger.join(60)
    assert not fouten(schrijffout, volgfout), fouten(schrijffout, volgfout)
    assert uitkomst.tabellen == Termijnen.tables  # the quarantine travels with caseload
    assert all(posities[1][n] >= posities[0][n] for n in posities[0]), posities
    assert identiteit() == voor
    runner.catch_up()
    assert zonder_moment(dump(views)) == incrementeel_opnieuw(views, store)
