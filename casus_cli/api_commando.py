"""`casus api`: serves the API (the trusted side: it holds the master key and a database login)."""

from __future__ import annotations

import click

from api.server import serveer
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal


@click.command("api")
def api() -> None:
    """Serves the casus API at CASUS_API_HOST:CASUS_API_PORT; tokens from CASUS_OIDC_ISSUER (docs/IDENTITEIT.md)."""
    settings = Settings()
    casus_logging.configure(settings.log_format)
    click.echo(f"casus api: serving on http://{settings.api_host}:{settings.api_port}", err=True)
    run_until_signal(lambda stop: serveer(settings, stop))
