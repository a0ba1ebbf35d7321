"""`casus herstel ID` and `casus herstel --alle` (an in-process admin command): a casus whose workflow
failed, was terminated or was lost by Temporal is started again from its event stream, the record of
truth. How is the application layer's (service/herstel.py); this command walks the casussen and
reports."""

from __future__ import annotations

from dataclasses import asdict

import click

from casus_cli.fouten import RefusedError
from casus_cli.per_casus import per_casus
from casus_cli.uitvoer import tabel, toon_json
from runtime.settings import Settings
from service.herstel import _een, keurmeester


def herstel(casus_ids: list[str], alle: bool, als_json: bool) -> None:
    # Each in its one form already (the command line's check, casus_cli/opties.py): two spellings of one id are one casus.
    casus_ids = list(dict.fromkeys(casus_ids))
    settings = Settings()
    keurder = keurmeester(settings)  # before anything: unreadable trusted keys stop here
    resultaten = per_casus(
        settings, None if alle else casus_ids, lambda client, store, c: _een(client, store, c, settings.task_queue, keurder)
    )
    rijen = [asdict(h) for h in resultaten]
    if als_json:
        toon_json({"casussen": rijen})
    else:
        telling = {u: sum(h.uitkomst == u for h in resultaten) for u in ("hersteld", "loopt", "vastgelopen", "afgesloten", "geweigerd")}
        click.echo(", ".join(f"{n} {u}" for u, n in telling.items()))
        if rijen:
            click.echo(tabel(rijen, ["casus_id", "uitkomst", "toelichting"]))
    geweigerd = [h.casus_id for h in resultaten if h.uitkomst == "geweigerd"]
    if geweigerd:
        raise RefusedError(f"{len(geweigerd)} casus(sen) could not be restored: {', '.join(geweigerd)}", veld="CASUS_ID")


@click.command("herstel")
@click.argument("casus_ids", nargs=-1)
@click.option("--alle", is_flag=True, help="every casus in the event store whose workflow is not running")
@click.option("--json", "als_json", is_flag=True)
def herstel_commando(casus_ids: tuple[str, ...], alle: bool, als_json: bool) -> None:
    """Starts a casus workflow again from its event stream when it failed, was terminated or was lost."""
    if not casus_ids and not alle:
        raise click.UsageError("name one or more casus ids, or --alle")
    herstel(list(casus_ids), alle, als_json)
