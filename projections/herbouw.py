"""A rebuild beside the running system (blue/green). The live read models keep serving and the
runner keeps following the log while a rebuild:

1. notes the log's head H (appends commit in order, so every event up to H is there);
2. follows the log from the first event up to H into a workplace of its own: a temporary SQLite
   file holding the same tables, where each read model applies its batches with its own SQL (the
   same statements it runs on the embedded store, so the rows are the rows the runner makes);
3. copies every table into a fresh table beside the live one (`<table>__nieuw`), with `COPY` on
   PostgreSQL (each part writes its rows in COPY's text form as it finishes, side by side, so the
   switch only streams them) and one `INSERT ... SELECT` from the attached workplace on SQLite,
   and only then builds the live table's indexes on it;
4. switches: under the swap lock, drops each live table, gives the fresh one its name (its indexes
   and, on PostgreSQL, its grants) and sets each read model's position to H, in one transaction.

The runner takes the same lock for each batch and checks inside it that its position is still the
one it read (projections/runner.py): a batch begun before a switch is abandoned and the runner
goes on from the new tables' position. On PostgreSQL the lock is a transaction-level advisory lock
(shared for the runner, exclusive for the switch) and steps 3 and 4 are one transaction, so a
rebuild that dies anywhere leaves the live tables as they were; on SQLite every writing
transaction already holds the database's write lock. One rebuild at a time: a session advisory
lock on PostgreSQL, a lock on a file beside the database on SQLite."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import structlog

from eventstore.ruwe_log import Rij
from eventstore.store import EventStore
from eventstore.views import WISSEL_DDL, PostgresViewStore, SQLiteSql, SQLiteViewStore, ViewStore
from projections import quarantaine, wissel
from projections.basis import Projection, Voortgang, zonder_cyclusopruiming
from projections.quarantaine import Keuring
from projections.wissel import NIEUW, HerbouwBezigError, HerbouwMisluktError
from projections.wissel_postgres import PostgresDoel
from projections.wissel_sqlite import SQLiteDoel

log = structlog.get_logger()

MAX_DELEN = 4
"""At most this many processes read and apply the log side by side (PostgreSQL; one per core)."""
AFSLUITEN_S = 5.0
"""How long a finished part gets to close its connections and end before it is stopped."""


@dataclass(frozen=True)
class Uitkomst:
    positie: int
    """The log's head the new tables were built up to: the runner follows on from here."""
    tabellen: tuple[str, ...]
    rijen: int


def tabellen_van(projecties: Sequence[Projection]) -> tuple[str, ...]:
    """Every table the chosen read models write. The quarantine travels with `caseload` (its
    `tables`): a rebuild of only some other read model leaves it, and the verdicts the read models
    not rebuilt were kept by, as they are."""
    return tuple(dict.fromkeys(t for p in projecties for t in p.tables))


class Herbouw:
    def __init__(
        self, store: EventStore, views: ViewStore, projecties: Sequence[Projection], batch: int = 5000, delen: int | None = None
    ) -> None:  # fmt: skip
        self.store = store
        self.views = views
        self.projecties = tuple(projecties)
        self.batch = batch
        if isinstance(views, PostgresViewStore):
            self.doel: wissel.Doel = PostgresDoel(views)
            self.delen = delen or min(os.cpu_count() or 1, MAX_DELEN)
        elif isinstance(views, SQLiteViewStore):
            self.doel = SQLiteDoel(views)
            self.delen = 1
        else:
            raise TypeError(f"no rebuild beside the live tables for {type(views).__name__}")

    def run(self, voortgang: Voortgang | None = None) -> Uitkomst:
        with self.doel.alleen():
            for ddl in (WISSEL_DDL, quarantaine.DDL, *(p.ddl for p in self.projecties)):
                self.views.create(ddl)
            tabellen = tabellen_van(self.projecties)
            self.doel.mag(tabellen)  # before the log is followed, not after
            tot = self.store.head()
            map_ = self.doel.werkmap()
            # Under the rebuild's lock: what a killed rebuild left (a copy of the read models) goes first.
            shutil.rmtree(map_, ignore_errors=True)
            map_.mkdir(mode=0o700, parents=True)
            try:
                paden = [map_ / f"werkplaats-{k}.db" for k in range(self.delen)]
                werk = _Werk(self.projecties, tot, self.batch, lambda werkplaats, pad: self.doel.klaarzetten(werkplaats, pad, tabellen))
                # The parts start first; the switch takes each workplace as its part finishes it.
                with _Delen(self.store, paden, werk) as delen, contextlib.closing(delen.klaar(voortgang)) as klaar:
                    rijen = self.doel.wissel(klaar, tabellen, [p.name for p in self.projecties], tot)
            finally:
                shutil.rmtree(map_, ignore_errors=True)
        log.info("read models rebuilt beside the runner and switched", positie=tot, tabellen=tabellen, rijen=rijen, delen=self.delen)
        return Uitkomst(tot, tabellen, rijen)


