"""The embedded stack (`casus dev`) once per test session, and `casus` as a subprocess against it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from eventstore.store import EventStore
from runtime.settings import Settings

CASUS = str(Path(sys.executable).parent / "casus")


def vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.env = os.environ | {
            "CASUS_STATE_DIR": str(state_dir),
            "CASUS_TEMPORAL_ADDRESS": f"127.0.0.1:{vrije_poort()}",
            "CASUS_TEMPORAL_UI_PORT": str(vrije_poort()),
            "CASUS_METRICS_PORT": str(vrije_poort()),
            "CASUS_EVENTSTORE": "sqlite",
        }
        self.proces = subprocess.Popen([CASUS, "dev"], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.uitvoer: list[str] = []
        self.klaar = threading.Event()
        threading.Thread(target=self._lees, daemon=True).start()

    def _lees(self) -> None:
        assert self.proces.stderr is not None
        for regel in self.proces.stderr:
            self.uitvoer.append(regel)
            if "Ctrl-C stops all" in regel:
                self.klaar.set()

    def casus(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CASUS, *args], env=env or self.env, capture_output=True, text=True, timeout=120, check=False)

    def json(self, *args: str) -> Any:
        r = self.casus(*args, "--json")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def events(self, casus_id: str) -> int:
        store = EventStore.open(Settings(state_dir=self.state_dir, eventstore="sqlite"))
        try:
            return len(store.read(casus_id))
        finally:
            store.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("dev"))
    try:
        assert s.klaar.wait(120), "casus dev did not start:\n" + "".join(s.uitvoer)
        yield s
    finally:
        s.proces.send_signal(signal.SIGINT)
        try:
            s.proces.wait(timeout=60)
        except subprocess.TimeoutExpired:
            s.proces.kill()
    assert s.proces.returncode == 0, "".join(s.uitvoer)
    assert "casus dev: stopped." in "".join(s.uitvoer)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
