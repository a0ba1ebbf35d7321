"""Follows the global log into the read models; each batch and its position in one transaction,
so a restart resumes exactly where the last commit left off (no gap, no duplicate). A transient
database error (SQLite busy, a PostgreSQL connection lost) is tried again with backoff; a row that
does not decode or verify is quarantined for its casus (projections/quarantaine.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

import structlog

from eventstore.keten import uitpakken
from eventstore.opnieuw import STANDAARD, Terugval, opnieuw, voorbijgaand
from eventstore.store import EventStore, Opgeslagen, decode
from eventstore.views import WISSEL, WISSEL_DDL, ViewStore, tijdstip
from projections import caseload, quarantaine, termijnen
from projections.basis import Projection, Voortgang, zonder_cyclusopruiming
from projections.herbouw import Herbouw
from projections.lezen import GEMIST
from projections.quarantaine import Keuring, Verdacht
from runtime.metriek import GEEN_HOUDER, MEET_SECONDEN, Meting, Rapporteur

log = structlog.get_logger()

Melder = Callable[[Verdacht], None]
"""Called once for each event newly set aside (a metric, beyond the error line in the log)."""


class _VerschovenError(Exception):
    """A read model's position is no longer the one the step read: a rebuild switched its tables."""


class ProjectionRunner:
    def __init__(
        self, store: EventStore, views: ViewStore, projections: Sequence[Projection], batch: int = 500,
        terugval: Terugval = STANDAARD, melder: Melder = lambda _v: None, rapporteur: Rapporteur | None = None,
        meet_seconden: float = MEET_SECONDEN,
    ) -> None:  # fmt: skip
        self.store = store
        self.views = views
        self.projections = tuple(projections)
        self.batch = batch
        self.terugval = terugval
        self.melder = melder
        self.rapporteur = rapporteur
        """The metrics (runtime/metriek.py): by default the runtime's, once `run` starts."""
        self.meet_seconden = meet_seconden
        self.keuring = Keuring(store)
        self._gemeld: set[int] = set()
        opnieuw(self._maak_tabellen, wat="create the read-model tables", terugval=terugval)
        self._generatie = opnieuw(self._lees_generatie, wat="read the switches", terugval=terugval)
        """The rebuilds' switches this runner's verdicts and links belong to (eventstore/views.py WISSEL)."""

    def _maak_tabellen(self) -> None:
        self.views.create(WISSEL_DDL)
        self.views.create(quarantaine.DDL)
        for p in self.projections:
            self.views.create(p.ddl)
        self.keuring.laad(self.views)

    def step(self) -> int:
        """One batch of the log, read once and applied to every projection that has not seen it,
        each projection in its own transaction with its position; the number of events read. A
        step that finds its read models switched by a rebuild (projections/herbouw.py) writes
        nothing and the runner goes on from their new position."""
        posities = opnieuw(
            lambda: {p.name: self.views.position(p.name) for p in self.projections}, wat="read the positions", terugval=self.terugval
        )
        na = min(posities.values(), default=0)
        with zonder_cyclusopruiming():
            rijen = opnieuw(lambda: self.store.log_ruw(na, self.batch), wat="read the log", terugval=self.terugval)
            items, verdacht = self.keuring.keur(rijen)
            try:
                self._meld(verdacht)
                self._apply(items, verdacht, posities)
            except _VerschovenError as e:
                self._na_wissel(str(e))
                return max(len(rijen), 1)
        return len(rijen)

    def _lees_generatie(self) -> int:
        return int(self.views.query(f"SELECT generatie FROM {WISSEL} WHERE slot = 1")[0]["generatie"])

    def _na_wissel(self, naam: str) -> None:
        """The verdicts and links this runner remembered belong to the tables it wrote; the new ones
        carry their own quarantine. (What it reported stays reported: log positions do not change.)"""
        self.keuring.vergeet()
        opnieuw(lambda: self.keuring.laad(self.views), wat="read the quarantine", terugval=self.terugval)
        self._generatie = opnieuw(self._lees_generatie, wat="read the switches", terugval=self.terugval)
        log.info("the read models were rebuilt beside the runner; it follows on from their new position", projectie=naam,
                 positie=self.views.position(naam), generatie=self._generatie)  # fmt: skip

    def _apply(self, items: Sequence[Opgeslagen], verdacht: Sequence[Verdacht], posities: dict[str, int]) -> None:
        for p in self.projections:
            eigen = [i for i in items if i.positie > posities[p.name]]
            apart = [v for v in verdacht if v.positie > posities[p.name]]
            if not eigen and not apart:
                continue
            tot = max([i.positie for i in eigen[-1:]] + [v.positie for v in apart[-1:]])
            # An error aborts the transaction: the position never passes an event not applied (and
            # so it can be tried again whole after a transient error).
            opnieuw(partial(self._batch, p, eigen, apart, posities[p.name], tot), wat=f"apply {p.name}", terugval=self.terugval)
            posities[p.name] = tot

    def _batch(self, p: Projection, eigen: Sequence[Opgeslagen], apart: Sequence[Verdacht], vanaf: int, tot: int) -> None:
        with self.views.transaction() as sql:
            # Under the switch's row lock, the switches counted and the position read again: a
            # rebuild that switched the tables since the step began has counted on (and set another
            # position), and this batch belongs to the old tables and the old verdicts.
            if self.views.generation_in(sql) != self._generatie or self.views.position_in(sql, p.name) != vanaf:
                raise _VerschovenError(p.name)
            if eigen:
                p.apply(sql, eigen)
            quarantaine.noteer(sql, apart)
            self.views.track(sql, p.name, tot)

    def _meld(self, verdacht: Sequence[Verdacht]) -> None:
        for v in verdacht:
            if v.positie in self._gemeld:
                continue
            self._gemeld.add(v.positie)
            log.error("event quarantined; the read models hold back its casus", positie=v.positie, casus_id=v.casus_id,
                      versie=v.versie, soort=v.soort, reden=v.reden)  # fmt: skip
            self.melder(v)
            if self.rapporteur is not None:
                self.rapporteur.apart_gezet(v.soort)

    def catch_up(self, voortgang: Voortgang | None = None) -> int:
        total = 0
        while n := self.step():
            total += n
            if voortgang is not None:
                voortgang(min(self.views.position(p.name) for p in self.projections), self.store.head())
        return total

    def rebuild(self, voortgang: Voortgang | None = None) -> int:
        """Rebuilds the read models beside the live ones and switches (projections/herbouw.py), then
        follows what was appended meanwhile; the number of events read."""
        uitkomst = Herbouw(self.store, self.views, self.projections, batch=max(self.batch, 5000)).run(voortgang)
        self._na_wissel(self.projections[0].name if self.projections else "")
        return uitkomst.positie + self.catch_up(voortgang)

    def run(self, stop: threading.Event, poll_seconds: float = 0.2, check: Callable[[], None] = lambda: None) -> None:
        """Follows the log until `stop`; `check` runs before every batch and stops the runner by raising.
        A transient database error outlasting a step's own attempts is waited out, with backoff.
        Its gauges are measured when it starts and every `meet_seconden` after."""
        rapporteur = self.rapporteur = self.rapporteur or Rapporteur.standaard()
        pauze, gemeten = 0, float("-inf")
        while not stop.is_set():
            check()
            if time.monotonic() - gemeten >= self.meet_seconden:
                gemeten = time.monotonic()
                self._rapporteer(rapporteur)
            try:
                n = self.step()
            except Exception as e:
                if not voorbijgaand(e):
                    raise
                pauze += 1
                wacht = self.terugval.wachttijd(min(pauze, 16))
                log.warning("the database is unavailable; the projection runner waits", wacht=round(wacht, 3), fout=str(e))
                stop.wait(wacht)
                continue
            pauze = 0
            if not n:
                stop.wait(poll_seconds)

    def lag(self) -> int:
        head = self.store.head()
        return max((head - self.views.position(p.name) for p in self.projections), default=0)

    # Metrics.

    def _rapporteer(self, rapporteur: Rapporteur) -> None:
        try:
            rapporteur.meld(self.meting())
        except Exception as e:  # a metric never stops the runner; the database's own trouble shows in step()
            log.warning("the projection runner could not measure its metrics", fout=str(e))

    def meting(self, nu: datetime | None = None) -> Meting:
        """The lag behind the log, and from the read models this runner keeps: the open casussen per
        phase and holder, the deadlines due within 24 h, those lapsed unmet, and the quarantine."""
        nu = nu or datetime.now(UTC)
        head = self.store.head()
        positie = min((self.views.position(p.name) for p in self.projections), default=head)
        namen = {p.name for p in self.projections}
        open_casussen = verstrijkend = verstreken = None
        if caseload.NAME in namen:
            rijen = self.views.query("SELECT fase, houder, COUNT(*) AS n FROM caseload WHERE status = 'open' GROUP BY fase, houder")
            open_casussen = {(r["fase"], r["houder"] or GEEN_HOUDER): int(r["n"]) for r in rijen}
        if termijnen.NAME in namen:
            tot = tijdstip(nu + timedelta(hours=24))
            verstrijkend = self._aantal("SELECT COUNT(*) AS n FROM termijnen t WHERE t.status = 'open' AND t.uiterlijk <= %s", (tot,))
            verstreken = self._aantal(f"SELECT COUNT(*) AS n FROM termijnen t WHERE {GEMIST}")
        apart = self.views.query(f"SELECT soort, COUNT(*) AS n FROM {quarantaine.TABEL} GROUP BY soort")
        return Meting(
            gemeten=nu.timestamp(),
            achterstand=max(head - positie, 0),
            achterstand_seconden=self._achterstand_seconden(positie, head, nu),
            open_casussen=open_casussen,
            verstrijkend=verstrijkend,
            verstreken=verstreken,
            quarantaine={r["soort"]: int(r["n"]) for r in apart},
        )

    def _aantal(self, vraag: str, params: Sequence[object] = ()) -> int:
        return int(self.views.query(vraag, params)[0]["n"])

    def _achterstand_seconden(self, positie: int, head: int, nu: datetime) -> float | None:
        """Since the oldest event not in every read model was recorded (`vastgelegd`); 0 when none is
        waiting. None when the next few rows do not decode (the runner will set those aside)."""
        if head <= positie:
            return 0.0
        for _, _, _, _, state in self.store.log_ruw(positie, 10):
            try:
                envelop = uitpakken(state)
                vastgelegd = decode(envelop.gebeurtenis.encode()).vastgelegd
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            return max((nu - vastgelegd).total_seconds(), 0.0)
        return None
