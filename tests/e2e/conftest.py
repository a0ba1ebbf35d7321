"""The embedded stack (`casus dev`) once per test session, and `casus` as a subprocess against it.

`casus dev` serves the API and a development issuer beside its Temporal, worker and projection runner.
`Stack.casus` runs a caseworker's, operator's or auditor's command as a client would: with
CASUS_API_URL and a token file of its own, an empty state dir, and none of the server's settings
(no event store, master key or Temporal address). It logs in first (`casus login`, once per party
and name): as the `--als` party a command names, and for a read without `--als` as the role that may
do it (`operator` or `auditor`, with `--reden test` where a reason is required). Admin commands
(`verifieer`, `herstel`, `projecties`, `controlepunt`, `kalender`, `audit --verify/--bundel`, …) run
with the server's environment, `Stack.env`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.poorten import vrije_poort
from domain.opdrachten import OPDRACHTEN
from eventstore.store import EventStore
from runtime.settings import Settings

CASUS = str(Path(sys.executable).parent / "casus")

# The client commands, and for a read without --als the role that may do it (domain/toegang.py).
ROL_VOOR_LEZEN = {
    "status": "operator",
    "lijst": "operator",
    "termijnen": "operator",
    "rapport": "operator",
    "audit": "auditor",
    "dossier": "auditor",
    "huishouden": "auditor",
    "inzage-log": "auditor",
}
MET_REDEN = {"audit", "dossier", "huishouden"}
CLIENT_COMMANDOS = {"melding", "login", "logout", *ROL_VOOR_LEZEN, *OPDRACHTEN}


def optie(args: Sequence[str], naam: str) -> str | None:
    """The value of `--naam` in `args` (`--naam X` or `--naam=X`), or None."""
    for i, arg in enumerate(args):
        if arg == naam and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(f"{naam}="):
            return arg.split("=", 1)[1]
    return None


def is_client(args: Sequence[str]) -> bool:
    if not args or args[0] not in CLIENT_COMMANDOS:
        return False
    return not (args[0] == "audit" and ("--verify" in args or optie(args, "--bundel") is not None))


class Stack:
    def __init__(self, state_dir: Path, **instellingen: str) -> None:
        """`instellingen`: the stack's own settings (CASUS_...) beside the ports and the store."""
        self.state_dir = state_dir
        self.api_poort = vrije_poort()
        self.env = os.environ | {
            "CASUS_STATE_DIR": str(state_dir),
            "CASUS_TEMPORAL_ADDRESS": f"127.0.0.1:{vrije_poort()}",
            "CASUS_TEMPORAL_UI_PORT": str(vrije_poort()),
            "CASUS_METRICS_PORT": str(vrije_poort()),
            "CASUS_API_PORT": str(self.api_poort),
            "CASUS_DEV_UITGEVER_PORT": str(vrije_poort()),
            "CASUS_EVENTSTORE": "sqlite",
            **instellingen,
        }
        self.api_url = f"http://127.0.0.1:{self.api_poort}"
        self.client_dir = state_dir.with_name(f"{state_dir.name}-client")
        self.client_dir.mkdir(exist_ok=True)
        self.token_bestand = self.client_dir / "tokens.json"
        self.client_env = {k: v for k, v in os.environ.items() if not k.startswith("CASUS_")} | {
            "CASUS_API_URL": self.api_url,
            "CASUS_TOKEN_BESTAND": str(self.token_bestand),
            "CASUS_STATE_DIR": str(self.client_dir / "state"),
            "XDG_CONFIG_HOME": str(self.client_dir / "config"),
        }
        self._aangemeld: dict[str, str] = {}  # als -> the name it logged in with
        self._slot = threading.Lock()
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

    def _run(self, args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CASUS, *args], env=env, capture_output=True, text=True, timeout=120, check=False)

    def aanmelden(self, als: str, medewerker: str | None = None) -> subprocess.CompletedProcess[str] | None:
        """`casus login --als ALS --medewerker NAME` in the client environment, once per party and
        name (a command without --medewerker takes whatever name ALS logged in with)."""
        with self._slot:
            if als in self._aangemeld and medewerker in (None, self._aangemeld[als]):
                return None
            naam = medewerker or "tester"
            r = self._run(["login", "--als", als, "--medewerker", naam], self.client_env)
            if r.returncode == 0:
                self._aangemeld[als] = naam
            return r

    def als_client(self, args: Sequence[str]) -> list[str]:
        """The command as a client runs it: logged in as its --als party, or as the role a read needs."""
        args = list(args)
        commando = args[0]
        if commando in ("login", "logout"):
            return args
        if commando == "huishouden" and "--vergeet" in args:  # forgetting is a beheerder's, recorded as Veilig Thuis's
            if (i := args.index("--als") if "--als" in args else None) is not None and i + 1 < len(args):
                args[i + 1] = "beheerder"
            else:
                args += ["--als", "beheerder"]
            self.aanmelden("beheerder", optie(args, "--medewerker"))
            return args
        als = optie(args, "--als")
        if als is None and commando in ROL_VOOR_LEZEN:
            als = ROL_VOOR_LEZEN[commando]
            args += ["--als", als]
            if commando in MET_REDEN and optie(args, "--reden") is None:
                args += ["--reden", "test"]
        if als:
            self.aanmelden(als, optie(args, "--medewerker"))
        return args

    def casus(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`casus ARGS`: a client command in the client environment (an `env` given is used as it is,
        with the stack's token file), any other with the server's."""
        if not is_client(args):
            return self._run(args, env or self.env)
        args_ = self.als_client(args)
        return self._run(args_, self.client_env if env is None else {"CASUS_TOKEN_BESTAND": str(self.token_bestand)} | env)

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


@contextmanager
def draaiende_stack(map_: Path) -> Iterator[Stack]:
    """`casus dev` in `map_`, until its block ends (then SIGINT, as Ctrl-C)."""
    s = Stack(map_)
    try:
        assert s.klaar.wait(120), "casus dev did not start:\n" + "".join(s.uitvoer)
        yield s
    finally:
        s.proces.send_signal(signal.SIGINT)
        try:
            s.proces.wait(timeout=60)
        except subprocess.TimeoutExpired:
            s.proces.kill()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with draaiende_stack(tmp_path_factory.mktemp("dev")) as s:
        yield s
    assert s.proces.returncode == 0, "".join(s.uitvoer)
    assert "casus dev: stopped." in "".join(s.uitvoer)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
