"""A rebuild beside the running system (issue 15), on SQLite and PostgreSQL: while writers append and
the runner follows, rebuilds build new tables and switch; the live tables keep answering reads all
the while, and afterwards the read models hold exactly the rows an incremental runner makes from
the same log into a store of its own. A rebuild that fails leaves the live tables as they were; a
second rebuild at the same time is refused."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections import herbouw_delen, wissel, wissel_postgres
from projections.alle import alle
from projections.herbouw import Herbouw, HerbouwBezigError, HerbouwMisluktError
from projections.runner import ProjectionRunner
from projections.wissel_postgres import PostgresDoel
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


@contextmanager
def _gevuld(settings: Settings, ijmond: Regelset, gelderland: Regelset) -> Iterator[tuple[EventStore, ViewStore]]:
    """A store with casussen, its read models followed."""
    store = EventStore.open(settings)
    try:
        views = open_views(store.infrastructure)
        schrijf_verweven(store, populatie(ijmond, gelderland, 12))
        ProjectionRunner(store, views, alle()).catch_up()
        yield store, views
    finally:
        store.close()


def _als_voorheen(views: ViewStore, voor: object, posities: dict[str, int]) -> None:
    """The live tables and positions as they were, and no fresh table left."""
    assert dump(views) == voor
    assert {p.name: views.position(p.name) for p in alle()} == posities
    nieuw = views.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE %s", ("%__nieuw",))
    assert not nieuw, nieuw


def _tweede_deel_eerst(monkeypatch: pytest.MonkeyPatch, doe: Callable[[], None]) -> None:
    """The second part of a rebuild does `doe` before it follows the log (patched before the fork:
    the parts run it)."""
    volg = herbouw_delen._volg

    def tweede(store: EventStore, pad: Path, werk: object, deel: tuple[int, int], *rest: object) -> None:
        if deel[0] == 1:
            doe()
        volg(store, pad, werk, deel, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(herbouw_delen, "_volg", tweede)


def _tweede_deel_faalt(store: EventStore, views: ViewStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A two-part rebuild whose second part dies (as patched by the caller): the files the switch
    streamed in before it failed."""
    gekopieerd: list[str] = []
    kopieer = PostgresDoel._kopieer
    monkeypatch.setattr(
        PostgresDoel, "_kopieer", lambda self, cur, bestand, *a: gekopieerd.append(bestand.name) or kopieer(self, cur, bestand, *a)
    )
    with pytest.raises(HerbouwMisluktError, match="part 2 of 2 of the rebuild failed: RuntimeError: the second part dies"):
        Herbouw(store, views, alle(), delen=2).run()
    return gekopieerd


