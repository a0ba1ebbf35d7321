"""Setting up a production installation, once per release: `casus migreer` (the event store's
tables, guard and roles in PostgreSQL) and `casus zoekattributen` (the search attributes in the
Temporal namespace)."""

from __future__ import annotations

import asyncio
import json

import click

from projections.alle import alle
from runtime.settings import Settings


@click.command("migreer")
@click.option("--json", "als_json", is_flag=True)
@click.option("--wacht", "wacht_s", type=float, default=120.0, show_default=True,
              help="seconds (0 to 86400) to wait for another session holding the migration's lock, 0 for not at all;"
                   " then it stops and names that session")  # fmt: skip
def migreer_commando(als_json: bool, wacht_s: float) -> None:
    """Creates the PostgreSQL tables, the append-only guard and the roles (run as the owner)."""
    from service.migratie import migreer

    try:
        tabellen = migreer(Settings(), alle(), wacht_s)
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    click.echo(json.dumps({"tabellen": tabellen}) if als_json else f"migrated: {', '.join(tabellen)}")


@click.command("zoekattributen")
@click.option("--json", "als_json", is_flag=True)
def zoekattributen_commando(als_json: bool) -> None:
    """Registers the casus search attributes in the Temporal namespace (once per cluster; `casus dev` does it itself)."""
    from service.samenstelling import Samenstelling
    from service.sturen import binnen_wachttijd
    from workflows import zoekattributen

    settings = Settings()

    async def registreer() -> None:
        client = await Samenstelling(settings).temporal()
        await binnen_wachttijd(settings, zoekattributen.registreer(client, settings.temporal_namespace))

    asyncio.run(registreer())
    namen = [k.name for k in zoekattributen.ALLE]
    click.echo(json.dumps({"namespace": settings.temporal_namespace, "zoekattributen": namen}) if als_json else
               f"{settings.temporal_namespace}: {', '.join(namen)}")  # fmt: skip
