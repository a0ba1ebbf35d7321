"""Attacks on the rebuild beside the running system (projections/herbouw.py, issue 15) through its
locks and its rights: a report that keeps its transaction open at the switch, a rebuild killed
while its switch waits, an insider whose login holds the swap lock, a role that may not create
tables. tests/faults/test_aanval_herbouw_opslag.py and tests/faults/test_aanval_herbouw_runner.py
hold the other attacks.

Each test's docstring names the attack and what should happen. The ones that fail show a defect."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import WISSEL, open_views
from projections.alle import alle
from projections.herbouw import Herbouw
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from service.migratie import migreer
from tests.conftest import store_env
from tests.faults.herbouw_hulp import CASUS, bijgewerkt, fouten, gebeurt_binnen, op_de_achtergrond, pg, rol, verse_tabellen
from tests.integration.test_projecties import dump, populatie, schrijf_verweven

pytestmark = pytest.mark.storing

HERBOUW = "casus-herbouw"
"""The application name of the rebuild's own PostgreSQL sessions (projections/herbouw.py)."""


def _herbouw_wacht_op_een_slot(kijker: psycopg.Connection[tuple[Any, ...]]) -> bool:
    vraag = "SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'"
    return gebeurt_binnen(lambda: kijker.execute(vraag, (HERBOUW,)).fetchone() is not None, 60)


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
        views = bijgewerkt(store, populatie(ijmond, gelderland, 6))
        voor = dump(views)
        with pg(postgres_settings) as lezer, pg(postgres_settings) as ander, pg(postgres_settings) as kijker:
            lezer.execute("BEGIN")
            lezer.execute("SELECT count(*) FROM caseload")  # ... and the report goes on computing
            draad, uitkomst = op_de_achtergrond(lambda: Herbouw(store, views, alle(), delen=1).run())
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
        views = bijgewerkt(store, populatie(ijmond, gelderland, 6))
        voor = dump(views)
        env = os.environ | store_env(postgres_settings) | {"CASUS_STATE_DIR": str(tmp_path)}
        with pg(postgres_settings) as lezer, pg(postgres_settings) as ander, pg(postgres_settings) as kijker:
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
        assert dump(views) == voor and not verse_tabellen(views, postgres=True)
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
        with rol(postgres_settings) as niemand, pg(postgres_settings, user=niemand) as insider:
            assert insider.execute("SELECT has_table_privilege('caseload', 'SELECT')").fetchone() == (False,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                insider.execute(f"SELECT generatie FROM {WISSEL} WHERE slot = 1 FOR UPDATE")
            insider.execute("SELECT pg_advisory_lock(x) FROM generate_series(1, 10) AS x")
            draad, uitkomst = op_de_achtergrond(runner.step)
            draad.join(10)
            vast = draad.is_alive()
            insider.execute("SELECT pg_advisory_unlock_all()")
            draad.join(60)
        assert not vast, "the runner's batch waited over 10 s for a lock a login without any grant holds"
        assert uitkomst and not fouten(uitkomst), uitkomst
    finally:
        store.close()


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
        views = bijgewerkt(store, populatie(ijmond, gelderland, 4))
        voor = dump(views)
        with rol(postgres_settings, "casus_projecties") as runnerrol:
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
