"""The API on real parts for the access tests: a Temporal dev server, the worker and the projection
runner in this process, a SQLite event store, and a test issuer of the tests' own making whose tokens
the API verifies as it would a provider's. The API is called in-process (ASGI), with real tokens."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import worker
from api.app import maak_app
from api.identiteit import Verificateur
from api.instellingen import OidcInstellingen
from runtime.settings import Settings
from service.samenstelling import Samenstelling
from tests.api.proefuitgever import PUBLIEK, Proefuitgever, maak_sleutel, start_proefuitgever
from tests.faults.onderdelen import TemporalServer

ROLLEN_CLAIM = "realm_access"


@dataclass
class Api:
    client: httpx.AsyncClient
    uitgever: Proefuitgever
    settings: Settings
    samenstelling: Samenstelling

    def token(self, rol: str, partij: str | None = None, naam: str = "anna", subject: str | None = None, **anders: Any) -> str:
        claims: dict[str, Any] = {ROLLEN_CLAIM: {"roles": [rol]}, "preferred_username": naam, "partij": partij}
        if subject is not None:
            claims["sub"] = subject
        return self.uitgever.token(**claims, **anders)

    def kop(self, rol: str, partij: str | None = None, **anders: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(rol, partij, **anders)}"}


@asynccontextmanager
async def api_op_echte_onderdelen(map_: Path) -> AsyncIterator[Api]:
    server = TemporalServer(map_)
    server.start()
    settings = Settings(
        state_dir=map_, eventstore="sqlite", temporal_address=server.adres, task_queue=f"api-{uuid.uuid4().hex[:8]}",
        metrics_port=0, wacht_op_worker_s=30, projection_poll_seconds=0.05,
    )  # fmt: skip
    stop = asyncio.Event()
    stop_runner = threading.Event()
    werker = asyncio.create_task(worker.run(settings, stop))
    samenstelling = Samenstelling(settings)
    runner = samenstelling.projectie_runner()
    draad = threading.Thread(target=runner.run, args=(stop_runner, 0.05), daemon=True)
    draad.start()
    uitgever = start_proefuitgever(maak_sleutel("ES256"))
    verificateur = Verificateur(OidcInstellingen(issuer=uitgever.url, audience=PUBLIEK))
    app = maak_app(samenstelling, verificateur)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://casus.test", timeout=60) as client:
            yield Api(client, uitgever, settings, samenstelling)
    finally:
        stop.set()
        stop_runner.set()
        await werker
        draad.join(timeout=10)
        verificateur.sluit()
        samenstelling.sluit()
        uitgever.stop()
        server.stop()
