"""Real parts to break: a Temporal dev server on a state file, worker processes, and a TCP proxy
in front of PostgreSQL that can cut every connection. Each fault test records what it tried in
`RESULTATEN` so that `make faults` can write docs/RELIABILITY.md from the runs themselves."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.poorten import vrije_poort
from runtime.temporal import binary

ROOT = Path(__file__).resolve().parents[2]


def resultaten() -> Path | None:
    """Where `make faults` collects what each run tried (CASUS_FAULT_RESULTS); unset: nowhere."""
    pad = os.environ.get("CASUS_FAULT_RESULTS")
    return Path(pad) if pad else None


def noteer(proef: str, uitkomst: str, **details: Any) -> None:
    """What a fault test tried and what it saw, for docs/RELIABILITY.md."""
    pad = resultaten()
    if pad is not None:
        with pad.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"soort": "noot", "proef": proef, "uitkomst": uitkomst, **details}) + "\n")


def wacht_tot(voorwaarde: Callable[[], bool], seconden: float = 60, stap: float = 0.05) -> None:
    einde = time.monotonic() + seconden
    while not voorwaarde():
        if time.monotonic() > einde:
            raise TimeoutError("the condition did not come true in time")
        time.sleep(stap)


class TemporalServer:
    """A dev server on a state file. Its port is found free and then given to it, and the server
    picks further ports of its own: another process can take one in between. A server that exits
    before it listens is started again on a new port; its own words are kept in `temporal.log`."""

    POGINGEN = 3

    def __init__(self, state: Path) -> None:
        self.state, self.poort = state, vrije_poort()
        self.adres = f"127.0.0.1:{self.poort}"
        self.proces: subprocess.Popen[bytes] | None = None
        self.logboek = state / "temporal.log"

    def start(self) -> None:
        for poging in range(1, self.POGINGEN + 1):
            self.proces = self._start()
            try:
                wacht_tot(lambda: self._luistert() or self._gestopt(), 60)
            except TimeoutError:
                self.stop()
                raise TimeoutError(f"the Temporal dev server did not listen on {self.adres} in 60 s: {self._staart()}") from None
            if not self._gestopt():
                return
            if poging == self.POGINGEN:
                raise RuntimeError(f"the Temporal dev server exited {self.POGINGEN} times before it listened: {self._staart()}")
            self.poort = vrije_poort()
            self.adres = f"127.0.0.1:{self.poort}"

    def _start(self) -> subprocess.Popen[bytes]:
        cmd = [str(binary("temporal")), "server", "start-dev", "--db-filename", str(self.state / "temporal.db"), "--ip", "127.0.0.1",
               "--port", str(self.poort), "--headless", "--log-level", "error",
               "--search-attribute", "CasusBeleid=Keyword", "--search-attribute", "CasusGemeente=Keyword",
               "--search-attribute", "CasusHouder=Keyword", "--search-attribute", "CasusFase=Keyword",
               "--search-attribute", "CasusVolgendeTermijn=Datetime", "--search-attribute", "CasusMonitoringBesluitNodig=Bool"]  # fmt: skip
        with self.logboek.open("ab") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def _gestopt(self) -> bool:
        return self.proces is not None and self.proces.poll() is not None

    def _staart(self) -> str:
        tekst = self.logboek.read_text(encoding="utf-8", errors="replace") if self.logboek.exists() else ""
        return tekst[-2000:].strip() or "(it printed nothing)"

    def _luistert(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.poort)) == 0

    def stop(self) -> None:
        if self.proces and self.proces.poll() is None:
            self.proces.terminate()
            self.proces.wait(timeout=30)


class Worker:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proces: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proces = subprocess.Popen([sys.executable, str(ROOT / "worker.py")], env=self.env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip

    def kill(self) -> None:
        """kill -9: no shutdown, no goodbye to the server."""
        if self.proces and self.proces.poll() is None:
            os.killpg(self.proces.pid, signal.SIGKILL)
            self.proces.wait(timeout=30)

    def stop(self) -> None:
        if self.proces and self.proces.poll() is None:
            self.proces.send_signal(signal.SIGTERM)
            self.proces.wait(timeout=30)


class Proxy:
    """Forwards 127.0.0.1:<poort> to a target; `knip` drops every connection and refuses new ones."""

    def __init__(self, doel: tuple[str, int]) -> None:
        self.doel, self.poort = doel, vrije_poort()
        self.open = threading.Event()
        self.open.set()
        self.verbindingen: list[socket.socket] = []
        self.luisteraar = socket.create_server(("127.0.0.1", self.poort))
        threading.Thread(target=self._aanneem, daemon=True).start()

    def _aanneem(self) -> None:
        while True:
            try:
                klant, _ = self.luisteraar.accept()
            except OSError:
                return
            if not self.open.is_set():
                klant.close()
                continue
            self._verbind(klant)

    def _verbind(self, klant: socket.socket) -> None:
        """Connects an accepted client to the target and pumps both ways."""
        server = socket.create_connection(self.doel)
        self.verbindingen += [klant, server]
        for a, b in ((klant, server), (server, klant)):
            threading.Thread(target=self._pomp, args=(a, b), daemon=True).start()

    @staticmethod
    def _pomp(van: socket.socket, naar: socket.socket) -> None:
        try:
            while data := van.recv(65536):
                naar.sendall(data)
        except OSError:
            pass
        finally:
            for s in (van, naar):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def knip(self) -> None:
        self.open.clear()
        for s in self.verbindingen:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.verbindingen.clear()

    def herstel(self) -> None:
        self.open.set()

    def sluit(self) -> None:
        self.knip()
        self.luisteraar.close()
