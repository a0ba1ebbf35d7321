"""Soak of the embedded stack: CLI clients in parallel against one `casus dev`, meldingen and
actions mixed, for a fixed time. Afterwards the stack still runs, every acknowledged melding and
action is in the event store once, and the projections hold every event.

`make soak` runs 50 clients for two minutes and reports the figures in docs/RELIABILITY.md;
`make test` runs a short one (SOAK_CLIENTS, SOAK_SECONDS)."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain import gebeurtenissen as g
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import namen
from runtime.settings import Settings
from tests.e2e.conftest import CASUS, Stack, iso
from tests.faults.onderdelen import resultaten, wacht_tot

CLIENTS = int(os.environ.get("SOAK_CLIENTS", "10"))
SECONDEN = float(os.environ.get("SOAK_SECONDS", "20"))

# Each casus takes these steps in order, each acknowledged one recorded once (GM: VT holds it from receipt).
STAPPEN: tuple[tuple[tuple[str, ...], type[g.Gebeurtenis]], ...] = (
    (("beoordeling-afronden", "--besluit", "direct-overdracht", "--team", "ede", "--als", "veilig-thuis"), g.BeoordelingAfgerond),
    (("overdracht-accepteren", "--als", "lokaal-team:ede"), g.OverdrachtGeaccepteerd),
    (("contact-gelegd", "--als", "lokaal-team:ede"), g.ContactGelegd),
)


@dataclass
class Client:
    env: dict[str, str]
    tot: float
    duur: list[float] = field(default_factory=list)
    erkend: dict[str, list[type[g.Gebeurtenis]]] = field(default_factory=dict)  # casus -> acknowledged steps
    meldingen: int = 0
    acties: int = 0
    niet_bereikbaar: int = 0
    fouten: list[str] = field(default_factory=list)

    def casus(self, *args: str) -> subprocess.CompletedProcess[str]:
        begin = time.monotonic()
        r = subprocess.run([CASUS, *args], env=self.env, capture_output=True, text=True, timeout=300, check=False)
        self.duur.append(time.monotonic() - begin)
        if "Traceback" in r.stderr or r.returncode not in (0, 3):
            self.fouten.append(f"{' '.join(args[:2])}: exit {r.returncode}: {r.stderr[-400:]}")
        self.niet_bereikbaar += r.returncode == 3
        return r

    def draai(self) -> None:
        kans = random.Random()
        open_: dict[str, int] = {}
        while time.monotonic() < self.tot:
            if not open_ or kans.random() < 0.3:
                self._meld(open_)
            else:
                casus_id = kans.choice(list(open_))
                self._stap(casus_id, open_)

    def _meld(self, open_: dict[str, int]) -> None:
        ontvangen = iso(datetime.now(UTC) - timedelta(hours=1))
        r = self.casus("melding", "--beleid", "gelderland-midden-2019", "--gemeente", "ede", "--huishouden", f"HH-{uuid.uuid4().hex[:8]}",
                       "--ontvangen", ontvangen, "--als", "veilig-thuis")  # fmt: skip
        self.meldingen += 1
        if r.returncode == 0:
            casus_id = r.stdout.strip()
            open_[casus_id] = 0
            self.erkend[casus_id] = [g.MeldingOntvangen]

    def _stap(self, casus_id: str, open_: dict[str, int]) -> None:
        args, soort = STAPPEN[open_[casus_id]]
        r = self.casus(args[0], casus_id, *args[1:])
        self.acties += 1
        if r.returncode == 0:
            self.erkend[casus_id].append(soort)
            open_[casus_id] += 1
            if open_[casus_id] == len(STAPPEN):
                del open_[casus_id]


def aan_het_werk(stack: Stack, aantal: int, seconden: float) -> tuple[list[Client], list[threading.Thread]]:
    """`aantal` clients acting for `seconden` against the started stack, each in a thread of its own."""
    assert stack.klaar.wait(120), "casus dev did not start:\n" + "".join(stack.uitvoer)
    for partij in ("veilig-thuis", "lokaal-team:ede"):
        stack.aanmelden(partij)
    tot = time.monotonic() + seconden
    # Caseworkers' machines: the API's address and their tokens; the stack waits up to 120 s for a worker.
    clients = [Client(env=stack.client_env | {"CASUS_WACHT_OP_WORKER_S": "120"}, tot=tot) for _ in range(aantal)]
    draden = [threading.Thread(target=c.draai) for c in clients]
    for d in draden:
        d.start()
    return clients, draden


def kwantiel(waarden: list[float], q: float) -> float:
    return statistics.quantiles(waarden, n=100)[q - 1] if len(waarden) >= 2 else (waarden or [0.0])[0]


@pytest.mark.soak
def test_the_embedded_stack_holds_under_parallel_clients(tmp_path: Path) -> None:
    stack = Stack(tmp_path, CASUS_WACHT_OP_WORKER_S="120")
    try:
        clients, draden = aan_het_werk(stack, CLIENTS, SECONDEN)
        figuren = afgerond(stack, clients, draden)
    finally:
        stack.proces.terminate()
        stack.proces.wait(timeout=60)
    schrijf(figuren)
    zonder_verlies(stack, clients, figuren)
    assert figuren["erkend"] > 0


def afgerond(stack: Stack, clients: list[Client], draden: list[threading.Thread]) -> dict[str, Any]:
    """The figures once every client has finished, the stack's survival among them."""
    for d in draden:
        d.join()
    levend = stack.proces.poll() is None
    return controleer(stack, clients) | {"stack_doden": int(not levend)}


def zonder_verlies(stack: Stack, clients: list[Client], figuren: dict[str, Any]) -> None:
    assert not figuren["stack_doden"], "casus dev stopped under load:\n" + "".join(stack.uitvoer[-40:])
    assert not [f for c in clients for f in c.fouten], [f for c in clients for f in c.fouten][:5]
    assert (figuren["verloren"], figuren["dubbel"], figuren["projectie_achter"]) == (0, 0, 0), figuren


def controleer(stack: Stack, clients: list[Client]) -> dict[str, Any]:
    """Every acknowledged step stored once; the projections at the log's head."""
    store = EventStore.open(Settings(state_dir=stack.state_dir, eventstore="sqlite"))
    views = open_views(store.infrastructure)
    try:
        verloren = dubbel = 0
        for c in clients:
            for casus_id, stappen in c.erkend.items():
                stream = store.read(casus_id)
                for soort in stappen:
                    n = sum(isinstance(e, soort) for e in stream)
                    verloren, dubbel = verloren + (n == 0), dubbel + (n > 1)
        head = store.head()
        wacht_tot(lambda: min(views.position(n) for n in namen()) >= head, 60, 0.2)
        achter = head - min(views.position(n) for n in namen())
    finally:
        store.close()
    duur = [d for c in clients for d in c.duur]
    return {
        "clients": len(clients), "seconden": SECONDEN, "meldingen": sum(c.meldingen for c in clients),
        "acties": sum(c.acties for c in clients), "erkend": sum(len(s) for c in clients for s in c.erkend.values()),
        "niet_bereikbaar": sum(c.niet_bereikbaar for c in clients), "p50_s": round(kwantiel(duur, 50), 2),
        "p99_s": round(kwantiel(duur, 99), 2), "verloren": verloren, "dubbel": dubbel, "projectie_achter": achter,
    }  # fmt: skip


def schrijf(figuren: dict[str, Any]) -> None:
    pad = resultaten()
    if pad is not None:
        with pad.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"soort": "soak", **figuren}) + "\n")
