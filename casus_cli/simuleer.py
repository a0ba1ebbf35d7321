"""`casus simuleer`: a scenario (or a folder of them) on a time-skipping Temporal test server,
in-process, optionally against its expected outcome (service/verwachting.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from casus_cli.fouten import CliError, RefusedError, UnreachableError
from casus_cli.opstart import binnen
from casus_cli.uitvoer import GebruikError, aantal, toon_json, toon_uitkomst
from service import simulatie_batch, verwachting
from service.simulatie import Scenario, Simulator, omgeving
from service.simulatie_batch import Mislukt, Resultaat

VERWACHT = ".expected.json"


@click.command("simuleer")
@click.argument("pad", metavar="FILE|DIR", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--batch", "map_", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None, hidden=True,
              help="the same as giving DIR")  # fmt: skip
@click.option("--verwacht", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="compare the outcome with this FILE.expected.json; exit 1 when it differs")  # fmt: skip
@click.option("--json", "als_json", is_flag=True, help="one JSON document on stdout (for a DIR: every outcome in it)")
def simuleer(pad: Path | None, map_: Path | None, verwacht: Path | None, als_json: bool) -> None:
    """Runs a scenario FILE, or every *.yaml scenario in DIR, on a time-skipping Temporal test
    server (a large DIR on a few, in parallel). In a DIR, each NAME.yaml with a NAME.expected.json
    beside it is compared with it; exit 1 when any outcome differs from what it expects, and a
    scenario that comes to no outcome has its error in its own entry."""
    if (pad is None) == (map_ is None):
        raise GebruikError("give one scenario FILE or a DIR of them", veld="pad")
    map_ = map_ or (pad if pad is not None and pad.is_dir() else None)
    if map_ is not None and verwacht is not None:
        raise GebruikError(
            f"--verwacht goes with one scenario FILE; in a DIR each NAME.yaml is compared with NAME{VERWACHT}", veld="verwacht"
        )
    if map_ is None:
        assert pad is not None
        _een(pad, Scenario.load(pad), _verwacht(verwacht), als_json)
    else:
        _map(map_, als_json)


def _een(pad: Path, scenario: Scenario, verwacht: tuple[Path, dict[str, Any]] | None, als_json: bool) -> None:
    async def draai() -> dict[str, Any]:
        async with omgeving() as env:
            return await Simulator(env).run(scenario)

    uitkomst = asyncio.run(draai())
    vergeleken = _vergelijk(uitkomst, verwacht)
    _toon_een(uitkomst | vergeleken, als_json)
    if vergeleken and vergeleken["vergelijking"]["verschillen"]:
        fout = RefusedError(f"the outcome of {pad.name} differs from what it expects", veld="verwacht")
        fout.json_getoond = als_json  # the one document above says how
        raise fout


def _map(map_: Path, als_json: bool) -> None:
    """Every scenario of the folder. One that cannot be read, is refused or gets stuck is reported
    with its error in its own entry; the others run as they would without it."""
    bestanden = sorted(p for p in map_.glob("*.yaml") if p.name != "dekking.yaml")
    if not bestanden:
        raise GebruikError(f"{map_} holds no *.yaml scenario", veld="pad")
    verwacht: dict[Path, tuple[Path, dict[str, Any]] | None] = {}
    uitkomsten: dict[Path, Resultaat] = {}
    for b in bestanden:
        naast = b.with_suffix(VERWACHT)
        try:
            verwacht[b] = _verwacht(naast) if naast.exists() else None
        except RefusedError as e:  # nothing to compare with: not run
            uitkomsten[b] = Mislukt(e.melding, veld=e.veld)
    te_draaien = [b for b in bestanden if b not in uitkomsten]
    uitkomsten |= zip(te_draaien, simulatie_batch.simuleer(te_draaien, opstart=binnen), strict=True)
    regels = [
        {"bestand": str(b), **(_cli_fout(u).als_json() if isinstance(u, Mislukt) else u | _vergelijk(u, verwacht[b]))}
        for b in bestanden
        for u in [uitkomsten[b]]
    ]
    mislukt = [(b, u) for b, u in uitkomsten.items() if isinstance(u, Mislukt)]
    _toon_map(map_, regels, len(mislukt), als_json)
    fout: CliError
    if mislukt:
        ergste = type(max((_cli_fout(m) for _, m in mislukt), key=lambda f: f.exit_code))
        namen = ", ".join(sorted(b.name for b, _ in mislukt))
        fout = ergste(f"{len(mislukt)} of {len(bestanden)} scenarios came to no outcome: {namen}")
        fout.json_getoond = als_json
        raise fout
    anders = [Path(r["bestand"]).name for r in regels if r.get("vergelijking", {}).get("verschillen")]
    if anders:
        fout = RefusedError(
            f"the outcome of {', '.join(anders)} differs from what {'it' if len(anders) == 1 else 'each'} expects", veld="verwacht"
        )
        fout.json_getoond = als_json  # the one document above says how
        raise fout


def _cli_fout(m: Mislukt) -> CliError:
    return UnreachableError(m.melding) if m.vastgelopen else RefusedError(m.melding, veld=m.veld)


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
    afwijkingen = verwachting.afwijkingen(uitkomst, feiten)
    # `verschillen` the lines a person reads; `afwijkingen` the same, each with its path and both values
    return {
        "vergelijking": {
            "verwacht": str(bestand),
            "verschillen": [a.regel() for a in afwijkingen],
            "afwijkingen": [a.als_json() for a in afwijkingen],
        }
    }


def _toon_een(uitkomst: dict[str, Any], als_json: bool) -> None:
    if als_json:
        toon_json(uitkomst)
        return
    toon_uitkomst(uitkomst)
    if "vergelijking" in uitkomst:
        click.echo(f"\n{_oordeel(uitkomst['vergelijking'])}")
        for verschil in uitkomst["vergelijking"]["verschillen"]:
            click.echo(f"  {verschil}")


def _toon_map(map_: Path, uitkomsten: list[dict[str, Any]], mislukt: int, als_json: bool) -> None:
    if als_json:
        verschillen = sum(len(u["vergelijking"]["verschillen"]) for u in uitkomsten if "vergelijking" in u)
        toon_json({"map": str(map_), "scenarios": uitkomsten, "verschillen": verschillen, "mislukt": mislukt})
        return
    for u in uitkomsten:
        naam = Path(u["bestand"]).name
        if "fout" in u:
            click.echo(f"{naam}: no outcome (exit {u['fout']['exit_code']}): {u['fout']['melding']}")
            continue
        regel = f"{naam}: {u['status']}, houder {u.get('houder') or '-'}, {aantal(len(u['fouten']), 'fouten')}"
        click.echo(regel + (f"; {_oordeel(u['vergelijking'])}" if "vergelijking" in u else ""))
        for verschil in u.get("vergelijking", {}).get("verschillen", []):
            click.echo(f"  {verschil}")


def _oordeel(vergelijking: dict[str, Any]) -> str:
    naam = Path(vergelijking["verwacht"]).name
    if not vergelijking["verschillen"]:
        return f"as {naam} expects"
    return f"{aantal(len(vergelijking['verschillen']), 'verschillen')} with {naam}"
