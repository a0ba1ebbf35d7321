"""The parts of a rebuild on PostgreSQL (projections/herbouw_delen.py) that fail, hang or go
slowly: a part that dies after others were streamed in, or while its own tables are; a part that
hangs, one that is slow but alive, and a rebuild paused whole. The live tables stay as they were
whenever the rebuild fails."""

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

import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections import herbouw_delen, wissel, wissel_postgres
from projections.alle import alle
from projections.herbouw import Herbouw, HerbouwMisluktError
from projections.runner import ProjectionRunner
from projections.wissel_postgres import PostgresDoel
from runtime.settings import Settings
from tests.integration.test_herbouw_naast_runner import _eigen_weergave
from tests.integration.test_projecties import dump, populatie, schrijf_verweven


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