def test_a_part_that_fails_after_another_was_streamed_in_leaves_the_live_tables_as_they_were(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch streams each part's rows into the fresh tables as soon as that part has finished,
    while the others still work: a part that fails after that is named, and nothing of the ones
    already streamed in reaches the live tables (one transaction, rolled back)."""
    with _gevuld(postgres_settings, ijmond, gelderland) as (store, views):
        voor, posities = dump(views), {p.name: views.position(p.name) for p in alle()}

        def faalt_laat() -> None:
            time.sleep(1.5)  # the first part has long finished and been streamed in by now
            raise RuntimeError("the second part dies after the first was taken")

        _tweede_deel_eerst(monkeypatch, faalt_laat)
        gekopieerd = _tweede_deel_faalt(store, views, monkeypatch)
        assert gekopieerd and all(naam.startswith("werkplaats-0.") for naam in gekopieerd), gekopieerd
        _als_voorheen(views, voor, posities)


def test_a_part_that_fails_while_its_tables_are_streamed_in_leaves_the_live_tables_as_they_were(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch streams each table of a part in as soon as the part has written it out, while the
    part writes the next: a part that dies after its first table was taken is named, and nothing of
    what was streamed in reaches the live tables."""
    with _gevuld(postgres_settings, ijmond, gelderland) as (store, views):
        voor, posities = dump(views), {p.name: views.position(p.name) for p in alle()}
        schrijf = wissel_postgres.schrijf_copytekst

        def faalt_na_de_eerste(werkplaats: Any, pad: Path, tabellen: Any, levend: Any, gereed: Callable[[int], None]) -> None:
            def na(n: int) -> None:
                gereed(n)
                if pad.name == "werkplaats-1.db":
                    time.sleep(1.5)  # the switch takes the table meanwhile
                    raise RuntimeError("the second part dies after its first table was taken")

            schrijf(werkplaats, pad, tabellen, levend, na)

        monkeypatch.setattr(wissel_postgres, "schrijf_copytekst", faalt_na_de_eerste)  # before the fork: the parts run it
        gekopieerd = _tweede_deel_faalt(store, views, monkeypatch)
        eerste = f"werkplaats-1.{alle()[0].tables[0]}.copy"
        assert eerste in gekopieerd and not any(n.startswith("werkplaats-1.") and n != eerste for n in gekopieerd), gekopieerd
        _als_voorheen(views, voor, posities)


def _herbouw_op_de_achtergrond(store: EventStore, views: ViewStore, stil_s: float, batch: int = 5000) -> list[BaseException | None]:
    """A two-part rebuild with a limit on silence, on a thread, waited for at most a minute; every
    part it left is killed, and the test fails if there was one or if it still ran."""
    uitkomst: list[BaseException | None] = []

    def herbouwen() -> None:
        try:
            Herbouw(store, views, alle(), batch=batch, delen=2, stil_s=stil_s).run()
            uitkomst.append(None)
        except BaseException as e:  # the test reports it
            uitkomst.append(e)

    draad = threading.Thread(target=herbouwen, daemon=True)
    draad.start()
    draad.join(60)
    blijvers = multiprocessing.active_children()
    for kind in blijvers:
        kind.kill()
    assert not draad.is_alive(), "the rebuild still waits for a part"
    assert not blijvers, blijvers
    return uitkomst


def _sloten_van_de_wissel(views: ViewStore) -> int:
    """The table locks the rebuild's sessions hold (its switch's transaction); its session-level
    advisory lock, held for the whole rebuild, is not one."""
    rijen = views.query(
        "SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE a.application_name = 'casus-herbouw' AND a.datname = current_database() AND l.locktype = 'relation'"
    )
    return int(rijen[0]["n"])


def test_a_part_that_hangs_is_stopped_after_the_switch_let_go_and_the_live_tables_stay_as_they_were(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part that stops without ending halfway (here: SIGSTOP after its first batch, which SIGTERM
    does not end either) is taken to hang once it shows no sign of life for the limit: the rebuild
    fails naming it, lets go of the switch's transaction (and so of its locks on the live tables)
    before it stops the parts, kills the one that hung, and leaves the live tables as they were."""
    with _gevuld(postgres_settings, ijmond, gelderland) as (store, views):
        voor, posities = dump(views), {p.name: views.position(p.name) for p in alle()}
        pas_toe, batches = herbouw_delen._pas_toe, [0]

        def tweede_hangt_na_een_batch(*a: Any) -> None:
            if multiprocessing.current_process().name == "casus-herbouw-1" and batches[0] == 1:
                time.sleep(0.5)  # the first part finishes meanwhile: the switch's transaction is open
                os.kill(os.getpid(), signal.SIGSTOP)
            batches[0] += 1
            pas_toe(*a)

        sloten: list[int] = []
        stop = herbouw_delen.Delen.stop
        monkeypatch.setattr(herbouw_delen, "_pas_toe", tweede_hangt_na_een_batch)  # before the fork: the parts run it
        monkeypatch.setattr(herbouw_delen.Delen, "stop", lambda self: sloten.append(_sloten_van_de_wissel(views)) or stop(self))
        uitkomst = _herbouw_op_de_achtergrond(store, views, stil_s=1.5, batch=10)
        assert isinstance(uitkomst[0], HerbouwMisluktError), uitkomst
        assert "part 2 of 2 of the rebuild failed: it showed no sign of life for 1.5 s" in str(uitkomst[0]), uitkomst
        assert sloten == [0], f"the switch still held {sloten} table locks while the parts were stopped"
        _als_voorheen(views, voor, posities)
        assert _sloten_van_de_wissel(views) == 0


def test_a_slow_part_that_shows_signs_of_life_is_not_taken_to_hang(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The limit is on silence, not on the rebuild's length: parts whose every batch takes a quarter
    of the limit, over twice the limit in all, finish and switch."""
    with _gevuld(postgres_settings, ijmond, gelderland) as (store, views):
        pas_toe = herbouw_delen._pas_toe
        monkeypatch.setattr(herbouw_delen, "_pas_toe", lambda *a: time.sleep(0.5) or pas_toe(*a))  # type: ignore[func-returns-value]
        begin = time.monotonic()
        assert _herbouw_op_de_achtergrond(store, views, stil_s=2.0, batch=5) == [None]
        assert time.monotonic() - begin > 4.0, "too few batches to outlast the limit"
        assert dump(views) == dump(_eigen_weergave(tmp_path, store))


def test_a_rebuild_paused_whole_is_not_taken_to_hang_when_it_goes_on(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The rebuild and its parts all paused together for longer than the limit (a stopped terminal,
    a frozen container, a suspended machine): when they go on, the parts' silence while the rebuild
    itself was not looking does not count against them, and the rebuild switches."""
    with _gevuld(postgres_settings, ijmond, gelderland) as (store, views):
        punt, ouder, gepauzeerd, begin = wissel.punt, os.getpid(), [], time.monotonic()
        pas_toe = herbouw_delen._pas_toe
        monkeypatch.setattr(herbouw_delen, "_pas_toe", lambda *a: time.sleep(0.2) or pas_toe(*a))  # type: ignore[func-returns-value]

        def pauzeer_alles(naam: str) -> None:
            # Paused once the parts are at work (not while they connect: a pool's wait for a
            # connection runs on through a pause, and would end in its own timeout).
            if naam == "herbouw-wacht" and os.getpid() == ouder and not gepauzeerd and time.monotonic() - begin > 1.5:
                gepauzeerd.append([kind.pid for kind in multiprocessing.active_children()])
                for pid in gepauzeerd[0]:
                    os.kill(pid, signal.SIGSTOP)
                time.sleep(5.0)  # the rebuild's own process sleeps meanwhile: it looks at nothing
                for pid in gepauzeerd[0]:
                    os.kill(pid, signal.SIGCONT)
            punt(naam)

        monkeypatch.setattr(wissel, "punt", pauzeer_alles)
        assert _herbouw_op_de_achtergrond(store, views, stil_s=2.0, batch=5) == [None]
        assert gepauzeerd and len(gepauzeerd[0]) == 2, gepauzeerd
        assert dump(views) == dump(_eigen_weergave(tmp_path, store))
