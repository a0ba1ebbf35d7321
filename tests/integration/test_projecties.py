"""The read models on SQLite and PostgreSQL: a rebuild from zero gives the rows the incremental
runner gave, a killed runner resumes without gap or duplicate, and the report's figures."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.store import EventStore, Opgeslagen
from eventstore.views import ViewStore, open_views
from projections import herbouw_delen
from projections.alle import alle
from projections.enkel import SLOT
from projections.herbouw import Herbouw
from projections.rapport import als_csv, rapport
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.conftest import store_env

CASUS = str(Path(sys.executable).parent / "casus")


def populatie(ijmond: Regelset, gelderland: Regelset, n: int) -> list[Draaiboek]:
    """Casussen along different paths: direct, after a dienst, refused offers, closed, untouched."""
    casussen = []
    for i in range(n):
        if i % 2:
            d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
            d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
            if i % 3:
                d.doe("2028-03-01T10:00:00+01:00", "dienst-afronden", "veilig-thuis", team="ede", conclusie="geen-oordeel")
            d.tik("2028-07-01T00:00:00+02:00")
        else:
            d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
            if i % 4:
                d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
                d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
                d.doe("2027-04-02T11:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="geen-contact-geen-zorgen")
            d.tik("2027-05-01T00:00:00+02:00")
        casussen.append(d)
    return casussen


def schrijf_verweven(store: EventStore, casussen: list[Draaiboek], stuk: int = 3) -> None:
    """Appends the casussen's events interleaved, a few at a time, as concurrent workers would."""
    posities = [0] * len(casussen)
    while any(p < len(d.gebeurtenissen) for p, d in zip(posities, casussen, strict=True)):
        for i, d in enumerate(casussen):
            deel = d.gebeurtenissen[posities[i] : posities[i] + stuk]
            if deel:
                store.append(d.casus.casus_id, posities[i], deel)
                posities[i] += len(deel)


def dump(views: ViewStore) -> dict[str, list[tuple[Any, ...]]]:
    tabellen = [t for p in alle() for t in p.tables]
    return {t: sorted(tuple(r.values()) for r in views.query(f"SELECT * FROM {t}")) for t in tabellen}


def test_a_rebuild_from_zero_gives_exactly_the_rows_of_the_incremental_runner(
    store: EventStore, ijmond: Regelset, gelderland: Regelset
) -> None:
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle(), batch=13)
    casussen = populatie(ijmond, gelderland, 12)
    schrijf_verweven(store, casussen[:6])
    runner.step()
    schrijf_verweven(store, casussen[6:])
    runner.catch_up()
    incrementeel = dump(views)
    assert len(incrementeel["caseload"]) == 12 and incrementeel["termijnen"]
    gezien: list[tuple[int, int]] = []
    runner.rebuild(lambda positie, head: gezien.append((positie, head)))
    assert dump(views) == incrementeel
    assert gezien[-1] == (store.head(), store.head())


@pytest.mark.parametrize("geheugen", [0, 2, 10_000])
def test_a_rebuild_in_small_batches_gives_the_incremental_rows_whatever_caseload_keeps_in_memory(
    store: EventStore, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch, geheugen: int
) -> None:
    """In a rebuild's workplace `caseload` keeps casus states in memory between batches and writes
    each row once: every casus here spans many batches, and with room for two casussen most of them
    leave memory, are written, and are read back when their next event comes."""
    views = open_views(store.infrastructure)
    schrijf_verweven(store, populatie(ijmond, gelderland, 12), stuk=1)
    ProjectionRunner(store, views, alle(), batch=13).catch_up()
    incrementeel = dump(views)
    monkeypatch.setattr(herbouw_delen, "GEHEUGEN", geheugen)  # before the fork: the parts use it
    Herbouw(store, views, alle(), batch=3).run()
    assert dump(views) == incrementeel


class Kapot:
    name, ddl, tables = "kapot", (), ()

    def apply(self, sql: Any, items: Any) -> None:
        raise RuntimeError("read model fails")


def test_a_failing_batch_leaves_the_cycle_collector_as_it_found_it(store: EventStore, ijmond: Regelset) -> None:
    """The runner pauses the cycle collector for a batch; an error in a read model must not leave it off
    for the rest of the process (the worker and the runner share `casus dev`'s process)."""
    schrijf_verweven(store, populatie(ijmond, ijmond, 1))
    runner = ProjectionRunner(store, open_views(store.infrastructure), [Kapot()])
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="read model fails"):
        runner.step()
    assert gc.isenabled()
    assert runner.views.position("kapot") == 0


