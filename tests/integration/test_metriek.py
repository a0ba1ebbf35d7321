"""The projection runner's gauges (runtime/metriek.py), measured on SQLite and PostgreSQL: its lag
behind the log in events and in seconds since the oldest unprojected event was recorded, the open
casussen per phase and holder, the deadlines due within 24 h and those lapsed unmet, and the
quarantine; measured when `run` starts and every `meet_seconden`, a failing measurement never
stopping the runner."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from temporalio.common import MetricMeter

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import open_views
from projections import lezen
from projections.alle import alle
from projections.quarantaine import in_quarantaine
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import Verantwoordelijkheid
from runtime.metriek import GEEN_HOUDER, Meting, Rapporteur
from runtime.settings import Settings
from tests.integration.test_quarantaine import vergiftig

BEGIN = "2027-03-25T10:00:00+01:00"


def casussen(store: EventStore, regels: Regelset) -> list[Draaiboek]:
    """Four casussen: one offered to a team, one accepted by it, one only reported, one whose
    deadlines passed unmet."""
    aangeboden = Draaiboek(regels, BEGIN, "velsen")
    aangeboden.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    aanvaard = Draaiboek(regels, BEGIN, "velsen")
    aanvaard.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    aanvaard.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    gemeld = Draaiboek(regels, BEGIN, "velsen")
    verlopen = Draaiboek(regels, BEGIN, "velsen")
    verlopen.tik("2027-04-20T00:00:00+02:00")
    alle_ = [aangeboden, aanvaard, gemeld, verlopen]
    for d in alle_:
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    return alle_


def test_the_lag_is_measured_in_events_and_in_seconds_since_recorded(store: EventStore, ijmond: Regelset) -> None:
    boeken = casussen(store, ijmond)
    runner = ProjectionRunner(store, open_views(store.infrastructure), alle(), batch=3)
    eerste = boeken[0].gebeurtenissen[0].vastgelegd
    m = runner.meting(eerste + timedelta(seconds=90))
    assert m.achterstand == store.head() > 10
    assert m.achterstand_seconden == 90.0
    assert m.gemeten == (eerste + timedelta(seconds=90)).timestamp()

    runner.step()  # three events in: the oldest waiting is the fourth
    nu = datetime(2027, 4, 1, tzinfo=UTC)
    m = runner.meting(nu)
    assert m.achterstand == store.head() - 3
    assert m.achterstand_seconden == (nu - boeken[0].gebeurtenissen[3].vastgelegd).total_seconds()

    runner.catch_up()
    m = runner.meting(nu)
    assert (m.achterstand, m.achterstand_seconden) == (0, 0.0)
    assert runner.meting(datetime(2020, 1, 1, tzinfo=UTC)).achterstand_seconden == 0.0  # never below zero


def test_open_casussen_and_deadlines_from_the_read_models(store: EventStore, ijmond: Regelset) -> None:
    casussen(store, ijmond)
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    runner.catch_up()

    m = runner.meting(datetime(2027, 4, 1, tzinfo=UTC))
    verwacht = Counter((c["fase"], c["houder"] or GEEN_HOUDER) for c in lezen.lijst(views))
    assert m.open_casussen == verwacht
    assert sum(verwacht.values()) == 4 and len(verwacht) >= 3
    assert m.verstreken == len(lezen.termijnen(views, verstreken=True)) == 1
    assert m.verstrijkend == 0
    assert m.quarantaine == {}

    # The reported casus's deadlines fall due on 5 April (22:00 UTC): within 24 h of that morning.
    nu = datetime(2027, 4, 5, 6, tzinfo=UTC)
    m = runner.meting(nu)
    assert m.verstrijkend == len(lezen.termijnen(views, binnen_tot=nu + timedelta(hours=24))) > 0
    assert runner.meting(datetime(2027, 4, 4, tzinfo=UTC)).verstrijkend == 0

    # A runner of other read models measures only what it keeps.
    alleen = ProjectionRunner(store, views, [Verantwoordelijkheid()]).meting(nu)
    assert (alleen.open_casussen, alleen.verstrijkend, alleen.verstreken) == (None, None, None)
    assert alleen.achterstand == 0


def test_quarantined_events_are_counted_per_soort(store_settings: Settings, store: EventStore, ijmond: Regelset) -> None:
    vergiftig(store_settings, store, ijmond)
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    assert runner.meting().achterstand_seconden is not None  # the oldest event waiting is sound
    runner.catch_up()
    m = runner.meting()
    assert m.quarantaine == Counter(v.soort for v in in_quarantaine(views))
    assert set(m.quarantaine) >= {"onleesbaar", "ongeldig", "gewijzigd", "volgorde", "achtergehouden"}
    assert m.achterstand == 0


class Opname(Rapporteur):
    def __init__(self, fout: bool = False) -> None:
        super().__init__(MetricMeter.noop)
        self.metingen: list[Meting] = []
        self.apart: list[str] = []
        self.fout = fout

    def meld(self, m: Meting) -> None:
        if self.fout:
            raise RuntimeError("the exporter fails")
        self.metingen.append(m)

    def apart_gezet(self, soort: str) -> None:
        self.apart.append(soort)


def _draai(runner: ProjectionRunner, klaar: Callable[[], bool]) -> BaseException | None:
    """Runs the runner on a thread until `klaar`; the exception it stopped on, if any."""
    stop, fout = threading.Event(), list[BaseException]()

    def doel() -> None:
        try:
            runner.run(stop, 0.01)
        except BaseException as e:
            fout.append(e)

    draad = threading.Thread(target=doel, daemon=True)
    draad.start()
    einde = time.monotonic() + 60
    try:
        while not klaar() and draad.is_alive():
            assert time.monotonic() < einde, "timed out"
            time.sleep(0.01)
    finally:
        stop.set()
        draad.join(10)
    return fout[0] if fout else None


def test_run_measures_at_the_start_and_then_every_interval(store_settings: Settings, store: EventStore, ijmond: Regelset) -> None:
    vergiftig(store_settings, store, ijmond)
    views = open_views(store.infrastructure)
    opname = Opname()
    runner = ProjectionRunner(store, views, alle(), rapporteur=opname, meet_seconden=0.05)
    head = store.head()
    assert _draai(runner, lambda: any(m.achterstand == 0 for m in opname.metingen)) is None
    assert opname.metingen[0].achterstand == head  # measured before the first batch
    assert opname.metingen[-1].quarantaine == Counter(v.soort for v in in_quarantaine(views))
    assert sorted(opname.apart) == sorted(v.soort for v in in_quarantaine(views))


def test_a_failing_measurement_does_not_stop_the_runner(store: EventStore, ijmond: Regelset) -> None:
    casussen(store, ijmond)
    runner = ProjectionRunner(store, open_views(store.infrastructure), alle(), rapporteur=Opname(fout=True), meet_seconden=0.0)
    assert _draai(runner, lambda: runner.lag() == 0) is None
    assert runner.lag() == 0
