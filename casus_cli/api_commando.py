"""`casus api`: serves the API (the trusted side: it holds the master key and a database login), in the
foreground until SIGINT or SIGTERM, as production runs it; `casus dev` serves it beside its stack."""

from __future__ import annotations

import asyncio

import click
from pydantic import ValidationError

from api.instellingen import OidcInstellingen
from api.server import serveer
from casus_cli.fouten import RefusedError, UnreachableError
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal


@click.command("api")
def api() -> None:
    """Serves the casus API at CASUS_API_HOST:CASUS_API_PORT; tokens from CASUS_OIDC_ISSUER (docs/IDENTITEIT.md)."""
    settings = Settings()
    try:
        issuer = OidcInstellingen().issuer
    except ValidationError as e:  # CASUS_OIDC_* missing or malformed: refused before anything starts
        fout = e.errors()[0]
        veld = "CASUS_OIDC_" + "_".join(str(p) for p in fout["loc"]).upper()
        raise RefusedError(f"{fout['msg']} ({veld})", veld=veld) from None
    casus_logging.configure(settings.log_format)

    async def draai(stop: asyncio.Event) -> None:
        click.echo(f"casus api: serving on http://{settings.api_host}:{settings.api_port}, tokens of {issuer}", err=True)
        try:
            await serveer(settings, stop)
        except (OSError, SystemExit) as e:  # uvicorn leaves with SystemExit when its port is taken
            raise UnreachableError(f"the API cannot serve on {settings.api_host}:{settings.api_port}: {e}") from None
        click.echo("casus api: stopped.", err=True)

    run_until_signal(draai)
