"""`casus simuleer DIR`: many scenarios, each through the simulator (service/simulatie.py), each with
an outcome or an error of its own. The time-skipping server has one clock, which the simulator moves
to each step: on one server the scenarios run one after the other, with one store, worker and task
queue between them. A large batch is spread over a few processes, each with a server of its own,
each taking the next scenario when it has finished one."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from service.scenario import Scenario, ScenarioError
from service.simulatie import SimulatieVastgelopenError, Simulator, omgeving

PER_PROCES = 20
"""A process is started for every this many scenarios, up to one per core: starting one, with its
imports and its own test server, takes about as long as running this many."""
STOPPEN_S = 10.0
"""How long a simulation process stopped after an error gets to shut its test server down."""
SCENARIOS_PER_SERVER = 100
"""A time-skipping server keeps every workflow it ran, and each step costs it more as they add up;
a simulator's worker keeps the casussen left running at `tot` in its cache, likewise. After this
many scenarios a fresh server, store and worker take over (starting them takes about 0.15 s)."""


@dataclass(frozen=True)
class Mislukt:
    """A scenario that came to no outcome, and why: refused (exit 1: the file, or the melding, as
    the workflow refused it) or stuck (exit 3: the workflow stopped answering)."""

    melding: str
    veld: str | None = None
    vastgelopen: bool = False


Resultaat = dict[str, Any] | Mislukt
Opstart = Callable[[], None]


def simuleer(bestanden: Sequence[Path], opstart: Opstart, processen: int | None = None) -> list[Resultaat]:
    """The outcome of each scenario file, or what stopped it, in the order given; one that fails
    leaves the others as they would be without it. `opstart` prepares a process for the Temporal
    SDK (its runtime and logs); this one has been prepared already."""
    if processen is None:
        processen = min(_kernen(), len(bestanden) // PER_PROCES)
    if processen <= 1:
        resultaten: dict[int, Resultaat] = {}
        nummers = iter(range(len(bestanden)))
        asyncio.run(_reeks(bestanden, lambda: next(nummers, None), resultaten.__setitem__))
        return [resultaten[i] for i in range(len(bestanden))]
    return _verdeeld(bestanden, opstart, processen)


async def _reeks(bestanden: Sequence[Path], volgende: Callable[[], int | None], klaar: Callable[[int, Resultaat], None]) -> None:
    """Runs scenarios as long as `volgende` gives one, SCENARIOS_PER_SERVER on a server before a fresh
    one takes over. A workflow that stopped answering may leave a task the server waits on before it
    skips time again: the scenarios after it get a fresh server at once."""
    nummer = volgende()
    while nummer is not None:
        async with omgeving() as env, Simulator(env) as simulator:
            for _ in range(SCENARIOS_PER_SERVER):
                resultaat = await _een(simulator, bestanden[nummer])
                klaar(nummer, resultaat)
                nummer = volgende()
                if nummer is None or (isinstance(resultaat, Mislukt) and resultaat.vastgelopen):
                    break


async def _een(simulator: Simulator, bestand: Path) -> Resultaat:
    try:
        return await simulator.run(Scenario.load(bestand))
    except ScenarioError as e:
        return Mislukt(str(e), veld=e.veld)
    except SimulatieVastgelopenError as e:
        return Mislukt(str(e), vastgelopen=True)


def _kernen() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _verdeeld(bestanden: Sequence[Path], opstart: Opstart, processen: int) -> list[Resultaat]:
    """Over `processen` processes. Each gets the number of a scenario, sends back its result and then
    gets the next number; None says there is none left, and the process ends."""
    context = multiprocessing.get_context("spawn")  # this process runs the SDK's native threads: no fork
    nummers = iter(range(len(bestanden)))
    resultaten: dict[int, Resultaat] = {}
    kinderen: dict[Connection, BaseProcess] = {}
    try:
        for _ in range(processen):
            hier, daar = context.Pipe()
            kind = context.Process(target=_proces, args=(list(bestanden), daar, opstart), daemon=True)
            kind.start()
            daar.close()
            kinderen[hier] = kind
            hier.send(next(nummers, None))
        while kinderen:
            for verbinding in wait(list(kinderen)):
                assert isinstance(verbinding, Connection)
                try:
                    bericht = verbinding.recv()
                except (EOFError, OSError):  # done, or ended before it said so: what it did not send is missing below
                    kinderen.pop(verbinding).join()
                    continue
                if isinstance(bericht, str):
                    raise RuntimeError(f"a simulation process failed:\n{bericht}")
                nummer, resultaat = bericht
                resultaten[nummer] = resultaat
                with contextlib.suppress(OSError):  # it ended meanwhile: its end of file comes next
                    verbinding.send(next(nummers, None))
    finally:
        for over in kinderen.values():  # after an error here: each stops its own server, then ends
            over.terminate()
        for over in kinderen.values():
            over.join(STOPPEN_S)
    ontbrekend = [bestanden[i] for i in range(len(bestanden)) if i not in resultaten]
    if ontbrekend:
        raise RuntimeError(f"a simulation process stopped before it ran {len(ontbrekend)} scenarios, the first {ontbrekend[0]}")
    return [resultaten[i] for i in range(len(bestanden))]


def _proces(bestanden: list[Path], verbinding: Connection, opstart: Opstart) -> None:
    """A simulation process. Its stdout is the parent's machine output: whatever it prints goes to
    stderr. It leaves without interpreter teardown, as the `casus` program does: the Temporal SDK's
    native threads can outlive the event loop and abort a finalizing interpreter."""
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Stopped from outside, it unwinds like an interrupt: its test server is shut down, not left behind.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    code = 0
    try:
        opstart()
        asyncio.run(_reeks(bestanden, verbinding.recv, lambda nummer, resultaat: verbinding.send((nummer, resultaat))))
    except BaseException:
        code = 1
        with contextlib.suppress(OSError):
            verbinding.send(traceback.format_exc())
    finally:
        verbinding.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