class _Delen:
    """The parts of a rebuild. With one, it follows the log in this process when asked for its
    workplace. With more, each part of the casussen follows it in a process of its own (forked:
    nothing to import again), each with its own connection and workplace, started on entering;
    on leaving, every part has ended (a finished one by itself, any other stopped)."""

    def __init__(self, store: EventStore, paden: Sequence[Path], werk: _Werk) -> None:
        self.store, self.paden, self.werk = store, paden, werk
        ctx = multiprocessing.get_context("fork")
        self.standen = [ctx.Value("q", 0, lock=False) for _ in paden]
        self.klaar_gemeld = [ctx.Value("b", 0, lock=False) for _ in paden]
        self.fouten = [pad.with_suffix(".fout") for pad in paden]
        self.kinderen: list[BaseProcess] = [] if len(paden) == 1 else [
            ctx.Process(target=_deel, args=(store, pad, werk, (k, len(paden)), stand, klaar, fout, os.getpid()),
                        name=f"casus-herbouw-{k}", daemon=True)
            for k, (pad, stand, klaar, fout) in enumerate(zip(paden, self.standen, self.klaar_gemeld, self.fouten, strict=True))
        ]  # fmt: skip
        self.geleverd: set[int] = set()
        self.gestopt: set[int] = set()

    def __enter__(self) -> _Delen:
        for kind in self.kinderen:
            kind.start()
        return self

    def __exit__(self, *_fout: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Every part ended: a finished one by itself, any other stopped (named in `gestopt`)."""
        for k, kind in enumerate(self.kinderen):
            if kind.is_alive() and k in self.geleverd:
                kind.join(AFSLUITEN_S)  # finished: it closes its connections and ends by itself
            if kind.is_alive():
                self.gestopt.add(k)
                kind.terminate()
            kind.join()

    def klaar(self, voortgang: Voortgang | None) -> Generator[Path, None, None]:
        """Each workplace as soon as its part says it is finished (not when its process has ended);
        the first part that fails stops the rest. Every part has finished, and the commit point
        `herbouw-gevolgd` is passed, when this ends."""
        if not self.kinderen:
            _volg(self.store, self.paden[0], self.werk, (0, 1), voortgang)
            yield self.paden[0]
        else:
            yield from self._naast_elkaar(voortgang)
            if len(self.geleverd) < len(self.kinderen):
                self.stop()
                niet_af = [k for k in range(len(self.kinderen)) if k not in self.geleverd]
                k = next((k for k in niet_af if k not in self.gestopt), niet_af[0])
                reden = self.fouten[k].read_text(encoding="utf-8") if self.fouten[k].exists() else f"exit code {self.kinderen[k].exitcode}"
                raise HerbouwMisluktError(f"part {k + 1} of {len(self.kinderen)} of the rebuild failed: {reden}")
            if voortgang is not None:
                voortgang(self.werk.tot, self.werk.tot)
        wissel.punt("herbouw-gevolgd")

    def _naast_elkaar(self, voortgang: Voortgang | None) -> Generator[Path, None, None]:
        kinderen, klaar = self.kinderen, self.klaar_gemeld
        volgende_melding = time.monotonic()
        while len(self.geleverd) < len(kinderen):
            for k in range(len(kinderen)):
                if k not in self.geleverd and klaar[k].value:
                    self.geleverd.add(k)
                    yield self.paden[k]
            wachtend = [k for k in range(len(kinderen)) if k not in self.geleverd]
            if any(kinderen[k].exitcode is not None for k in wachtend):
                if any(klaar[k].value for k in wachtend):
                    continue  # it finished, and ended, after the look above
                return  # a part ended without finishing: it failed
            connection.wait([kinderen[k].sentinel for k in wachtend], timeout=0.005)
            wissel.punt("herbouw-wacht")
            if voortgang is not None and time.monotonic() >= volgende_melding:  # ten times a second at most
                voortgang(min(int(stand.value) for stand in self.standen), self.werk.tot)
                volgende_melding = time.monotonic() + 0.1


@dataclass(frozen=True)
class _Werk:
    """What each part follows, and what it leaves for the switch."""

    projecties: tuple[Projection, ...]
    tot: int
    batch: int
    klaarzetten: Callable[[sqlite3.Connection, Path], None]
    """Called with the finished workplace (wissel.Doel.klaarzetten)."""


def _deel(store: EventStore, pad: Path, werk: _Werk, deel: tuple[int, int], stand: Any, klaar: Any, fout: Path, ouder: int) -> None:
    """A forked part: the parent's connections are never touched here, the store opened anew. Says
    it is finished (`klaar`) once its workplace is complete; the switch may take it from then on."""
    try:
        eigen = store.opnieuw_geopend()
        try:
            _volg(eigen, pad, werk, deel, lambda na, _tot: setattr(stand, "value", na), ouder)
            klaar.value = 1
        finally:
            eigen.close()
    except BaseException as e:
        fout.write_text(f"{type(e).__name__}: {e}", encoding="utf-8")
        raise


def _volg(store: EventStore, pad: Path, werk: _Werk, deel: tuple[int, int], voortgang: Voortgang | None, ouder: int | None = None) -> None:
    """The log (or a part of its casussen) from the first event up to `tot`, checked as the runner
    checks it, into a workplace."""
    projecties, tot, batch = werk.projecties, werk.tot, werk.batch
    werkplaats = _maak_werkplaats(pad, projecties)
    try:
        keuring = Keuring(store)
        for rijen in _gelezen(store, tot, batch, deel):
            if ouder is not None and os.getppid() != ouder:
                raise SystemExit("the rebuild that started this part is gone")
            with zonder_cyclusopruiming():
                _pas_toe(werkplaats, keuring, projecties, rijen)
            wissel.punt("herbouw-deel")
            if voortgang is not None:
                voortgang(rijen[-1][0], tot)
        werkplaats.execute("COMMIT")
        werk.klaarzetten(werkplaats, pad)
        if voortgang is not None:
            voortgang(tot, tot)
    finally:
        werkplaats.close()


def _pas_toe(werkplaats: sqlite3.Connection, keuring: Keuring, projecties: Sequence[Projection], rijen: list[Rij]) -> None:
    """One batch, checked and applied. A function of its own, so that the batch's events are freed
    when it returns, before the cycle collector runs again (it would walk every one of them)."""
    items, verdacht = keuring.keur(rijen)
    sql = SQLiteSql(werkplaats.cursor())
    for p in projecties:
        if items:
            p.apply(sql, items)
    quarantaine.noteer(sql, verdacht)


def _gelezen(store: EventStore, tot: int, batch: int, deel: tuple[int, int]) -> Iterator[list[Rij]]:
    """The part's rows of the log up to `tot`, a range of positions at a time (about `batch` of the
    part's rows in each); the next range is read on a thread while the caller applies this one, so
    that the database and the part work at the same time."""
    stap = batch * deel[1]

    def lees(na: int) -> tuple[int, list[Rij]]:
        while na < tot:
            hoog = min(na + stap, tot)
            if rijen := store.log_ruw_deel(na, hoog, deel):
                return hoog, rijen
            # None of the part's rows here: past a gap in the positions, however wide, at once.
            volgende = store.log_ruw(hoog, 1)
            na = min(volgende[0][0] - 1, tot) if volgende else tot
        return tot, []

    with ThreadPoolExecutor(1, thread_name_prefix="casus-herbouw-lezen") as lezer:
        volgende = lezer.submit(lees, 0)
        while True:
            na, rijen = volgende.result()
            if na < tot:
                volgende = lezer.submit(lees, na)
            if rijen:
                yield rijen
            if na >= tot:
                return


def _maak_werkplaats(pad: Path, projecties: Sequence[Projection]) -> sqlite3.Connection:
    """A SQLite file of the rebuild's own: no journal and no syncing (it is thrown away whole if the
    rebuild stops), one transaction for the whole run. Without the read models' secondary indexes:
    they serve the tables' readers, never the read models' own statements (which find their rows by
    key; a test holds every statement to that), and the switch builds them on the fresh tables."""
    c = sqlite3.connect(pad, isolation_level=None, check_same_thread=False)
    c.row_factory = sqlite3.Row
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = MEMORY", "cache_size = -262144"):
        c.execute(f"PRAGMA {pragma}")
    c.execute("BEGIN")
    for statement in (*quarantaine.DDL, *(s for p in projecties for s in p.ddl)):
        if not statement.lstrip().upper().startswith("CREATE INDEX"):
            c.execute(statement)
    return c


__all__ = ["NIEUW", "Herbouw", "HerbouwBezigError", "HerbouwMisluktError", "Uitkomst", "tabellen_van"]
