"""A rebuild beside the running system (issue 15), on SQLite and PostgreSQL: while writers append and
the runner follows, rebuilds build new tables and switch; the live tables keep answering reads all
the while, and afterwards the read models hold exactly the rows an incremental runner makes from
the same log into a store of its own. A rebuild that fails leaves the live tables as they were; a
second rebuild at the same time is refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections.alle import alle
from projections.herbouw import Herbouw, HerbouwBezigError
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.integration.test_projecties import dump, populatie, schrijf_verweven


def _op_de_achtergrond(doe: Callable[[threading.Event], None]) -> tuple[threading.Thread, threading.Event, list[BaseException]]:
    stop, fouten = threading.Event(), []

    def draai() -> None:
        try:
            doe(stop)
        except BaseException as e:  # the test reports it
            fouten.append(e)

    draad = threading.Thread(target=draai, daemon=True)
    draad.start()
    return draad, stop, fouten


def _eigen_weergave(tmp_path: Path, store: EventStore) -> ViewStore:
    """The same log, followed incrementally in small batches into a SQLite store of its own."""
    apart = EventStore.open(Settings(state_dir=tmp_path / "vergelijk", eventstore="sqlite"))
    views = open_views(apart.infrastructure)
    ProjectionRunner(store, views, alle(), batch=7).catch_up()
    return views


def test_rebuilds_beside_appends_and_a_following_runner_end_in_the_incremental_rows(
    store: EventStore, ijmond: Regelset, gelderland: Regelset, tmp_path: Path
) -> None:
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle(), batch=11)
    schrijf_verweven(store, populatie(ijmond, gelderland, 30))
    runner.catch_up()

    def schrijf(stop: threading.Event) -> None:
        while not stop.is_set():
            schrijf_verweven(store, populatie(ijmond, gelderland, 4), stuk=2)

    lezingen: list[int] = []

    def lees(stop: threading.Event) -> None:
        while not stop.is_set():  # the live tables answer throughout
            lezingen.append(len(views.query("SELECT casus_id FROM caseload")))

    schrijver, stop_schrijver, schrijffouten = _op_de_achtergrond(schrijf)
    volger, stop_volger, volgfouten = _op_de_achtergrond(lambda stop: runner.run(stop, 0.01))
    lezer, stop_lezer, leesfouten = _op_de_achtergrond(lees)
    uitkomsten = []
    try:
        for _ in range(3):
            time.sleep(0.3)
            uitkomsten.append(Herbouw(store, views, alle(), batch=50).run())
    finally:
        stop_schrijver.set()
        schrijver.join(60)
        stop_lezer.set()
        lezer.join(60)
    head = store.head()
    einde = time.monotonic() + 60
    while min(views.position(p.name) for p in alle()) < head and time.monotonic() < einde:
        time.sleep(0.05)
    stop_volger.set()
    volger.join(60)
    assert not schrijffouten and not volgfouten and not leesfouten, (schrijffouten, volgfouten, leesfouten)
    assert [u.positie for u in uitkomsten] == sorted(u.positie for u in uitkomsten) and uitkomsten[-1].positie < head
    assert min(lezingen) >= 30, "a read met an empty or missing table during a rebuild"
    assert dump(views) == dump(_eigen_weergave(tmp_path, store))


def test_a_rebuild_that_fails_before_the_switch_leaves_the_live_tables_as_they_were(
    store: EventStore, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    views = open_views(store.infrastructure)
    schrijf_verweven(store, populatie(ijmond, gelderland, 6))
    ProjectionRunner(store, views, alle()).catch_up()
    voor = dump(views)
    posities = {p.name: views.position(p.name) for p in alle()}

    def valt_om(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the rebuild dies here")

    monkeypatch.setattr(type(Herbouw(store, views, alle()).doel), "_vervang", valt_om)
    with pytest.raises(RuntimeError, match="dies here"):
        Herbouw(store, views, alle()).run()
    assert dump(views) == voor
    assert {p.name: views.position(p.name) for p in alle()} == posities
    monkeypatch.undo()
    Herbouw(store, views, alle()).run()  # nothing left over stands in the way of the next one
    assert dump(views) == voor


def test_a_second_rebuild_at_the_same_time_is_refused(store: EventStore, ijmond: Regelset, gelderland: Regelset) -> None:
    views = open_views(store.infrastructure)
    schrijf_verweven(store, populatie(ijmond, gelderland, 2))
    eerste = Herbouw(store, views, alle())
    with eerste.doel.alleen(), pytest.raises(HerbouwBezigError, match="another rebuild"):
        Herbouw(store, views, alle()).run()


@pytest.mark.parametrize("delen", [1, 2])
def test_a_rebuild_crosses_gaps_in_the_positions_however_wide(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, tmp_path: Path, delen: int
) -> None:
    """The parts read the log by ranges of positions: a range with none of a part's rows, or none at
    all (a sequence moved on by a billion, transactions rolled back), is passed, never taken for the
    end of the log, and never walked through range by range."""
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        schrijf_verweven(store, populatie(ijmond, gelderland, 6))
        s = postgres_settings
        verbinding = {"host": s.postgres_host, "port": s.postgres_port, "user": s.postgres_user, "dbname": s.postgres_dbname}
        with psycopg.connect(**verbinding, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute("SELECT setval(pg_get_serial_sequence('casus_events', 'notification_id'), 1000000007)")
            schrijf_verweven(store, populatie(ijmond, gelderland, 3))
            conn.execute("SELECT setval(pg_get_serial_sequence('casus_events', 'notification_id'), 1000000000000)")
            schrijf_verweven(store, populatie(ijmond, gelderland, 2))
        assert store.head() > 10**12
        gelezen: list[tuple[int, int]] = []
        origineel = store.log_ruw_deel
        store.log_ruw_deel = lambda na, tot, deel=(0, 1): gelezen.append((na, tot)) or origineel(na, tot, deel)  # type: ignore[method-assign]
        Herbouw(store, views, alle(), batch=5, delen=delen).run()
        assert dump(views) == dump(_eigen_weergave(tmp_path, store))
        assert len(gelezen) < 200, f"{len(gelezen)} reads: the gaps were walked through"
    finally:
        store.close()
