"""Serving the API with uvicorn until a stop signal: `casus api` in production, and inside `casus dev`
beside the worker, with the development issuer."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.app import maak_app
from api.identiteit import Verificateur
from api.instellingen import OidcInstellingen
from domain.partijen import onbekende_partij
from runtime.policies import team_ids
from runtime.settings import Settings
from service.samenstelling import Samenstelling


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """The caller's signal handlers stop the server (through `stop`), not uvicorn's own."""
        yield


def verificateur(issuer: str | None = None, *, client: httpx.Client | None = None) -> Verificateur:
    """The token verifier of CASUS_OIDC_*; `issuer` replaces CASUS_OIDC_ISSUER (the dev stack's own).
    A caseworker's party must be one of the agreements' (a team of a policy, a fixed party, an
    instelling): a token for another gets a refusal, not an empty caseload."""
    instellingen = OidcInstellingen() if issuer is None else OidcInstellingen(issuer=issuer)
    return Verificateur(instellingen, client=client, onbekende_partij=lambda partij: onbekende_partij(partij, team_ids()))


async def serveer(settings: Settings, stop: asyncio.Event, *, issuer: str | None = None, ontwikkeling: bool = False) -> None:
    """Serves the API at CASUS_API_HOST:CASUS_API_PORT until `stop` is set."""
    app = maak_app(Samenstelling(settings), verificateur(issuer), ontwikkeling=ontwikkeling)
    config = uvicorn.Config(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        proxy_headers=True,
        server_header=False,
    )
    server = _Server(config)
    taak = asyncio.create_task(server.serve())
    wacht = asyncio.create_task(stop.wait())
    await asyncio.wait({taak, wacht}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    wacht.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await taak
    if taak.done() and not taak.cancelled() and (fout := taak.exception()) is not None:
        raise fout


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the app, as committed in docs/openapi.json (settings do not change it)."""
    app = maak_app(Samenstelling(Settings()), verificateur("https://uitgever.example.nl/realms/casus"))
    return app.openapi()


def main() -> None:
    """`python -m api.server FILE`: writes the OpenAPI document (`make openapi`)."""
    Path(sys.argv[1]).write_text(json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
