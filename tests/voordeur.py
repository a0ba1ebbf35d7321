"""The front door for the fault and end-to-end tests that bring their own Temporal server and worker:
`casus api` as a process of its own on the test's settings, the development issuer, and the CLI run
as a caseworker's machine runs it (the API's address and a token file, no database, no master key,
no Temporal setting)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from api.uitgever import DraaiendeUitgever, start_uitgever
from bench.poorten import vrije_poort

CASUS = str(Path(sys.executable).parent / "casus")
ROLLEN = ("auditor", "operator", "beheerder")


class Voordeur:
    """`server_env` is the trusted side's environment (store, Temporal, task queue, master key)."""

    def __init__(self, server_env: Mapping[str, str], map_: Path) -> None:
        self.map = map_
        map_.mkdir(parents=True, exist_ok=True)
        self.uitgever: DraaiendeUitgever = start_uitgever(map_ / "uitgever")
        self.poort = vrije_poort()
        self.url = f"http://127.0.0.1:{self.poort}"
        self.server_env = dict(server_env) | {
            "CASUS_API_HOST": "127.0.0.1", "CASUS_API_PORT": str(self.poort), "CASUS_OIDC_ISSUER": self.uitgever.url,
        }  # fmt: skip
        self.tokens = map_ / "tokens.json"
        self._aangemeld: set[str] = set()
        self.log = (map_ / "api.log").open("ab")
        self.proces: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proces = subprocess.Popen([CASUS, "api"], env=self.server_env, stdout=self.log, stderr=subprocess.STDOUT)
        einde = time.monotonic() + 60
        while not self._luistert():
            if self.proces.poll() is not None or time.monotonic() > einde:
                raise RuntimeError(f"casus api did not start: see {self.map / 'api.log'}")
            time.sleep(0.05)

    def _luistert(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.poort)) == 0

    def stop(self) -> None:
        if self.proces is not None and self.proces.poll() is None:
            self.proces.terminate()
            try:
                self.proces.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proces.kill()
        self.uitgever.stop()
        self.log.close()

    def client_env(self, **extra: str) -> dict[str, str]:
        """A caseworker's machine: nothing of the trusted side, only where the API is and a token file."""
        basis = {k: v for k, v in os.environ.items() if not k.startswith("CASUS_")}
        return basis | {"CASUS_API_URL": self.url, "CASUS_TOKEN_BESTAND": str(self.tokens)} | extra

    def aanmelden(self, als: str, medewerker: str = "tester") -> None:
        if als in self._aangemeld:
            return
        r = subprocess.run(
            [CASUS, "login", "--als", als, "--medewerker", medewerker], env=self.client_env(), capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        self._aangemeld.add(als)

    def casus(self, *args: str, wacht_s: float | None = None) -> subprocess.CompletedProcess[str]:
        """`casus ARGS` as a client, logged in as the `--als` it names (else as an auditor)."""
        als = _optie(args, "--als") or "auditor"
        self.aanmelden(als)
        extra = {"CASUS_WACHT_OP_WORKER_S": str(wacht_s)} if wacht_s is not None else {}
        argumenten = list(args) if "--als" in args else [*args, "--als", als]
        return subprocess.run([CASUS, *argumenten], env=self.client_env(**extra), capture_output=True, text=True, timeout=120, check=False)


def _optie(args: Sequence[str], naam: str) -> str | None:
    return args[args.index(naam) + 1] if naam in args and args.index(naam) + 1 < len(args) else None


@contextmanager
def voordeur(server_env: Mapping[str, str], map_: Path) -> Iterator[Voordeur]:
    deur = Voordeur(server_env, map_)
    try:
        yield deur
    finally:
        deur.stop()
