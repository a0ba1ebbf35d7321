"""The `casus` program (CONTRACT.md). Exit codes: 0 done, 1 refused, 2 usage, 3 unreachable."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from casus_cli import fouten
from casus_cli.acties import ACTIE_COMMANDOS
from casus_cli.controlepunten import controlepunt
from casus_cli.dev import dev
from casus_cli.fouten import CliError, RefusedError, UnreachableError
from casus_cli.herstel import herstel_commando
from casus_cli.inrichten import migreer_commando, zoekattributen_commando
from casus_cli.integriteit import verifieer_commando
from casus_cli.inzage import audit, status
from casus_cli.kalender import kalender_commando
from casus_cli.melding import melding
from casus_cli.overzicht import huishouden, lijst, rapport, termijnen
from casus_cli.projecties import projecties
from casus_cli.simulatie import Scenario, ScenarioError, SimulatieVastgelopenError, Simulator, omgeving
from casus_cli.uitvoer import toon_json, toon_uitkomst
from eventstore.store import InvalidCasusIdError, stream_id
from runtime import logging as casus_logging
from runtime.policies import UnknownPolicyError
from runtime.temporal import install_runtime


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """casus: the collaboration agreements of Veilig Thuis and the lokale teams, casus by casus."""


@cli.command("simuleer")
@click.argument("bestand", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--batch", "map_", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="every *.yaml scenario in this folder, in one process (JSON lines with --json)")  # fmt: skip
@click.option("--json", "als_json", is_flag=True)
def simuleer(bestand: Path | None, map_: Path | None, als_json: bool) -> None:
    """Runs a scenario file (or a folder of them) on a time-skipping Temporal test server."""
    if (bestand is None) == (map_ is None):
        raise click.UsageError("give one scenario FILE or --batch DIR")
    bestanden = [bestand] if bestand is not None else sorted(p for p in map_.glob("*.yaml") if p.name != "dekking.yaml")  # type: ignore[union-attr]
    scenarios = [(b, Scenario.load(b)) for b in bestanden]

    async def draai() -> None:
        async with omgeving() as env:
            simulator = Simulator(env)
            for pad, scenario in scenarios:
                uitkomst = await simulator.run(scenario)
                if map_ is None:
                    toon_json(uitkomst) if als_json else toon_uitkomst(uitkomst)
                elif als_json:
                    click.echo(json.dumps({"bestand": str(pad), **uitkomst}, ensure_ascii=False))
                else:
                    click.echo(f"{pad.name}: {uitkomst['status']}, houder {uitkomst['houder']}, {len(uitkomst['fouten'])} fout(en)")

    asyncio.run(draai())


for commando in (
    dev,
    melding,
    status,
    audit,
    verifieer_commando,
    herstel_commando,
    controlepunt,
    kalender_commando,
    lijst,
    huishouden,
    termijnen,
    rapport,
    projecties,
    migreer_commando,
    zoekattributen_commando,
    *ACTIE_COMMANDOS,
):
    cli.add_command(commando)


def _controleer_casus_id(ctx: click.Context, param: click.Parameter, waarde: Any) -> Any:
    for casus_id in (waarde,) if isinstance(waarde, str) else waarde or ():
        try:
            stream_id(casus_id)
        except InvalidCasusIdError as e:
            raise RefusedError(f"casus_id: {e}", veld="casus_id") from None
    return waarde


# Every CASUS_ID is checked as the command line is read, before anything connects (issue 12).
for commando in cli.commands.values():
    for param in commando.params:
        if isinstance(param, click.Argument) and param.name in ("casus_id", "casus_ids") and param.callback is None:
            param.callback = _controleer_casus_id


def main() -> None:
    install_runtime()
    casus_logging.configure(level=logging.WARNING)  # stdout is for output; logs go to stderr
    # The time-skipping test server does not advertise every capability the SDK asks after.
    logging.getLogger("temporalio.core").setLevel(logging.ERROR)
    _einde(_draai("--json" in sys.argv))


def _draai(als_json: bool, args: list[str] | None = None) -> int:
    """Runs one command and returns its exit code (CONTRACT.md), never a traceback for bad input."""
    try:
        cli.main(args=args, standalone_mode=False)
    except click.exceptions.Abort:
        return 130
    except click.ClickException as e:
        e.show()
        return fouten.GEBRUIK if isinstance(e, click.UsageError) else e.exit_code
    except (ScenarioError, UnknownPolicyError, InvalidCasusIdError, SimulatieVastgelopenError) as e:
        return _meld(_cli_fout(e), als_json)
    except CliError as e:
        return _meld(e, als_json)
    return 0


def _cli_fout(e: Exception) -> CliError:
    if isinstance(e, SimulatieVastgelopenError):  # the in-process test server stopped answering
        return UnreachableError(str(e))
    return RefusedError(str(e), veld=e.veld if isinstance(e, ScenarioError) else None)


def _meld(fout: CliError, als_json: bool) -> int:
    if als_json and not fout.json_getoond:
        toon_json(fout.als_json())
    click.echo(fout.tekst(), err=True)
    return fout.exit_code


def _einde(code: int) -> None:
    """Leaves without interpreter teardown: the Temporal SDK's native threads can outlive the
    event loop and abort a finalizing interpreter (temporalio/sdk-python issue #300)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
