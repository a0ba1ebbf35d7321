"""`casus dev`: the embedded stack in the foreground. A Temporal dev server persisted to a file in
the state dir, the worker, and the projection runner, on a SQLite event store. Ctrl-C stops all."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from pathlib import Path

import click
import structlog

import worker
from casus_cli.fouten import UnreachableError
from eventstore.store import EventStore
from projections.alle import alle
from projections.runner import ProjectionRunner
from projections.views import open_views
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal
from runtime.temporal import ServiceUnavailableError, binary, connect, install_runtime, register_search_attributes

log = structlog.get_logger()


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "localhost", int(port)


def start_temporal(settings: Settings) -> subprocess.Popen[bytes]:
    host, port = _host_port(settings.temporal_address)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    logbestand = (settings.state_dir / "temporal.log").open("ab")
    cmd = [
        str(binary("temporal")), "server", "start-dev",
        "--db-filename", str(settings.state_dir / "temporal.db"),
        "--ip", "127.0.0.1" if host in ("localhost", "127.0.0.1") else host,
        "--port", str(port), "--ui-port", str(settings.temporal_ui_port),
        "--namespace", settings.temporal_namespace, "--log-level", "warn",
    ]  # fmt: skip
    return subprocess.Popen(cmd, stdout=logbestand, stderr=subprocess.STDOUT, start_new_session=True)


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


async def draai(settings: Settings, stop: asyncio.Event) -> None:
    proces = start_temporal(settings)
    stop_projecties = threading.Event()
    runner_thread: threading.Thread | None = None
    store: EventStore | None = None
    try:
        await wacht_op_temporal(settings, proces)
        store = EventStore.open(settings)
        runner = ProjectionRunner(store, open_views(store.infrastructure), alle(), batch=settings.projection_batch)
        loop = asyncio.get_running_loop()

        def volg() -> None:
            try:
                runner.run(stop_projecties, settings.projection_poll_seconds)
            except Exception:
                # A read model that cannot apply an event stops here, its position unmoved; the stack stops with it.
                log.exception("projection runner stopped on an error; stopping the stack")
                loop.call_soon_threadsafe(stop.set)

        runner_thread = threading.Thread(target=volg, name="projecties", daemon=True)
        runner_thread.start()
        host, _ = _host_port(settings.temporal_address)
        click.echo(f"Temporal UI:      http://{host}:{settings.temporal_ui_port}", err=True)
        click.echo(f"Temporal server:  {settings.temporal_address} (state in {settings.state_dir / 'temporal.db'})", err=True)
        click.echo(f"Event store:      {settings.eventstore_description}", err=True)
        if settings.metrics_address:
            click.echo(f"Metrics:          http://{settings.metrics_address}/metrics", err=True)
        click.echo("Worker and projection runner started; Ctrl-C stops all.", err=True)
        await worker.run(settings, stop)
    finally:
        stop_projecties.set()
        if runner_thread is not None:
            runner_thread.join(timeout=10)
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
    install_runtime(settings.metrics_address)
    run_until_signal(lambda stop: draai(settings, stop))
