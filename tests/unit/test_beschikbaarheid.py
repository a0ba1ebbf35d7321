"""Availability without servers: which database errors are transient and tried again (with a
bounded backoff), a logged exception carries its traceback, and `casus dev` names who holds a port."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError

from casus_cli.dev import controleer_poorten, luisteraar
from casus_cli.fouten import UnreachableError
from eventstore.opnieuw import Terugval, opnieuw, voorbijgaand
from runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _verpakt(fout: Exception) -> OperationalError:
    """As eventsourcing raises a driver's error: its own type, raised from the driver's."""
    try:
        raise OperationalError(str(fout)) from fout
    except OperationalError as e:
        return e


@pytest.mark.parametrize(
    "fout",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("database table is locked"),
        _verpakt(sqlite3.OperationalError("database is locked")),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        _verpakt(psycopg.OperationalError("connection refused")),
    ],
)
def test_busy_sqlite_and_a_lost_postgresql_connection_are_transient(fout: Exception) -> None:
    assert voorbijgaand(fout)


@pytest.mark.parametrize(
    "fout",
    [
        sqlite3.OperationalError("no such table: caseload"),
        _verpakt(sqlite3.OperationalError("no such table: caseload")),
        IntegrityError("UNIQUE constraint failed"),
        psycopg.errors.InsufficientPrivilege("permission denied for table casus_events"),
        ValueError("database is locked"),  # not a database error, whatever it says
    ],
)
def test_a_missing_table_a_conflict_or_a_refusal_is_not_transient(fout: Exception) -> None:
    assert not voorbijgaand(fout)


def test_a_transient_error_is_tried_again_with_growing_bounded_waits() -> None:
    pogingen: list[int] = []
    wachten: list[float] = []

    def doe() -> str:
        pogingen.append(1)
        if len(pogingen) < 5:
            raise sqlite3.OperationalError("database is locked")
        return "klaar"

    assert opnieuw(doe, wat="test", terugval=Terugval(pogingen=8, eerste=0.1, hoogste=0.4), slaap=wachten.append) == "klaar"
    assert len(pogingen) == 5
    grenzen = [(0.05, 0.1), (0.1, 0.2), (0.2, 0.4), (0.2, 0.4)]  # doubling, with jitter, up to the ceiling
    assert len(wachten) == 4 and all(laag <= w <= hoog for w, (laag, hoog) in zip(wachten, grenzen, strict=True))


def test_the_attempts_are_bounded_and_other_errors_are_raised_at_once() -> None:
    wachten: list[float] = []

    def bezet() -> None:
        raise sqlite3.OperationalError("database is locked")

    with pytest.raises(sqlite3.OperationalError):
        opnieuw(bezet, wat="test", terugval=Terugval(pogingen=3, eerste=0.01), slaap=wachten.append)
    assert len(wachten) == 2

    def kapot() -> None:
        raise sqlite3.OperationalError("no such table: x")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        opnieuw(kapot, wat="test", slaap=wachten.append)
    assert len(wachten) == 2


def test_a_logged_exception_carries_its_traceback_in_json() -> None:
    code = (
        "import structlog\nfrom runtime import logging as l\nl.configure('json')\n"
        "try:\n    raise RuntimeError('read model fails')\nexcept RuntimeError:\n"
        "    structlog.get_logger().exception('projection runner stopped')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    regel = json.loads(r.stderr.strip().splitlines()[-1])
    assert regel["event"] == "projection runner stopped"
    assert "Traceback (most recent call last)" in regel["exception"] and "RuntimeError: read model fails" in regel["exception"]
    assert "exc_info" not in regel


def test_a_forwarded_sdk_core_line_prints_no_python_object() -> None:
    """The Temporal SDK hands its core's lines to Python logging with the raw entry as an extra."""
    code = (
        "import logging\nfrom runtime import logging as l\nl.configure('json')\n"
        "logging.getLogger('temporalio.core').warning('[sdk_core] a core warning', extra={'temporal_log': object()})\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    regel = json.loads(r.stderr.strip().splitlines()[-1])
    assert regel["event"] == "[sdk_core] a core warning" and "temporal_log" not in regel
    assert "object at 0x" not in r.stderr


def test_the_process_that_holds_a_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        poort = s.getsockname()[1]
        houder = luisteraar(poort)
        assert houder is not None and houder[0] == os.getpid()
        settings = Settings(state_dir=tmp_path, temporal_address=f"127.0.0.1:{poort}")
        with pytest.raises(UnreachableError, match=f"port {poort} .* pid {os.getpid()}") as fout:
            controleer_poorten(settings)
        assert fout.value.exit_code == 3 and f"kill {os.getpid()}" in fout.value.melding
    assert luisteraar(poort) is None
