"""Attacks on the rebuild beside the running system (projections/herbouw.py, issue 15): a report
that keeps its transaction open at the switch, a rebuild killed while its switch waits, an insider
whose login holds the swap lock, a rebuild killed after it filled its workplace, a rebuild of some
read models after a repair, runners that miss the switch (at its own position, between batches)
or whose batch straddles it, a full disk at the switch, a view over a read model, a role that may
not create tables; and, as checks that could fail, the claims that held under attack: grants and
indexes across the switch, an empty store, gaps in PostgreSQL's notification ids with four parts
and the runner's prepared statements, a rebuild of `termijnen` alone.

Each test's docstring names the attack and what should happen. The ones that fail show a defect."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.keten import verpak
from eventstore.store import EventStore, stream_id
from eventstore.views import WISSEL, ViewStore, open_views
from projections import wissel as wissel_module
from projections.alle import alle
from projections.herbouw import NIEUW, Herbouw, HerbouwMisluktError
from projections.quarantaine import in_quarantaine
from projections.runner import ProjectionRunner
from projections.termijnen import Termijnen
from runtime.settings import Settings
from service.migratie import migreer
from tests.conftest import store_env
from tests.integration.test_projecties import dump, populatie, schrijf_verweven
from tests.integration.test_quarantaine import casus, laatste, voeg_rauw_toe

pytestmark = pytest.mark.storing

CASUS = str(Path(sys.executable).parent / "casus")
HERBOUW = "casus-herbouw"
"""The application name of the rebuild's own PostgreSQL sessions (projections/herbouw.py)."""


# Helpers.


def _pg(settings: Settings, user: str | None = None) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(
        host=settings.postgres_host, port=settings.postgres_port, user=user or settings.postgres_user,
        dbname=settings.postgres_dbname, autocommit=True, connect_timeout=5,
    )  # fmt: skip


def _wacht_tot(voorwaarde: Callable[[], bool], seconden: float = 30.0) -> bool:
    einde = time.monotonic() + seconden
    while time.monotonic() < einde:
        if voorwaarde():
            return True
        time.sleep(0.05)
    return False