def verwacht_aantal(log: list[Opgeslagen], tot: int) -> dict[str, int]:
    tot_hier = [o for o in log if o.positie <= tot]
    return {
        "verantwoordelijkheid": sum(isinstance(o.gebeurtenis, g.VerantwoordelijkheidOvergedragen) for o in tot_hier),
        "termijnen": sum(isinstance(o.gebeurtenis, g.TermijnGesteld) for o in tot_hier),
        "huishouden_meldingen": sum(isinstance(o.gebeurtenis, g.MeldingOntvangen | g.BeoordelingGestart) for o in tot_hier),
        "caseload": sum(isinstance(o.gebeurtenis, g.MeldingOntvangen) for o in tot_hier),
    }


def omgeving(settings: Settings) -> dict[str, str]:
    return (
        os.environ
        | store_env(settings)
        | {"CASUS_PROJECTION_BATCH": "5", "CASUS_PROJECTION_POLL_SECONDS": "0.05", "CASUS_LOG_FORMAT": "json"}
    )


def wacht_tot(voorwaarde: Any, seconden: float = 60) -> None:
    einde = time.monotonic() + seconden
    while not voorwaarde():
        assert time.monotonic() < einde, "timed out"
        time.sleep(0.01)


@pytest.mark.storing
def test_a_runner_killed_mid_stream_resumes_without_gap_or_duplicate(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    schrijf_verweven(store, populatie(ijmond, gelderland, 60))
    log, head = store.log(0, limit=100_000), store.head()
    views = open_views(store.infrastructure)
    for p in alle():
        views.create(p.ddl)
    proces = subprocess.Popen([CASUS, "projecties", "draai"], env=omgeving(store_settings), stderr=subprocess.DEVNULL)
    wacht_tot(lambda: views.position("caseload") > head // 4)
    proces.send_signal(signal.SIGKILL)
    proces.wait(timeout=30)
    posities = {p.name: views.position(p.name) for p in alle()}
    assert min(posities.values()) < head, "the runner finished before it was killed; nothing was tested"
    for p in alle():
        for tabel in p.tables[:1]:
            rijen = views.query(f"SELECT COUNT(*) AS n FROM {tabel}")[0]["n"]
            assert rijen == verwacht_aantal(log, posities[p.name])[tabel], (tabel, posities[p.name])

    opnieuw = subprocess.Popen([CASUS, "projecties", "draai"], env=omgeving(store_settings), stderr=subprocess.DEVNULL)
    try:
        wacht_tot(lambda: all(views.position(p.name) == head for p in alle()))
    finally:
        opnieuw.send_signal(signal.SIGTERM)
        assert opnieuw.wait(timeout=30) == 0
    na_herstart = dump(views)
    ProjectionRunner(store, views, alle()).rebuild()
    assert dump(views) == na_herstart


def test_the_report_against_a_hand_computed_population(store: EventStore, gelderland: Regelset) -> None:
    # Four casussen received in January 2028 (Monday 10th, beoordeling due at 00:00 on the 18th).
    a = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")  # direct on day 2, contact after 3 days
    a.doe("2028-01-12T09:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    a.doe("2028-01-15T09:00:00+01:00", "contact-gelegd", "lokaal-team:ede")
    b = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "arnhem")  # onderzoek after 4 days, stays with VT
    b.doe("2028-01-14T09:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="onderzoek")
    c = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")  # late beoordeling, no contact
    c.tik("2028-01-18T00:00:00+01:00")
    c.doe("2028-01-20T09:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    c.tik("2028-02-10T00:00:00+01:00")
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")  # nothing yet
    buiten = Draaiboek(gelderland, "2028-02-10T09:00:00+01:00", "ede")  # received after the period
    for x in (a, b, c, d, buiten):
        store.append(x.casus.casus_id, 0, x.gebeurtenissen)
    views = open_views(store.infrastructure)
    ProjectionRunner(store, views, alle()).catch_up()

    r = rapport(views, "gelderland-midden-2019", date(2028, 1, 1), date(2028, 1, 31))
    assert r["casussen"] == 4
    per_soort = {t["soort"]: t for t in r["termijnen"]}
    # Beoordelingen: a in 2 days, b in 4, c late after 10 (8 working days, T-2); d still open. Met in time: 2 of 3.
    assert per_soort["veiligheidsbeoordeling"] == {
        "soort": "veiligheidsbeoordeling", "regels": ["GM-5.1.1"], "aantal": 4, "open": 1, "vervallen": 0, "beslist": 3,
        "tijdig": 2, "aandeel_tijdig": 0.6667, "percentage_tijdig": 66.7, "eenheid": "werkdagen", "mediaan": 4, "p90": 8,
        "mediaan_dagen": 4.0, "p90_dagen": 10.0, "afgelopen": 0, "van_rechtswege": 0, "laat_vastgelegd": 0,
    }  # fmt: skip
    # Contact: a after 3 days (of 14), c lapsed on 4 February.
    assert per_soort["contact-gezin"] == {
        "soort": "contact-gezin", "regels": ["GM-3a"], "aantal": 2, "open": 0, "vervallen": 0, "beslist": 2, "tijdig": 1,
        "aandeel_tijdig": 0.5, "percentage_tijdig": 50.0, "eenheid": "dagen", "mediaan": 3, "p90": 3,
        "mediaan_dagen": 3.0, "p90_dagen": 3.0, "afgelopen": 0, "van_rechtswege": 0, "laat_vastgelegd": 0,
    }  # fmt: skip
    assert (r["aandeel_direct"], r["percentage_direct"], r["aandeel_direct_regel"]) == (0.6667, 66.7, "GM-1")  # a and c of three
    assert r["open_per_houder"] == {"lokaal-team:ede": 2, "veilig-thuis": 2}
    regels = als_csv(r).splitlines()
    assert regels[0].startswith("beleid,van,tot,soort,regels,aantal,beslist,tijdig,percentage_tijdig,eenheid,mediaan,p90,")
    assert "gelderland-midden-2019,2028-01-01,2028-01-31,veiligheidsbeoordeling,GM-5.1.1,4,3,2,66.7,werkdagen,4,8," in regels[2]
    # GM-1 is Gelderland-Midden's agreement: IJmond's report does not show it.
    assert "aandeel_direct" not in rapport(views, "ijmond-2024", date(2028, 1, 1), date(2028, 1, 31))


def eerste_pid(views: ViewStore) -> int:
    """The pid of the server session holding the projection runner's lock."""
    rijen = views.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid::bigint = %s", (SLOT,))
    return int(rijen[0]["pid"])


def test_a_second_runner_waits_for_the_first_and_takes_over_when_it_stops(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Exactly one active runner on PostgreSQL: a second process waits on the advisory lock, applies
    nothing meanwhile, and takes over the moment the first one stops."""
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        ProjectionRunner(store, views, alle())  # the tables, before either process reads them
        # Two runners on one machine: neither serves metrics (each would want the same port).
        env = omgeving(postgres_settings) | {"CASUS_METRICS_PORT": "0"}
        eerste = subprocess.Popen([CASUS, "projecties", "draai"], env=env, stderr=subprocess.PIPE, text=True)
        tweede: subprocess.Popen[str] | None = None
        try:
            schrijf_verweven(store, populatie(ijmond, gelderland, 4))
            wacht_tot(lambda: all(views.position(p.name) == store.head() for p in alle()))
            tweede = subprocess.Popen([CASUS, "projecties", "draai"], env=env, stderr=subprocess.PIPE, text=True)
            assert tweede.stderr is not None
            wachtend = tweede.stderr.readline()
            # It names whom it waits for: the first runner's session (pid, login, application).
            assert "waits for the session that holds its lock" in wachtend and f"pid {eerste_pid(views)}" in wachtend, wachtend
            eerste.send_signal(signal.SIGTERM)
            assert eerste.wait(timeout=30) == 0
            eerste_uitvoer = eerste.stderr.read() if eerste.stderr else ""
            schrijf_verweven(store, populatie(ijmond, gelderland, 2))
            wacht_tot(lambda: all(views.position(p.name) == store.head() for p in alle()))
            assert "projection runner started" in tweede.stderr.readline()
            assert "projection runner started" in eerste_uitvoer
        finally:
            for proces in (eerste, tweede):
                if proces is not None and proces.poll() is None:
                    proces.send_signal(signal.SIGTERM)
                    proces.wait(timeout=30)
        assert tweede.returncode == 0
        assert len(dump(views)["caseload"]) == 6
    finally:
        store.close()
