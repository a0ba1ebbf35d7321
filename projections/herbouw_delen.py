"""The parts of a rebuild (projections/herbouw.py): each follows the log, or its share of the
casussen, into a workplace of its own, checked as the runner checks it, and says when it is
finished; the rebuild takes each workplace as its part finishes it, and stops a part that fails or
hangs."""

from __future__ import annotations

import multiprocessing
import os
import signal
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
from eventstore.views import SQLiteSql
from projections import quarantaine, wissel
from projections.basis import Projection, Voortgang, zonder_cyclusopruiming
from projections.caseload import Caseload
from projections.quarantaine import Keuring
from projections.wissel import Gereed, HerbouwMisluktError
from runtime.signals import sterf_met_ouder

log = structlog.get_logger()

AFSLUITEN_S = 5.0
"""How long a finished part gets to close its connections and end before it is stopped, and a
stopped part to end before it is killed."""
GEHEUGEN = 10_000
"""How many casussen's folded states `caseload` keeps in memory in each part (about 15 KB each)."""
STIL_S = 120.0
"""A part that shows no sign of life for this long (a batch applied, a stretch of its COPY text
written) is taken to hang: the rebuild stops every part and fails, with the live tables as they
were, instead of waiting without end while the switch's transaction may already hold its locks."""


