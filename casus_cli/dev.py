"""`casus dev`: the embedded stack in the foreground. A Temporal dev server persisted to a file in
the state dir, the worker, and the projection runner, on a SQLite event store. Ctrl-C (or SIGTERM)
stops all.

It refuses to start beside a Temporal it did not start (an earlier `casus dev` killed with -9 left
its server running: attaching to it silently would leave it running again), and its Temporal child
dies with it however it ends (Linux: the parent-death signal). A read model that fails restarts
the projection runner with backoff; the worker keeps running."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import click
import structlog

import worker
from api.server import serveer
from api.uitgever import DraaiendeUitgever, start_uitgever
from casus_cli.controlepunten import instellingen_voor, volg_controlepunten
from casus_cli.fouten import UnreachableError
from eventstore.opnieuw import Terugval
from eventstore.store import EventStore
from runtime import logging as casus_logging
from runtime.metriek import Rapporteur
from runtime.settings import Settings
from runtime.signals import run_until_signal
from runtime.temporal import install_runtime
from service.ontwikkelserver import host_port, ip_van, start_temporal, stop_proces, wacht_op_temporal
from service.samenstelling import Samenstelling

log = structlog.get_logger()

HERSTART = Terugval(pogingen=0, eerste=0.5, hoogste=60.0)
"""The projection runner's restarts after an error: 0.5 s, 1 s, 2 s, ... at most a minute."""


