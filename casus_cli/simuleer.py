"""`casus simuleer`: a scenario (or a folder of them) on a time-skipping Temporal test server,
in-process, optionally against its expected outcome (service/verwachting.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from casus_cli.fouten import RefusedError
from casus_cli.uitvoer import GebruikError, aantal, toon_json, toon_uitkomst
from service import verwachting
from service.simulatie import Scenario, Simulator, omgeving

VERWACHT = ".expected.json"


@click.command("simuleer")
@click.argument("pad", metavar="FILE|DIR", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--batch", "map_", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None, hidden=True,
              help="the same as giving DIR")  # fmt: skip
@click.option("--verwacht", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="compare the outcome with this FILE.expected.json; exit 1 when it differs")  # fmt: skip
@click.option("--json", "als_json", is_flag=True, help="one JSON document on stdout (for a DIR: every outcome in it)")
def simuleer(pad: Path | None, map_: Path | None, verwacht: Path | None, als_json: bool) -> None:
    """Runs a scenario FILE, or every *.yaml scenario in DIR in one process, on a time-skipping
    Temporal test server. In a DIR, each NAME.yaml with a NAME.expected.json beside it is compared
    with it; exit 1 when any outcome differs from what it expects."""
    if (pad is None) == (map_ is None):
        raise GebruikError("give one scenario FILE or a DIR of them", veld="pad")
    map_ = map_ or (pad if pad is not None and pad.is_dir() else None)
    if map_ is not None and verwacht is not None:
        raise GebruikError(
            f"--verwacht goes with one scenario FILE; in a DIR each NAME.yaml is compared with NAME{VERWACHT}", veld="verwacht"
        )
    if map_ is None:
        assert pad is not None
        runs = [(pad, Scenario.load(pad), _verwacht(verwacht))]
    else:
        bestanden = sorted(p for p in map_.glob("*.yaml") if p.name != "dekking.yaml")
        if not bestanden:
            raise GebruikError(f"{map_} holds no *.yaml scenario", veld="pad")
        naast = {b: b.with_suffix(VERWACHT) for b in bestanden}
        runs = [(b, Scenario.load(b), _verwacht(naast[b]) if naast[b].exists() else None) for b in bestanden]

    async def draai() -> list[dict[str, Any]]:
        async with omgeving() as env:
            simulator = Simulator(env)
            return [await simulator.run(scenario) for _, scenario, _ in runs]

    uitkomsten = asyncio.run(draai())
    vergeleken = [_vergelijk(u, v) for u, (_, _, v) in zip(uitkomsten, runs, strict=True)]
    if map_ is None:
        _toon_een(uitkomsten[0] | vergeleken[0], als_json)
    else:
        _toon_map(map_, [{"bestand": str(p), **u, **v} for (p, _, _), u, v in zip(runs, uitkomsten, vergeleken, strict=True)], als_json)
    anders = [(p, v) for (p, _, _), v in zip(runs, vergeleken, strict=True) if v and v["vergelijking"]["verschillen"]]
    if anders:
        namen = ", ".join(p.name for p, _ in anders)
        fout = RefusedError(f"the outcome of {namen} differs from what {'it' if len(anders) == 1 else 'each'} expects", veld="verwacht")
        fout.json_getoond = als_json  # the one document above says how
        raise fout


def _verwacht(bestand: Path | None) -> tuple[Path, dict[str, Any]] | None:
    if bestand is None:
        return None
    try:
        return bestand, verwachting.lees(bestand)
    except ValueError as e:
        raise RefusedError(str(e), veld="verwacht") from None


def _vergelijk(uitkomst: dict[str, Any], verwacht: tuple[Path, dict[str, Any]] | None) -> dict[str, Any]:
    if verwacht is None:
        return {}
    bestand, feiten = verwacht
    return {"vergelijking": {"verwacht": str(bestand), "verschillen": verwachting.verschillen(uitkomst, feiten)}}


def _toon_een(uitkomst: dict[str, Any], als_json: bool) -> None:
    if als_json:
        toon_json(uitkomst)
        return
    toon_uitkomst(uitkomst)
    if "vergelijking" in uitkomst:
        click.echo(f"\n{_oordeel(uitkomst['vergelijking'])}")
        for verschil in uitkomst["vergelijking"]["verschillen"]:
            click.echo(f"  {verschil}")


def _toon_map(map_: Path, uitkomsten: list[dict[str, Any]], als_json: bool) -> None:
    if als_json:
        verschillen = sum(len(u["vergelijking"]["verschillen"]) for u in uitkomsten if "vergelijking" in u)
        toon_json({"map": str(map_), "scenarios": uitkomsten, "verschillen": verschillen})
        return
    for u in uitkomsten:
        regel = f"{Path(u['bestand']).name}: {u['status']}, houder {u.get('houder') or '-'}, {aantal(len(u['fouten']), 'fouten')}"
        click.echo(regel + (f"; {_oordeel(u['vergelijking'])}" if "vergelijking" in u else ""))
        for verschil in u.get("vergelijking", {}).get("verschillen", []):
            click.echo(f"  {verschil}")


def _oordeel(vergelijking: dict[str, Any]) -> str:
    naam = Path(vergelijking["verwacht"]).name
    if not vergelijking["verschillen"]:
        return f"as {naam} expects"
    return f"{aantal(len(vergelijking['verschillen']), 'verschillen')} with {naam}"