def _op_de_achtergrond(doe: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    uitkomst: list[object] = []

    def draai() -> None:
        try:
            uitkomst.append(doe())
        except BaseException as e:  # the test reports it
            uitkomst.append(e)

    draad = threading.Thread(target=draai, daemon=True)
    draad.start()
    return draad, uitkomst


def _fouten(*uitkomsten: list[object]) -> list[BaseException]:
    return [u for uitkomst in uitkomsten for u in uitkomst if isinstance(u, BaseException)]


def _herbouw_wacht_op_een_slot(kijker: psycopg.Connection[tuple[Any, ...]]) -> bool:
    vraag = "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'"
    return _wacht_tot(lambda: kijker.execute(vraag, (HERBOUW,)).fetchone() is not None, 60)


def _lees_binnen(conn: psycopg.Connection[tuple[Any, ...]], tabel: str, seconden: float) -> int | None:
    """The row count of `tabel`, or None when the read waited longer than `seconden`."""
    conn.execute(f"SET statement_timeout = '{int(seconden * 1000)}ms'")
    try:
        rij = conn.execute(f"SELECT count(*) FROM {tabel}").fetchone()
    except psycopg.errors.QueryCanceled:
        return None
    finally:
        conn.execute("RESET statement_timeout")
    assert rij is not None
    return int(rij[0])


@contextmanager
def _rol(settings: Settings, *lid_van: str) -> Iterator[str]:
    """A login role of the test's own (roles are the cluster's: dropped afterwards)."""
    naam = f"casus_aanval_{uuid.uuid4().hex[:10]}"
    with _pg(settings) as admin:
        admin.execute(f'CREATE ROLE "{naam}" LOGIN' + (f" IN ROLE {', '.join(lid_van)}" if lid_van else ""))
        try:
            yield naam
        finally:
            admin.execute(f'REASSIGN OWNED BY "{naam}" TO CURRENT_USER')
            admin.execute(f'DROP OWNED BY "{naam}"')
            admin.execute(f'DROP ROLE "{naam}"')


def _verse_tabellen(views: ViewStore, postgres: bool) -> list[str]:
    if postgres:
        rijen = views.query("SELECT tablename AS naam FROM pg_tables WHERE tablename LIKE %s", (f"%{NIEUW}",))
    else:
        rijen = views.query("SELECT name AS naam FROM sqlite_master WHERE type = 'table' AND name LIKE %s", (f"%{NIEUW}",))
    return [r["naam"] for r in rijen]


def _zonder_moment(d: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """`dump` without the quarantine's `at` (when a row was set aside: the moment of the run)."""
    return d | {"quarantaine": sorted(r[:-1] for r in d["quarantaine"])}


def _incrementeel_opnieuw(views: ViewStore, store: EventStore) -> dict[str, list[tuple[Any, ...]]]:
    """The read models emptied and followed again from the first event by an incremental runner in
    small batches, in the same database (so on PostgreSQL with PostgreSQL's own SQL)."""
    with views.transaction() as sql:
        for p in alle():
            views.forget(sql, p.name)
            for tabel in p.tables:
                sql.execute(f"DELETE FROM {tabel}")
    ProjectionRunner(store, views, alle(), batch=7).catch_up()
    return _zonder_moment(dump(views))


def _herstel_rij(settings: Settings, casus_id: str, versie: int, state: bytes) -> None:
    """The owner repairs a row of the event table in place (PostgreSQL: no guard without `casus migreer`)."""
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path) as db:
            db.execute(
                "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                (state, stream_id(casus_id).hex, versie),
            )
        return
    with _pg(settings) as db:
        db.execute(
            "UPDATE casus_events SET state = %s WHERE originator_id = %s AND originator_version = %s", (state, stream_id(casus_id), versie)
        )


# Defects.


def test_a_reader_holding_one_read_model_does_not_make_the_others_unreadable_at_the_switch(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: a long report (or anyone with casus_lezer's SELECT) keeps a transaction open that has
    read `caseload`. The switch drops the live tables one after another, each DROP taking an ACCESS
    EXCLUSIVE lock it keeps to its commit, with no lock timeout: it holds the tables it dropped before
    `caseload` and waits for the reader for as long as the reader likes; every read of those tables
    (the API's, the runner's) queues behind it. Should: the other read models keep answering (the
    switch takes its locks all at once with a short lock timeout and tries again, or gives up and
    leaves the live tables as they were)."""
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        schrijf_verweven(store, populatie(ijmond, gelderland, 6))
        ProjectionRunner(store, views, alle()).catch_up()
        voor = dump(views)
        with _pg(postgres_settings) as lezer, _pg(postgres_settings) as ander, _pg(postgres_settings) as kijker:
            lezer.execute("BEGIN")
            lezer.execute("SELECT count(*) FROM caseload")  # ... and the report goes on computing
            draad, uitkomst = _op_de_achtergrond(lambda: Herbouw(store, views, alle(), delen=1).run())
            try:
                assert _herbouw_wacht_op_een_slot(kijker), f"the switch never waited for the reader: {uitkomst}"
                termijnen = _lees_binnen(ander, "termijnen", 3.0)
            finally:
                lezer.execute("COMMIT")
                draad.join(60)
        assert termijnen is not None, "a read of termijnen waited over 3 s behind a switch that waits for a reader of caseload"
        assert dump(views) == voor
    finally:
        store.close()


def test_a_rebuild_killed_while_its_switch_waits_releases_the_read_models(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, tmp_path: Path
) -> None:
    """Attack: the operator sees `casus projecties herbouw` hang at the switch (a reader holds
    `caseload`, as above) and kills it (SIGKILL; a supervisor's timeout). The server backend does not
    notice its client is gone while it waits for a lock: it keeps the ACCESS EXCLUSIVE locks on the
    tables it dropped and the exclusive swap lock, so the read models stay unreadable and the runner
    stays stopped until the reader happens to end. Should: a killed rebuild leaves the live tables as
    they were, readable, at once (e.g. `lock_timeout`, `client_connection_check_interval` on the
    rebuild's session)."""
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        schrijf_verweven(store, populatie(ijmond, gelderland, 6))
        ProjectionRunner(store, views, alle()).catch_up()
        voor = dump(views)
        env = os.environ | store_env(postgres_settings) | {"CASUS_STATE_DIR": str(tmp_path)}
        with _pg(postgres_settings) as lezer, _pg(postgres_settings) as ander, _pg(postgres_settings) as kijker:
            lezer.execute("BEGIN")
            lezer.execute("SELECT count(*) FROM caseload")
            herbouw = subprocess.Popen([CASUS, "projecties", "herbouw", "--json"], env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)  # fmt: skip
            try:
                assert _herbouw_wacht_op_een_slot(kijker), "the switch never waited for the reader"
                herbouw.send_signal(signal.SIGKILL)
                herbouw.wait(30)
                time.sleep(0.5)
                termijnen = _lees_binnen(ander, "termijnen", 3.0)
            finally:
                if herbouw.poll() is None:
                    herbouw.kill()
                lezer.execute("COMMIT")
        assert termijnen is not None, "the killed rebuild's session still holds termijnen locked (it waits for the reader of caseload)"
        assert dump(views) == voor and not _verse_tabellen(views, postgres=True)
    finally:
        store.close()


def test_a_login_without_grants_cannot_hold_the_switch_and_stall_the_runner(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: an insider with any database login at all (no grant on any table) tries to hold what
    a rebuild's switch holds, so that every batch of the running runner waits. An advisory lock
    would need no grant; the switch is a row of `casus_wissel` locked FOR UPDATE, which needs the
    UPDATE grant only the runner's and the owner's roles have. Should: refused, and the runner's
    step goes through at once."""
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        runner = ProjectionRunner(store, views, alle())
        schrijf_verweven(store, populatie(ijmond, gelderland, 2))
        with _rol(postgres_settings) as niemand, _pg(postgres_settings, user=niemand) as insider:
            assert insider.execute("SELECT has_table_privilege('caseload', 'SELECT')").fetchone() == (False,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                insider.execute(f"SELECT generatie FROM {WISSEL} WHERE slot = 1 FOR UPDATE")
            insider.execute("SELECT pg_advisory_lock(x) FROM generate_series(1, 10) AS x")
            draad, uitkomst = _op_de_achtergrond(runner.step)
            draad.join(10)
            vast = draad.is_alive()
            insider.execute("SELECT pg_advisory_unlock_all()")
            draad.join(60)
        assert not vast, "the runner's batch waited over 10 s for a lock a login without any grant holds"
        assert uitkomst and not _fouten(uitkomst), uitkomst
    finally:
        store.close()


def test_a_killed_rebuild_leaves_no_workplace_in_the_temporary_directory(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset, tmp_path: Path
) -> None:
    """Attack: the rebuild is killed (SIGKILL at its commit point `herbouw-gekopieerd`, as the OOM
    killer or a supervisor's timeout would) after it filled its workplaces. The live tables are as
    they were, but the workplaces (`casus-herbouw-*/werkplaats-*.db` in TMPDIR: a full copy of every
    read model, households and casus states included) stay behind, never removed: each killed
    rebuild leaves another read models' worth of personal data and disk, and the next rebuild needs
    the space again. Should: no workplace outlives its rebuild (e.g. a fixed directory per database
    that a rebuild clears under its lock before it starts)."""
    postgres = store_settings.eventstore == "postgres"
    views = open_views(store.infrastructure)
    schrijf_verweven(store, populatie(ijmond, gelderland, 20))
    ProjectionRunner(store, views, alle()).catch_up()
    voor = dump(views)
    tijdelijk = tmp_path / "tmp"
    tijdelijk.mkdir()
    env = os.environ | store_env(store_settings) | {
        "CASUS_STATE_DIR": str(tmp_path), "CASUS_STORINGSPUNT": "herbouw-gekopieerd:", "CASUS_STORINGSPUNT_MERK": str(tmp_path / "merk"),
        "TMPDIR": str(tijdelijk),
    }  # fmt: skip
    werkplaatsen = lambda: sorted(  # noqa: E731 - where a workplace may be: TMPDIR, or beside the SQLite file
        str(p) for p in [*tijdelijk.glob("casus-herbouw-*"), *tmp_path.rglob("*.herbouw.d")]
    )
    for _ in range(2):  # killed twice: the second clears what the first left
        (tmp_path / "merk").unlink(missing_ok=True)
        r = subprocess.run([CASUS, "projecties", "herbouw", "--json"], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert (tmp_path / "merk").exists() and r.returncode == -9, (r.returncode, r.stderr[-800:])
        assert dump(views) == voor and not _verse_tabellen(views, postgres)
        assert len(werkplaatsen()) <= 1, f"killed rebuilds leave a workplace each: {werkplaatsen()}"
    zonder = {k: v for k, v in env.items() if "STORINGSPUNT" not in k}
    r = subprocess.run([CASUS, "projecties", "herbouw", "--json"], env=zonder, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr[-800:]
    assert not werkplaatsen(), f"the next rebuild left a workplace behind: {werkplaatsen()}"


def _vergiftigd_en_hersteld(
    store: EventStore, settings: Settings, ijmond: Regelset, gelderland: Regelset, runner: ProjectionRunner
) -> tuple[str, list[Any]]:
    """Casus X whose version 2 an insider wrote as garbage (set aside, X held back), then repaired
    in place by the owner with the event that belongs there; X's later events not yet appended."""
    views = runner.views
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    x, gebeurtenissen = d.casus.casus_id, d.gebeurtenissen
    store.append(x, 0, gebeurtenissen[:1])
    _, h, _ = laatste(store, x)
    tweede = gebeurtenissen[1]
    voeg_rauw_toe(settings, x, 2, tweede.type, b"\x00 not an envelope")  # the insider's row, where version 2 goes
    schrijf_verweven(store, populatie(ijmond, gelderland, 3))
    runner.catch_up()
    assert [q.soort for q in in_quarantaine(views, x)] == ["onleesbaar"]
    _herstel_rij(settings, x, 2, verpak(h, x, 2, tweede.type, tweede.model_dump_json())[0])
    return x, list(gebeurtenissen[2:])


def _volg_en_meld(runner: ProjectionRunner) -> Exception | None:
    try:
        runner.catch_up()
    except Exception as e:  # the runner stopping is a way of failing too
        return e
    return None


def test_a_rebuild_of_termijnen_alone_keeps_the_quarantine_of_the_read_models_it_did_not_rebuild(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: an insider's row poisons casus X (version 2); the runner sets it aside and holds X back
    in every read model. The owner repairs the row and, after a release, rebuilds only `termijnen`
    (`--naam termijnen`, as docs/OPERATIONS.md asks after the T-5a release). That rebuild also replaces
    the quarantine table, which is caseload's (`Caseload.tables`) and every read model's: X's record
    is gone although `caseload` never applied X's version 2. The runner restarts (a deploy) and loads
    its verdicts from the table: it believes X again and applies X's next events to caseload on top
    of the state it held back: the row is silently wrong, with nothing in quarantine to tell.
    Should: a rebuild of some read models leaves the others, and the quarantine they depend on,
    untouched: X stays held back for caseload until caseload itself is rebuilt."""
    views = open_views(store.infrastructure)
    x, rest = _vergiftigd_en_hersteld(store, store_settings, ijmond, gelderland, ProjectionRunner(store, views, alle()))
    Herbouw(store, views, [Termijnen()]).run()
    runner = ProjectionRunner(store, views, alle())  # restarted
    runner.catch_up()
    store.append(x, 2, rest)
    fout = _volg_en_meld(runner)
    rij = views.query("SELECT versie FROM caseload WHERE casus_id = %s", (x,))[0]
    assert in_quarantaine(views, x) or (rij["versie"] == store.version(x) and fout is None), (
        f"casus {x} is out of quarantine, yet caseload holds version {rij['versie']} of {store.version(x)}"
        f" (it never applied version 2); the runner: {fout!r}"
    )


def test_a_running_runner_takes_the_verdicts_of_a_rebuild_that_ended_at_its_own_position(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: the documented way out of quarantine ("until its rows are repaired and the read models
    rebuilt"): the owner repairs X's poison row and rebuilds every read model while the runner runs,
    caught up and idle (a quiet hour: nothing appended during the rebuild, so the rebuild's head is
    the runner's position). The runner notices a switch only when a position differs from the one it
    read, so it never reloads its verdicts: it still holds X "in quarantine since event 2" and sets
    aside every later event of X (`achtergehouden`) in read models that the rebuild made with X
    believed; those events are then behind every position, so even a restart does not bring them
    back. Should: after the switch the runner judges by the new tables' quarantine: X's next events
    reach the read models and X is in quarantine no more."""
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    x, rest = _vergiftigd_en_hersteld(store, store_settings, ijmond, gelderland, runner)
    Herbouw(store, views, alle()).run()
    assert in_quarantaine(views, x) == []  # the rebuild believes the repaired row
    store.append(x, 2, rest)
    fout = _volg_en_meld(runner)
    rij = views.query("SELECT versie FROM caseload WHERE casus_id = %s", (x,))[0]
    apart = [(q.versie, q.soort) for q in in_quarantaine(views, x)]
    assert fout is None and not apart and rij["versie"] == store.version(x), (
        f"after repair and rebuild casus {x} is held back again: {apart}; caseload at version {rij['versie']} of"
        f" {store.version(x)}; the runner: {fout!r}"
    )


def test_a_runner_between_batches_takes_the_verdicts_of_a_rebuild_that_passed_it(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: the runner is between two batches (it waits out a transient database error, with
    backoff) while an insider writes a poison row into casus Y and a sound-looking event after it,
    and a rebuild passes both: it sets them aside and holds Y back. The runner's next step reads the
    new positions before it writes, finds them as read, and so never reloads its verdicts: it does
    not know Y is held back. The insider's next event of Y, chained to the one before, passes its
    check and is applied to read models that hold Y back. Should: the event is held back
    (`achtergehouden`), as the rebuild and a runner from scratch hold it back."""
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    schrijf_verweven(store, populatie(ijmond, gelderland, 3))
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    y, gebeurtenissen = d.casus.casus_id, d.gebeurtenissen
    store.append(y, 0, gebeurtenissen[:4])
    runner.catch_up()

    def rauw(versie: int, topic: str, inhoud: str) -> None:
        _, h, _ = laatste(store, y)
        voeg_rauw_toe(store_settings, y, versie, topic, verpak(h, y, versie, topic, inhoud)[0])

    rauw(5, gebeurtenissen[4].type, '{"type": "Onzin"}')  # poison: its hash is right, its event is none
    rauw(6, gebeurtenissen[4].type, gebeurtenissen[4].model_dump_json())  # chained to it, as a trusting writer would
    Herbouw(store, views, alle()).run()
    assert [(q.versie, q.soort) for q in in_quarantaine(views, y)] == [(5, "ongeldig"), (6, "achtergehouden")]
    rauw(7, gebeurtenissen[5].type, gebeurtenissen[5].model_dump_json())
    fout = _volg_en_meld(runner)
    apart = [(q.versie, q.soort) for q in in_quarantaine(views, y)]
    caseload = views.query("SELECT versie, toestand FROM caseload WHERE casus_id = %s", (y,))[0]
    assert fout is None and (7, "achtergehouden") in apart, (
        f"version 7 of casus {y}, after its poison row, reached the read models: quarantine {apart}; caseload's"
        f" state has {caseload['versie']} events applied, held back after version 4; the runner: {fout!r}"
    )


def test_a_runner_batch_straddling_the_switch_reports_each_poison_event_once(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: the runner runs ahead of the rebuild's head H and sets aside a poison row after H
    (reported: an error line, `casus_quarantaine_total` +1, the melder). Its next batch begins before
    the switch and finds the position changed inside it (`_na_wissel`), which forgets which events
    it reported; following on from H it reads the poison row again and reports it a second time: the
    counter "events set aside since it started" counts one event twice, and an alert on it fires
    again for nothing new. Should: each poison event reported once per runner (a rebuild does not
    change an event's place in the log)."""
    postgres = store_settings.eventstore == "postgres"
    views = open_views(store.infrastructure)
    gemeld: list[int] = []
    runner = ProjectionRunner(store, views, alle(), melder=lambda v: gemeld.append(v.positie))
    schrijf_verweven(store, populatie(ijmond, gelderland, 4))
    runner.catch_up()
    onderweg: list[tuple[threading.Thread, list[object]]] = []
    echte_punt = wissel_module.punt

    def punt(naam: str) -> None:
        if naam == "herbouw-gevolgd":  # the log's head H is followed; the runner goes on past it
            ziek = casus(store, ijmond)
            v, h, topic = laatste(store, ziek)
            voeg_rauw_toe(store_settings, ziek, v + 1, topic, verpak(h, ziek, v + 1, topic, '{"type": "Onzin"}')[0])
            runner.catch_up()
            casus(store, ijmond)  # the runner's next batch
        elif naam == "herbouw-gewisseld":  # switched, not committed: a batch begins and waits for the switch
            onderweg.append(_op_de_achtergrond(runner.step))
            if postgres:
                with _pg(store_settings) as kijker:
                    vraag = "SELECT 1 FROM pg_locks WHERE NOT granted"  # the batch waits for the switch's row
                    assert _wacht_tot(lambda: kijker.execute(vraag).fetchone() is not None)
            else:
                time.sleep(1.0)  # the batch waits for the write lock (busy timeout 10 s)
        echte_punt(naam)

    monkeypatch.setattr(wissel_module, "punt", punt)
    Herbouw(store, views, alle()).run()
    (draad, uitkomst) = onderweg[0]
    draad.join(60)
    assert uitkomst and not _fouten(uitkomst), uitkomst
    runner.catch_up()
    assert len(gemeld) == 1 and len(in_quarantaine(views)) == 1, f"one poison event, reported at positions {gemeld}"


def test_a_switch_that_runs_out_of_disk_on_sqlite_says_so(
    tmp_path: Path, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: a store whose read models are large: the workplace fits in TMPDIR, but the switch
    copies a second set of every read model into the live database (its WAL), and the disk holding
    it fills up (here: a file size limit set once the workplace is full, so writes fail as on a full
    disk). SQLite rolls the transaction back itself on that I/O error; `_SQLiteDoel.wissel` then
    runs ROLLBACK, which raises "cannot rollback - no transaction is active" and hides the cause.
    Should: the error that stops the rebuild names the full disk (and the live tables are as they
    were; docs/OPERATIONS.md should mention the second copy the switch needs beside the live tables)."""
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    try:
        views = open_views(store.infrastructure)
        schrijf_verweven(store, populatie(ijmond, gelderland, 20))
        ProjectionRunner(store, views, alle()).catch_up()
        voor = dump(views)
        zacht, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        echte_punt = wissel_module.punt

        def punt(naam: str) -> None:
            if naam == "herbouw-gevolgd":  # the workplace is written: from here the disk is full
                resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
            echte_punt(naam)

        monkeypatch.setattr(wissel_module, "punt", punt)
        try:
            with pytest.raises(HerbouwMisluktError) as fout:
                Herbouw(store, views, alle()).run()
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (zacht, hard))
        assert dump(views) == voor
        assert "disk I/O error" in str(fout.value) and "cannot rollback" not in str(fout.value), fout.value
    finally:
        store.close()


def test_a_view_over_a_read_model_does_not_make_every_rebuild_fail(store: EventStore, ijmond: Regelset, gelderland: Regelset) -> None:
    """Attack: a reporting view over a read model (a dashboard's `open_per_gemeente` over `caseload`,
    made by an operator; a rebuild from zero by emptying the tables never minded it). The switch drops
    the live table: PostgreSQL refuses (the view depends on it), SQLite refuses the rename after it
    ("error in view ...: no such table"); either only after the whole log was followed, and every
    rebuild after that fails the same way. Should: the rebuild switches and the view answers from the
    new table (its definition carried over, as grants and indexes are), or it is refused up front."""
    views = open_views(store.infrastructure)
    schrijf_verweven(store, populatie(ijmond, gelderland, 4))
    ProjectionRunner(store, views, alle()).catch_up()
    views.create(["CREATE VIEW open_per_gemeente AS SELECT gemeente, count(*) AS n FROM caseload WHERE status = 'open' GROUP BY gemeente"])
    voor, rijen = sorted(tuple(r.values()) for r in views.query("SELECT gemeente, n FROM open_per_gemeente")), dump(views)
    gelezen: list[int] = []
    origineel = store.log_ruw
    store.log_ruw = lambda *a, **k: gelezen.append(1) or origineel(*a, **k)  # type: ignore[method-assign]
    with pytest.raises(HerbouwMisluktError, match="open_per_gemeente"):  # refused up front, naming the view
        Herbouw(store, views, alle()).run()
    assert not gelezen, "the refusal came only after the log was followed"
    assert dump(views) == rijen
    assert sorted(tuple(r.values()) for r in views.query("SELECT gemeente, n FROM open_per_gemeente")) == voor


def test_a_rebuild_by_a_role_that_may_not_create_tables_is_refused_in_one_document(
    postgres_settings: Settings, ijmond: Regelset, gelderland: Regelset, tmp_path: Path
) -> None:
    """Attack: the rebuild is run with the runner's login (member of casus_projecties, made by
    `casus migreer`; CASUS_CREATE_TABLES=false), not the owner's. It follows the whole log first and
    only at the very end finds it may not create `<table>__nieuw` in the schema: a Python traceback,
    exit 1, and with `--json` no document on stdout. Should: refused as the CLI refuses (one JSON
    document, no traceback, "the live read models are as they were"), best before the hours of
    following the log, and the live tables untouched."""
    migreer(postgres_settings, alle())
    store = EventStore.open(postgres_settings)
    try:
        views = open_views(store.infrastructure)
        schrijf_verweven(store, populatie(ijmond, gelderland, 4))
        ProjectionRunner(store, views, alle()).catch_up()
        voor = dump(views)
        with _rol(postgres_settings, "casus_projecties") as runnerrol:
            env = os.environ | store_env(postgres_settings) | {
                "CASUS_STATE_DIR": str(tmp_path), "CASUS_POSTGRES_USER": runnerrol, "CASUS_CREATE_TABLES": "false",
            }  # fmt: skip
            r = subprocess.run(
                [CASUS, "projecties", "herbouw", "--json"], env=env, capture_output=True, text=True, timeout=300, check=False
            )
        assert dump(views) == voor
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-1500:]
        assert "as they were" in json.loads(r.stdout)["fout"]["melding"], r.stdout
    finally:
        store.close()