def luisteraar(poort: int) -> tuple[int, str] | None:
    """The process (pid, command line) that listens on a TCP port, found through /proc: the socket's
    inode in /proc/net/tcp{,6}, then the process holding it among /proc/*/fd; None when not found
    (not Linux, or a process of another user)."""
    inodes: set[str] = set()
    for tabel in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            regels = Path(tabel).read_text().splitlines()[1:]
        except OSError:
            continue
        for regel in regels:
            velden = regel.split()
            if len(velden) > 9 and velden[3] == "0A" and int(velden[1].rsplit(":", 1)[1], 16) == poort:
                inodes.add(f"socket:[{velden[9]}]")
    for proces in Path("/proc").glob("[0-9]*"):
        try:
            if any(os.readlink(fd) in inodes for fd in (proces / "fd").iterdir()):
                opdracht = (proces / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                return int(proces.name), opdracht
        except OSError:
            continue
    return None


def _bezet(ip: str, poort: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as a server binds: TIME_WAIT is no owner
        try:
            s.bind((ip, poort))
        except OSError:
            return True
    return False


def controleer_poorten(settings: Settings) -> None:
    """Refuses (exit 3) when the Temporal or UI port is taken, naming who holds it."""
    host, poort = host_port(settings.temporal_address)
    for naam, nummer, variabele in (
        ("Temporal", poort, "CASUS_TEMPORAL_ADDRESS"), ("Temporal UI", settings.temporal_ui_port, "CASUS_TEMPORAL_UI_PORT"),
        ("API", settings.api_port, "CASUS_API_PORT"), ("development issuer", settings.dev_uitgever_port, "CASUS_DEV_UITGEVER_PORT"),
    ):  # fmt: skip
        if nummer == 0:
            continue
        if not _bezet(ip_van(host), nummer):
            continue
        houder = luisteraar(nummer)
        wie = f"pid {houder[0]} ({houder[1][:200]})" if houder else "a process this user cannot see"
        stop = f"stop it with `kill {houder[0]}`" if houder else "stop that process"
        raise UnreachableError(
            f"port {nummer} for the {naam} is already in use by {wie}; an earlier `casus dev` killed with -9 "
            f"leaves its Temporal running: {stop}, or choose another port ({variabele})"
        )


async def wacht_op_api(settings: Settings, api: asyncio.Task[None], seconden: float = 30) -> None:
    """Until the API accepts connections; an API that stopped on an error (its port taken) says so."""
    einde = time.monotonic() + seconden
    while not _bezet(ip_van(settings.api_host), settings.api_port):
        if api.done():
            api.result()
            raise UnreachableError(f"the API stopped before it served on port {settings.api_port}")
        if time.monotonic() > einde:
            raise UnreachableError(f"the API did not serve on {settings.api_host}:{settings.api_port} within {seconden:.0f} s")
        await asyncio.sleep(0.05)


def volg_projecties(store: EventStore, settings: Settings, stop: threading.Event, terugval: Terugval = HERSTART) -> None:
    """Runs the projection runner until `stop`; after an error, logs it with its traceback and
    starts it again after a backoff (which starts over once a run lasted a minute)."""
    # One reporter across restarts: the runner's gauges and its count of events set aside (runtime/metriek.py).
    rapporteur, fouten = Rapporteur.standaard(), 0
    while not stop.is_set():
        begin = time.monotonic()
        try:
            runner = Samenstelling.over(store, settings).projectie_runner()
            runner.rapporteur = rapporteur
            runner.run(stop, settings.projection_poll_seconds)
            return
        except Exception:
            fouten = 1 if time.monotonic() - begin > 60 else fouten + 1
            wacht = terugval.wachttijd(min(fouten, 16))
            # A read model that cannot apply an event keeps its position; the worker keeps running.
            log.exception("projection runner stopped on an error; restarting it", poging=fouten, wacht=round(wacht, 1))
            stop.wait(wacht)


async def draai(settings: Settings, stop: asyncio.Event) -> None:
    proces = start_temporal(settings)
    stop_projecties = threading.Event()
    runner_thread: threading.Thread | None = None
    controlepunten: threading.Thread | None = None
    store: EventStore | None = None
    uitgever: DraaiendeUitgever | None = None
    api: asyncio.Task[None] | None = None
    try:
        await wacht_op_temporal(settings, proces)
        store = EventStore.open(settings)
        # The development issuer: anyone on this machine may log in as anyone (`casus login`).
        uitgever = start_uitgever(settings.state_dir / "uitgever", port=settings.dev_uitgever_port)
        api = asyncio.create_task(serveer(settings, stop, issuer=uitgever.url, ontwikkeling=True))
        runner_thread = threading.Thread(target=volg_projecties, args=(store, settings, stop_projecties), name="projecties", daemon=True)
        runner_thread.start()
        controlepunten = threading.Thread(
            target=volg_controlepunten, args=(store, settings, stop_projecties), name="controlepunten", daemon=True
        )
        controlepunten.start()
        host, _ = host_port(settings.temporal_address)
        click.echo(f"Temporal UI:      http://{host}:{settings.temporal_ui_port}", err=True)
        click.echo(f"Temporal server:  {settings.temporal_address} (state in {settings.state_dir / 'temporal.db'})", err=True)
        click.echo(f"API:              http://{settings.api_host}:{settings.api_port} (CASUS_API_URL for the CLI)", err=True)
        click.echo(f"Identity (dev):   {uitgever.url} (`casus login --als veilig-thuis --medewerker anna`)", err=True)
        click.echo(f"Event store:      {settings.eventstore_description}", err=True)
        if settings.metrics_address:
            click.echo(f"Metrics:          http://{settings.metrics_address}/metrics", err=True)
        controlepunten_ = instellingen_voor(settings)
        click.echo(f"Checkpoints:      {controlepunten_.map} (signed every minute with {controlepunten_.sleutel})", err=True)
        await wacht_op_api(settings, api)
        click.echo("Worker and projection runner started; Ctrl-C stops all.", err=True)
        await worker.run(settings, stop)
    finally:
        stop.set()
        if api is not None:
            with contextlib.suppress(Exception):
                await api
        if uitgever is not None:
            uitgever.stop()
        stop_projecties.set()
        for draad in (runner_thread, controlepunten):
            if draad is not None:
                draad.join(timeout=10)
        if store is not None:
            store.close()
        stop_proces(proces)
        click.echo("casus dev: stopped.", err=True)


@click.command("dev")
@click.option("--state-dir", type=click.Path(path_type=Path), default=None, help="where state is kept (CASUS_STATE_DIR)")
def dev(state_dir: Path | None) -> None:
    """Starts the embedded stack in the foreground."""
    settings = Settings() if state_dir is None else Settings(state_dir=state_dir)
    casus_logging.configure(settings.log_format)
    controleer_poorten(settings)
    install_runtime(settings.metrics_address)
    run_until_signal(lambda stop: draai(settings, stop))
