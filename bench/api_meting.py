"""The front door's cost: one action through the API over HTTP, token verified, text sealed, against
the bare Temporal update on the same server (api_action_ratio_p50); and how fast the CLI answers
`--help` (cli_help_s), the first thing a caseworker's terminal waits for."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from api.server import serveer
from api.uitgever import start_uitgever
from bench.meten import percentiel
from bench.poorten import vrije_poort
from runtime.settings import Settings

CASUS = str(Path(sys.executable).parent / "casus")


async def _tot_het_luistert(poort: int, taak: asyncio.Task[None]) -> None:
    einde = time.monotonic() + 30
    while time.monotonic() < einde:
        if taak.done():
            taak.result()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", poort)) == 0:
                return
        await asyncio.sleep(0.05)
    raise TimeoutError("the API did not start")


async def rondreis_via_api(settings: Settings, casus_id: str, n: int, state: Path) -> dict[str, float]:
    """`n` plan-vastleggen actions by the team holding `casus_id`, each a POST with a Bearer token."""
    uitgever = start_uitgever(state / "uitgever")
    api = settings.model_copy(update={"api_host": "127.0.0.1", "api_port": vrije_poort()})
    stop = asyncio.Event()
    taak = asyncio.create_task(serveer(api, stop, issuer=uitgever.url, ontwikkeling=True))
    try:
        await _tot_het_luistert(api.api_port, taak)
        token = uitgever.uitgever.onderteken("lokaal-team:socius-md", "bench")["access_token"]
        tijden: list[float] = []
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{api.api_port}", headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            for i in range(n + 5):
                start = time.perf_counter()
                r = await http.post(f"/casussen/{casus_id}/acties/plan-vastleggen", json={"velden": {"plan": f"api-{i}"}})
                r.raise_for_status()
                if i >= 5:  # the first requests open connections, fetch the issuer's keys and warm the caches
                    tijden.append((time.perf_counter() - start) * 1000)
        return {"api_p50_ms": percentiel(tijden, 50), "api_p99_ms": percentiel(tijden, 99)}
    finally:
        stop.set()
        await taak
        uitgever.stop()


def cli_help_s(keer: int = 7) -> dict[str, Any]:
    """The best of `keer` runs of `casus --help` in a fresh process (no cache but the OS's)."""
    tijden = []
    for _ in range(keer):
        start = time.perf_counter()
        subprocess.run([CASUS, "--help"], capture_output=True, check=True)
        tijden.append(time.perf_counter() - start)
    return {"beste_s": min(tijden), "mediaan_s": sorted(tijden)[len(tijden) // 2]}
