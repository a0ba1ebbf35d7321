"""`casus dev`: the embedded stack in the foreground. A Temporal dev server persisted to a file in
the state dir, the worker, and the projection runner, on a SQLite event store. Ctrl-C (or SIGTERM)
stops all.

It refuses to start beside a Temporal it did not start (an earlier `casus dev` killed with -9 left
its server running: attaching to it silently would leave it running again), and its Temporal child
dies with it however it ends (Linux: the parent-death signal). A read model that fails restarts
the projection runner with backoff; the worker keeps running."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import click
import structlog
from temporalio.runtime import Runtime

import worker
from casus_cli.controlepunten import instellingen_voor, volg_controlepunten
from casus_cli.fouten import UnreachableError
from eventstore.opnieuw import Terugval
from eventstore.store import EventStore
from projections.alle import alle
from projections.quarantaine import Verdacht
from projections.runner import ProjectionRunner
from projections.views import open_views
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal
from runtime.temporal import ServiceUnavailableError, binary, connect, install_runtime, register_search_attributes

log = structlog.get_logger()

PR_SET_PDEATHSIG = 1
HERSTART = Terugval(pogingen=0, eerste=0.5, hoogste=60.0)
"""The projection runner's restarts after an error: 0.5 s, 1 s, 2 s, ... at most a minute."""


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "localhost", int(port)


def _ip(host: str) -> str:
    return "127.0.0.1" if host in ("localhost", "127.0.0.1") else host


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
    host, poort = _host_port(settings.temporal_address)
    for naam, nummer, variabele in (
        ("Temporal", poort, "CASUS_TEMPORAL_ADDRESS"), ("Temporal UI", settings.temporal_ui_port, "CASUS_TEMPORAL_UI_PORT"),
    ):  # fmt: skip
        if not _bezet(_ip(host), nummer):
            continue
        houder = luisteraar(nummer)
        wie = f"pid {houder[0]} ({houder[1][:200]})" if houder else "a process this user cannot see"
        stop = f"stop it with `kill {houder[0]}`" if houder else "stop that process"
        raise UnreachableError(
            f"port {nummer} for the {naam} is already in use by {wie}; an earlier `casus dev` killed with -9 "
            f"leaves its Temporal running: {stop}, or choose another port ({variabele})"
        )


def _sterf_met_ouder() -> Callable[[], None] | None:
    """For preexec_fn: the child gets SIGTERM when this process dies, even by SIGKILL (Linux prctl
    PR_SET_PDEATHSIG). libc is looked up before the fork, so the child only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    ouder = os.getpid()

    def na_fork() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != ouder:  # the parent died before the signal was armed
            os._exit(1)

    return na_fork


def start_temporal(settings: Settings) -> subprocess.Popen[bytes]:
    host, port = _host_port(settings.temporal_address)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    logbestand = (settings.state_dir / "temporal.log").open("ab")
    cmd = [
        str(binary("temporal")), "server", "start-dev",
        "--db-filename", str(settings.state_dir / "temporal.db"),
        "--ip", _ip(host),
        "--port", str(port), "--ui-port", str(settings.temporal_ui_port),
        "--namespace", settings.temporal_namespace, "--log-level", "warn",
    ]  # fmt: skip
    # The parent-death signal belongs to the forking thread: this runs on the main thread. The
    # preexec function takes no lock (one preloaded C call, getppid, _exit), so threads are no hazard.
    return subprocess.Popen(
        cmd, stdout=logbestand, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_sterf_met_ouder(),  # noqa: PLW1509
    )  # fmt: skip


async def wacht_op_temporal(settings: Settings, proces: subprocess.Popen[bytes], seconden: float = 60) -> None:
    for _ in range(int(seconden * 4)):
        if proces.poll() is not None:
            raise UnreachableError(
                f"the Temporal dev server stopped (exit {proces.returncode}); see {settings.state_dir / 'temporal.log'} "
                f"(is port {settings.temporal_address} already in use?)"
            )
        try:
            client = await connect(settings)
        except ServiceUnavailableError:
            await asyncio.sleep(0.25)
            continue
        await register_search_attributes(client, settings.temporal_namespace)
        return
    raise UnreachableError(f"the Temporal dev server did not answer within {seconden:.0f} s")


def stop_proces(proces: subprocess.Popen[bytes]) -> None:
    if proces.poll() is None:
        proces.terminate()
        try:
            proces.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proces.kill()
            proces.wait()


def _quarantaine_teller() -> Callable[[Verdacht], None]:
    """Events set aside, as a counter beside the SDK's metrics (the runtime's meter needs no workflow
    or activity context, so the runner's thread may use it)."""
    teller = Runtime.default().metric_meter.create_counter("casus_quarantaine", "events the projection runner set aside")
    return lambda v: teller.add(1, {"soort": v.soort})


def volg_projecties(store: EventStore, settings: Settings, stop: threading.Event, terugval: Terugval = HERSTART) -> None:
    """Runs the projection runner until `stop`; after an error, logs it with its traceback and
    starts it again after a backoff (which starts over once a run lasted a minute)."""
    melder, fouten = _quarantaine_teller(), 0
    while not stop.is_set():
        begin = time.monotonic()
        try:
            runner = ProjectionRunner(store, open_views(store.infrastructure), alle(), batch=settings.projection_batch, melder=melder)
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
    try:
        await wacht_op_temporal(settings, proces)
        store = EventStore.open(settings)
        runner_thread = threading.Thread(target=volg_projecties, args=(store, settings, stop_projecties), name="projecties", daemon=True)
        runner_thread.start()
        controlepunten = threading.Thread(
            target=volg_controlepunten, args=(store, settings, stop_projecties), name="controlepunten", daemon=True
        )
        controlepunten.start()
        host, _ = _host_port(settings.temporal_address)
        click.echo(f"Temporal UI:      http://{host}:{settings.temporal_ui_port}", err=True)
        click.echo(f"Temporal server:  {settings.temporal_address} (state in {settings.state_dir / 'temporal.db'})", err=True)
        click.echo(f"Event store:      {settings.eventstore_description}", err=True)
        if settings.metrics_address:
            click.echo(f"Metrics:          http://{settings.metrics_address}/metrics", err=True)
        click.echo(f"Checkpoints:      {instellingen_voor(settings).map} (signed every minute)", err=True)
        click.echo("Worker and projection runner started; Ctrl-C stops all.", err=True)
        await worker.run(settings, stop)
    finally:
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
