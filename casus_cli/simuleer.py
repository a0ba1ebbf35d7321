"""`casus simuleer`: a scenario (or a folder of them) on a time-skipping Temporal test server, in-process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from casus_cli.uitvoer import toon_json, toon_uitkomst
from service.simulatie import Scenario, Simulator, omgeving


@click.command("simuleer")
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