class Delen:
    """The parts of a rebuild. With one, it follows the log in this process when asked for its
    workplace. With more, each part of the casussen follows it in a process of its own (forked:
    nothing to import again), each with its own connection and workplace, started on entering;
    on leaving, every part has ended (a finished one by itself, any other stopped). A part that
    shows no sign of life for `stil_s` is taken to hang (`vastgelopen`). A part that fails or hangs
    ends the generator `klaar` with an error; the parts are stopped on leaving, once the switch has
    let go of its transaction."""

    def __init__(self, store: EventStore, paden: Sequence[Path], werk: Werk, stil_s: float = STIL_S) -> None:
        self.store, self.paden, self.werk, self.stil_s = store, paden, werk, stil_s
        ctx = multiprocessing.get_context("fork")
        self.standen = [ctx.Value("q", 0, lock=False) for _ in paden]
        self.tekens = [ctx.Value("q", 0, lock=False) for _ in paden]
        """Each part's signs of life, counted up by the part."""
        self.klaar_gemeld = [ctx.Value("i", 0, lock=False) for _ in paden]
        self.fouten = [pad.with_suffix(".fout") for pad in paden]
        self.kinderen: list[BaseProcess] = [] if len(paden) == 1 else [
            ctx.Process(target=_deel, args=(store, pad, werk, (k, len(paden)), _Seinen(stand, teken, klaar, os.getpid()), fout),
                        name=f"casus-herbouw-{k}", daemon=True)
            for k, (pad, stand, teken, klaar, fout)
            in enumerate(zip(paden, self.standen, self.tekens, self.klaar_gemeld, self.fouten, strict=True))
        ]  # fmt: skip
        self.geleverd: set[int] = set()
        """The parts that have finished."""
        self.gegeven = [0] * len(paden)
        """Per part, how many of its tables were handed to the switch."""
        self.vastgelopen: int | None = None
        self._gekeken = 0.0
        self._gemeld = -1
        """The position last told to the caller's `voortgang`: each once."""

    def __enter__(self) -> Delen:
        for kind in self.kinderen:
            kind.start()
        return self

    def __exit__(self, *_fout: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Every part ended: a finished one by itself, a hung one killed, any other stopped (killed
        if it does not end on SIGTERM, as a stopped process does not). A process the kernel cannot
        end (waiting on a dead disk) is left, named in the log, rather than waited for without end."""
        for k, kind in enumerate(self.kinderen):
            if kind.is_alive() and k in self.geleverd:
                kind.join(AFSLUITEN_S)  # finished: it closes its connections and ends by itself
            if kind.is_alive() and k != self.vastgelopen:
                kind.terminate()
                kind.join(AFSLUITEN_S)
            if kind.is_alive():
                kind.kill()
                kind.join(AFSLUITEN_S)
            if kind.is_alive():
                log.warning("a part of the rebuild did not end when killed", deel=k + 1, pid=kind.pid)

    def klaar(self, voortgang: Voortgang | None) -> Generator[Gereed, None, None]:
        """Each workplace's tables as soon as its part says they are ready (not when its process has
        ended); the first part that fails or hangs ends it with HerbouwMisluktError. Every part has
        finished, and the commit point `herbouw-gevolgd` is passed, when this ends."""
        if not self.kinderen:
            _volg(self.store, self.paden[0], self.werk, (0, 1), voortgang)
            yield Gereed(self.paden[0], self.werk.tabellen, True)
        else:
            yield from self._naast_elkaar(voortgang)
            if len(self.geleverd) < len(self.kinderen):
                # Not stopped here: the switch lets go of its transaction first (the parts are stopped on leaving).
                niet_af = [k for k in range(len(self.kinderen)) if k not in self.geleverd]
                k = self.vastgelopen if self.vastgelopen is not None else next(
                    (k for k in niet_af if self.kinderen[k].exitcode is not None), niet_af[0])  # fmt: skip
                if self.vastgelopen is not None:
                    reden = f"it showed no sign of life for {self.stil_s:g} s and is killed"
                elif self.fouten[k].exists():
                    reden = self.fouten[k].read_text(encoding="utf-8")
                else:
                    reden = f"exit code {self.kinderen[k].exitcode}"
                raise HerbouwMisluktError(f"part {k + 1} of {len(self.kinderen)} of the rebuild failed: {reden}")
            if voortgang is not None and self._gemeld != self.werk.tot:
                voortgang(self.werk.tot, self.werk.tot)
        wissel.punt("herbouw-gevolgd")

    def _naast_elkaar(self, voortgang: Voortgang | None) -> Generator[Gereed, None, None]:
        kinderen, klaar, tabellen = self.kinderen, self.klaar_gemeld, self.werk.tabellen
        volgende_melding = time.monotonic()
        # Per part: its last count of signs of life and since when; and when the parent last looked.
        gezien, self._gekeken = [(-1, volgende_melding)] * len(kinderen), volgende_melding
        while len(self.geleverd) < len(kinderen):
            for k in range(len(kinderen)):
                if k not in self.geleverd and (gemeld := int(klaar[k].value)) > (eerder := self.gegeven[k]):
                    self.gegeven[k] = gemeld
                    if gemeld >= len(tabellen):
                        self.geleverd.add(k)
                    yield Gereed(self.paden[k], tabellen[eerder:gemeld], gemeld >= len(tabellen))
            wachtend = [k for k in range(len(kinderen)) if k not in self.geleverd]
            if any(kinderen[k].exitcode is not None for k in wachtend):
                if any(klaar[k].value > self.gegeven[k] for k in wachtend):
                    continue  # it wrote more, or finished, and ended after the look above
                return  # a part ended without finishing: it failed
            if (stil := self._stil(wachtend, gezien)) is not None:
                self.vastgelopen = stil
                log.error("a part of the rebuild shows no sign of life; the rebuild stops", deel=stil + 1, seconden=self.stil_s)
                return
            connection.wait([kinderen[k].sentinel for k in wachtend], timeout=0.005)
            wissel.punt("herbouw-wacht")
            if voortgang is not None and time.monotonic() >= volgende_melding:  # ten times a second at most
                self._gemeld = min(int(stand.value) for stand in self.standen)
                voortgang(self._gemeld, self.werk.tot)
                volgende_melding = time.monotonic() + 0.1

    def _stil(self, wachtend: Sequence[int], gezien: list[tuple[int, float]]) -> int | None:
        """The first waiting part whose count of signs of life has not moved for `stil_s` while the
        parent looked. After a gap in its looking (the switch copying a part's rows, or the whole
        rebuild paused: a stopped terminal, a frozen container) every part's silence counts anew."""
        nu = time.monotonic()
        onderbroken, self._gekeken = nu - self._gekeken > 1.0, nu
        for k in wachtend:
            teken = int(self.tekens[k].value)
            if teken != gezien[k][0] or onderbroken:
                gezien[k] = (teken, nu)
            elif nu - gezien[k][1] >= self.stil_s:
                return k
        return None


