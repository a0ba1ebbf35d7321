"""`casus dev` never orphans its Temporal and never attaches to a stranger's: killed with -9 its
Temporal child dies with it, SIGTERM stops everything cleanly, and a taken port is refused (exit 3)
naming the process that holds it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from casus_cli.dev import luisteraar
from eventstore.store import EventStore
from eventstore.views import open_views
from runtime.settings import Settings
from tests.e2e.conftest import CASUS, Stack, vrije_poort
from tests.faults.onderdelen import noteer


def kinderen(pid: int) -> list[int]:
    gevonden = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            velden = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(velden[1]) == pid:
            gevonden.append(int(stat.parent.name))
    return gevonden


def temporal_kind(pid: int) -> int:
    for kind in kinderen(pid):
        if b"temporal" in Path(f"/proc/{kind}/cmdline").read_bytes():
            return kind
    raise AssertionError(f"casus dev (pid {pid}) has no Temporal child")


def leeft(pid: int) -> bool:
    """Running (a zombie waiting for a parent that never reaps it has exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wacht_tot_weg(pid: int, seconden: float = 30) -> float:
    begin = time.monotonic()
    while leeft(pid):
        assert time.monotonic() - begin < seconden, f"pid {pid} still runs after {seconden} s"
        time.sleep(0.05)
    return time.monotonic() - begin


def gestart(tmp_path: Path) -> Stack:
    stack = Stack(tmp_path)
    assert stack.klaar.wait(120), "casus dev did not start:\n" + "".join(stack.uitvoer)
    return stack


@pytest.mark.storing
def test_casus_dev_killed_with_minus_9_takes_its_temporal_with_it(tmp_path: Path) -> None:
    stack = gestart(tmp_path)
    temporal = temporal_kind(stack.proces.pid)
    poort = int(stack.env["CASUS_TEMPORAL_ADDRESS"].rsplit(":", 1)[1])
    assert luisteraar(poort) is not None and luisteraar(poort)[0] == temporal  # type: ignore[index]
    stack.proces.send_signal(signal.SIGKILL)
    stack.proces.wait(timeout=30)
    seconden = wacht_tot_weg(temporal)
    assert luisteraar(poort) is None
    # And the next `casus dev` on the same ports starts rather than finding the old server.
    opnieuw = gestart(tmp_path)
    opnieuw.proces.send_signal(signal.SIGTERM)
    assert opnieuw.proces.wait(timeout=60) == 0
    noteer(
        "casus dev killed with -9",
        "its Temporal child exited (parent-death signal); the next casus dev started",
        seconden=round(seconden, 2),
    )


@pytest.mark.storing
def test_sigterm_stops_casus_dev_and_its_temporal_cleanly(tmp_path: Path) -> None:
    stack = gestart(tmp_path)
    temporal = temporal_kind(stack.proces.pid)
    stack.proces.send_signal(signal.SIGTERM)
    assert stack.proces.wait(timeout=60) == 0
    assert not leeft(temporal)
    assert any("casus dev: stopped." in r for r in stack.uitvoer)


@pytest.mark.parametrize("variabele", ["CASUS_TEMPORAL_ADDRESS", "CASUS_TEMPORAL_UI_PORT"])
def test_casus_dev_refuses_a_port_in_use_naming_its_holder(tmp_path: Path, variabele: str) -> None:
    with socket.socket() as bezet:
        bezet.bind(("127.0.0.1", 0))
        bezet.listen()
        poort = bezet.getsockname()[1]
        env = os.environ | {
            "CASUS_STATE_DIR": str(tmp_path), "CASUS_METRICS_PORT": "0",
            "CASUS_TEMPORAL_ADDRESS": f"127.0.0.1:{vrije_poort()}", "CASUS_TEMPORAL_UI_PORT": str(vrije_poort()),
        } | {variabele: f"127.0.0.1:{poort}" if variabele == "CASUS_TEMPORAL_ADDRESS" else str(poort)}  # fmt: skip
        r = subprocess.run([CASUS, "dev"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 3, r.stderr
    assert f"port {poort}" in r.stderr and f"pid {os.getpid()}" in r.stderr and f"kill {os.getpid()}" in r.stderr
    assert not (tmp_path / "temporal.db").exists()  # no Temporal was started beside it


@pytest.mark.storing
def test_twenty_parallel_meldingen_all_land_and_the_stack_keeps_running(stack: Stack) -> None:
    """What made SQLite answer "database is locked" to the projection runner and stopped `casus dev`."""

    stack.aanmelden("veilig-thuis")

    def melding(i: int) -> subprocess.Popen[str]:
        args = ["melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", f"HH-par-{i}", "--als", "veilig-thuis"]
        return subprocess.Popen([CASUS, *args], env=stack.client_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    meldingen = [melding(i) for i in range(20)]
    uitkomsten = [(m.wait(timeout=300), *m.communicate()) for m in meldingen]
    assert [u for u in uitkomsten if u[0] != 0] == []
    ids = {u[1].strip() for u in uitkomsten}
    store = EventStore.open(Settings(state_dir=stack.state_dir, eventstore="sqlite"))
    try:
        views, einde = open_views(store.infrastructure), time.monotonic() + 60
        while not ids <= {r["casus_id"] for r in views.query("SELECT casus_id FROM caseload")}:
            assert time.monotonic() < einde, "the projection runner did not take in every melding"
            time.sleep(0.1)
    finally:
        store.close()
    assert stack.proces.poll() is None, "".join(stack.uitvoer)
    assert not any("database is locked" in r or "projection runner stopped" in r for r in stack.uitvoer)
