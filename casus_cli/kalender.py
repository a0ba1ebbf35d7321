"""`casus kalender`: a new version of the working-day calendar (a new decree day, RULES.md T-6) is
given to every running casus; each re-sets the provisional deadlines it moves as `TermijnHerzien`
facts and counts the deadlines it sets from then on with it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import click
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from casus_cli.per_casus import per_casus
from casus_cli.uitvoer import tabel, toon_json
from domain.tijd import Kalender
from runtime.policies import load_calendar
from runtime.settings import Settings
from service.sturen import handle
from workflows.casus import Resultaat


@dataclass(frozen=True)
class Herzien:
    casus_id: str
    uitkomst: str  # herzien, ongewijzigd, loopt-niet
    termijnen: int


async def herzie(client: Client, casus_id: str, kalender: Kalender) -> Herzien:
    h = handle(client, casus_id)
    try:
        if (await h.describe()).status != WorkflowExecutionStatus.RUNNING:
            return Herzien(casus_id, "loopt-niet", 0)
    except RPCError:
        return Herzien(casus_id, "loopt-niet", 0)
    resultaat = await h.execute_update("kalender", kalender, result_type=Resultaat)
    n = sum(1 for e in resultaat.gebeurtenissen if e == "TermijnHerzien")
    return Herzien(casus_id, "herzien" if n else "ongewijzigd", n)


@click.command("kalender")
@click.option("--json", "als_json", is_flag=True)
def kalender_commando(als_json: bool) -> None:
    """Gives the installed calendar version to every running casus (T-6: re-sets provisional deadlines)."""
    settings = Settings()
    kalender = load_calendar()
    resultaten = per_casus(settings, None, lambda client, _store, c: herzie(client, c, kalender))
    rijen = [asdict(h) for h in resultaten]
    if als_json:
        bekend_tot = kalender.bekend_tot.isoformat() if kalender.bekend_tot else None
        toon_json({"kalender": kalender.versie, "bekend_tot": bekend_tot, "casussen": rijen})
        return
    bekend = f"bekend tot {kalender.bekend_tot}" if kalender.bekend_tot else "zonder einddatum"
    click.echo(f"kalender {kalender.versie} ({bekend}): {sum(h.termijnen for h in resultaten)} termijn(en) herzien")
    click.echo(tabel([r for r in rijen if r["uitkomst"] == "herzien"], ["casus_id", "uitkomst", "termijnen"]))