@dataclass(frozen=True)
class _Seinen:
    """What a forked part tells the rebuild, in shared memory: the position it has reached, a count
    of its signs of life, and how many of its tables are ready for the switch (all of them: the
    part has finished)."""

    stand: Any
    teken: Any
    klaar: Any
    ouder: int
    """The rebuild's process: a part whose rebuild is gone stops at its next sign of life."""

    def levend(self) -> None:
        if os.getppid() != self.ouder:
            raise SystemExit("the rebuild that started this part is gone")
        self.teken.value += 1

    def voortgang(self, na: int, _tot: int) -> None:
        self.stand.value = na
        self.levend()

    def gereed(self, n: int) -> None:
        self.klaar.value = max(int(self.klaar.value), n)
        self.levend()


@dataclass(frozen=True)
class Werk:
    """What each part follows, and what it leaves for the switch."""

    projecties: tuple[Projection, ...]
    tot: int
    batch: int
    tabellen: tuple[str, ...]
    klaarzetten: Callable[[sqlite3.Connection, Path, Sequence[str], Callable[[], None], Callable[[int], None]], None]
    """Called with the finished workplace, its tables, a sign of life to give as it goes and one to
    give as its first n tables are ready (wissel.Doel.klaarzetten)."""


def _deel(store: EventStore, pad: Path, werk: Werk, deel: tuple[int, int], seinen: _Seinen, fout: Path) -> None:
    """A forked part: the parent's connections are never touched here, the store opened anew. Says
    how many of its tables are ready (`klaar`) once its workplace is complete, all of them when it
    has finished; the switch may take them from then on.
    Killed by the kernel when the rebuild's process dies, however that ends."""
    sterf_met_ouder(seinen.ouder, signal.SIGKILL)
    try:
        eigen = store.opnieuw_geopend()
        try:
            _volg(eigen, pad, werk, deel, seinen.voortgang, seinen.levend, seinen.gereed)  # the last table ready: finished
        finally:
            eigen.close()
    except BaseException as e:
        fout.write_text(f"{type(e).__name__}: {e}", encoding="utf-8")
        raise


def _volg(
    store: EventStore, pad: Path, werk: Werk, deel: tuple[int, int], voortgang: Voortgang | None, levend: Callable[[], None] = lambda: None,
    gereed: Callable[[int], None] = lambda _n: None,
) -> None:  # fmt: skip
    """The log (or a part of its casussen) from the first event up to `tot`, checked as the runner
    checks it, into a workplace. The workplace is the part's alone: `caseload` keeps its casussen's
    states in memory between batches there, and writes them out at the end. The cycle collector
    waits until the end: it would walk every state kept after each batch (the rebuild's objects
    hold next to no reference cycles)."""
    tot, batch = werk.tot, werk.batch
    projecties = tuple(p.met_geheugen(GEHEUGEN) if isinstance(p, Caseload) else p for p in werk.projecties)
    werkplaats = _maak_werkplaats(pad, projecties)
    gemeld = -1  # the position last told to `voortgang`: each once
    try:
        levend()
        with zonder_cyclusopruiming():
            keuring = Keuring(store)
            for rijen in _gelezen(store, tot, batch, deel):
                _pas_toe(werkplaats, keuring, projecties, rijen)
                wissel.punt("herbouw-deel")
                if voortgang is not None:
                    voortgang(gemeld := rijen[-1][0], tot)
            sql = SQLiteSql(werkplaats.cursor())
            for p in projecties:
                if isinstance(p, Caseload):
                    p.afronden(sql)
            werkplaats.execute("COMMIT")
            werk.klaarzetten(werkplaats, pad, werk.tabellen, levend, gereed)
        if voortgang is not None and gemeld != tot:
            voortgang(tot, tot)
    finally:
        werkplaats.close()


def _pas_toe(werkplaats: sqlite3.Connection, keuring: Keuring, projecties: Sequence[Projection], rijen: list[Rij]) -> None:
    """One batch, checked and applied. A function of its own, so that the batch's events are freed
    when it returns."""
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
