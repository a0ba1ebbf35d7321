"""Operators' and auditors' commands on the read models, through the API: lijst, huishouden (and
forgetting one), termijnen, rapport."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args
from urllib.parse import quote

import click

from casus_cli.client import Api
from casus_cli.fouten import RefusedError
from casus_cli.inzage import pagina_tekst
from casus_cli.opties import JSON, WACHT, als_optie
from casus_cli.uitvoer import GebruikError, aantal, cel, op_terminal, tabel, toon_json
from domain.toestand import Fase

PAGINA = [
    click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="skip this many rows"),
    click.option("--limiet", type=click.IntRange(min=1, max=1000), default=100, show_default=True, help="at most this many rows"),
]
WMO = "Wmo 2015 art. 5.3.5"


def _pagina(f: Any) -> Any:
    for optie in reversed(PAGINA):
        f = optie(f)
    return f


@click.command("lijst")
@click.option(
    "--partij",
    default=None,
    help="the party holding the responsibility: melder, veilig-thuis, jeugdhulp, mda, clientsysteem, lokaal-team:<team> "
    "(e.g. lokaal-team:socius-md) or instelling:<naam>",
)
@click.option("--beleid", default=None, help="a policy id, e.g. ijmond-2024")
@click.option("--gemeente", default=None, help="a gemeente of the policies (of --beleid, when given), lower case, e.g. velsen")
@click.option("--fase", default=None, help=f"the casus's phase: {', '.join(get_args(Fase))}")
@click.option("--termijn-verstreken", is_flag=True, help="only casussen with a lapsed deadline not met")
@click.option("--met-afgesloten", is_flag=True, help="closed casussen too")
@_pagina
@als_optie("operator, auditor, or a caseworker: the casussen their party holds")
@WACHT
@JSON
def lijst(
    partij: str | None, beleid: str | None, gemeente: str | None, fase: str | None, termijn_verstreken: bool,
    met_afgesloten: bool, offset: int, limiet: int, als: str | None, wacht: float, als_json: bool,
) -> None:  # fmt: skip
    """Casussen from the read model, with filters; an unknown filter value is refused, naming what is accepted."""
    del wacht
    params = {
        "partij": partij, "beleid": beleid, "gemeente": gemeente, "fase": fase, "termijn_verstreken": termijn_verstreken,
        "met_afgesloten": met_afgesloten, "offset": offset, "limiet": limiet,
    }  # fmt: skip
    resultaat: dict[str, Any] = Api(als).json("GET", "/casussen", params=params)
    if als_json:
        toon_json(resultaat)
        return
    rijen = resultaat["casussen"]
    click.echo(tabel(rijen, ["casus_id", "beleid", "gemeente", "houder", "fase", "ontvangen", "volgende_termijn"]))
    click.echo(f"\n{pagina_tekst(resultaat['pagina'], len(rijen), 'casussen')}")
    if resultaat.get("caseload"):
        click.echo("\nopen per partij (of these casussen, every page):")
        click.echo(tabel(resultaat["caseload"], ["partij", "open"]))


@click.command("huishouden")
@click.argument("sleutel")
@click.option(
    "--reden", default=None, help="why you read the household's record (logged; required of auditors); with --vergeet, why it is forgotten"
)
@click.option("--vergeet", is_flag=True, help=f"destroy the household's personal data ({WMO}; a beheerder's token); irreversible")
@click.option("--ja", is_flag=True, help="with --vergeet: do not ask for confirmation on a terminal")
@als_optie("auditor; with --vergeet, beheerder")
@click.option("--medewerker", default=None, hidden=True, help="ignored: the name comes from the token")
@WACHT
@JSON
def huishouden(
    sleutel: str, reden: str | None, vergeet: bool, ja: bool, als: str | None, medewerker: str | None, wacht: float, als_json: bool
) -> None:
    """Every melding and casus of one household (radar, IJM-1.2.1); with --vergeet, crypto-shredding."""
    del medewerker, wacht
    pad = f"/huishoudens/{quote(sleutel, safe='')}"
    if vergeet:
        _vergeet(pad, sleutel, reden, ja, als, als_json)
        return
    resultaat: dict[str, Any] = Api(als).json("GET", pad, params={"reden": reden})
    if als_json:
        toon_json(resultaat)
        return
    click.echo(f"huishouden {sleutel}\n\nmeldingen")
    click.echo(tabel(resultaat["meldingen"], ["ontvangen", "aanleiding", "casus_id", "beleid", "gemeente", "acuut", "melder_soort"]))
    click.echo("\ncasussen")
    click.echo(tabel(resultaat["casussen"], ["casus_id", "beleid", "houder", "fase", "status", "ontvangen", "afgesloten_op"]))


def _vergeet(pad: str, sleutel: str, reden: str | None, ja: bool, als: str | None, als_json: bool) -> None:
    if not reden or not reden.strip():
        raise RefusedError("erasing a household's personal data needs a recorded reason", regel=WMO, veld="reden")
    vraag = (
        f"Destroy the key of household {sleutel}? Its personal data becomes unreadable everywhere, in every casus; this cannot be undone"
    )
    if not ja and op_terminal() and not click.confirm(vraag, default=False, err=True):  # the question never on stdout
        raise RefusedError("not confirmed: nothing was sent (--ja confirms without asking)", regel=WMO, veld="ja")
    resultaat: dict[str, Any] = Api(als).json(
        "POST", f"{pad}/vergeten", body={"reden": reden.strip()}, geen_antwoord="ask again: the same erasure is recorded once"
    )
    if als_json:
        toon_json(resultaat)
    else:
        wat = (
            "key destroyed"
            if resultaat.get("had_persoonsgegevens")
            else "no key existed"
            if not resultaat.get("al_vergeten")
            else "forgotten already"
        )
        generatie = f", generation {cel(resultaat['generatie'])}" if resultaat.get("generatie") is not None else ""
        click.echo(f"huishouden {sleutel}: personal data made unreadable ({wat}{generatie})")
        casussen = resultaat.get("casussen") or []
        click.echo(f"recorded in {aantal(len(casussen), 'casussen')} ({len(resultaat.get('nieuw_vastgelegd') or [])} now)")
        if not resultaat.get("opgeruimd", True):
            click.echo("the old key's bytes are not yet cleared from the database files: see docs/VERGETEN.md")
    if mislukt := resultaat.get("niet_vastgelegd"):
        fout = RefusedError(
            f"the key is destroyed, but the erasure is not recorded in casus {', '.join(sorted(mislukt))}; run the same command again",
            regel=WMO,
        )
        fout.json_getoond = als_json
        raise fout


@click.command("termijnen")
@click.option(
    "--verstreken",
    is_flag=True,
    help="lapsed deadlines not met; with --binnen too, both kinds are listed (OR), not only lapsed ones due soon",
)
@click.option(
    "--binnen",
    "dagen",
    type=click.IntRange(min=0, max=3660),
    default=None,
    help="open deadlines due within this many days; with --verstreken too, these and the lapsed ones are listed (OR)",
)
@_pagina
@als_optie("operator or auditor")
@WACHT
@JSON
def termijnen(verstreken: bool, dagen: int | None, offset: int, limiet: int, als: str | None, wacht: float, als_json: bool) -> None:
    """Deadlines: what lapsed and what is due soon (without options: every open or lapsed one; both options: either kind)."""
    del wacht
    params = {"verstreken": verstreken, "binnen_dagen": dagen, "offset": offset, "limiet": limiet}
    resultaat: dict[str, Any] = Api(als).json("GET", "/termijnen", params=params)
    if als_json:
        toon_json(resultaat)
        return
    # `aan_zet`: who must act (domain/aan_zet.py), not always the holder; `cyclus`: the beoordeling cycle.
    kolommen = ["uiterlijk", "status", "soort", "cyclus", "aan_zet", "regel", "casus_id", "houder", "gemeente"]
    click.echo(tabel(resultaat["termijnen"], kolommen))
    if "pagina" in resultaat:
        click.echo(f"\n{pagina_tekst(resultaat['pagina'], len(resultaat['termijnen']), 'termijnen')}")


@click.command("rapport")
@click.option("--beleid", required=True)
@click.option("--van", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="first day of receipt (local date)")
@click.option("--tot", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="last day of receipt (local date)")
@click.option("--csv", "als_csv", is_flag=True, help="the figures per deadline kind as CSV on stdout, one row per kind")
@als_optie("operator or auditor")
@WACHT
@JSON
def rapport(beleid: str, van: datetime, tot: datetime, als_csv: bool, als: str | None, wacht: float, als_json: bool) -> None:
    """Per deadline kind: count, share met in time, median and 90th percentile time to meet it (in
    working days for a working-day term); the policy's own reported figures (GM-1 in
    Gelderland-Midden); open casussen per holder."""
    del wacht
    if als_csv and als_json:
        raise GebruikError("give --csv or --json, not both: each is the whole of stdout", veld="csv")
    if van > tot:  # refused before anything is sent (issue 12)
        raise RefusedError(f"--van {van.date()} is after --tot {tot.date()}; give --van on or before it", veld="van")
    params = {"van": van.date().isoformat(), "tot": tot.date().isoformat()}
    pad = f"/rapporten/{quote(beleid, safe='')}"
    if als_csv:
        click.echo(Api(als).vraag("GET", pad, params=params | {"formaat": "csv"}, accept="text/csv").text, nl=False)
        return
    resultaat: dict[str, Any] = Api(als).json("GET", pad, params=params)
    if als_json:
        toon_json(resultaat)
        return
    toon_rapport(resultaat)


def toon_rapport(r: dict[str, Any]) -> None:
    click.echo(f"rapport {r['beleid']}, meldingen van {r['van']} tot en met {r['tot']}: {aantal(r['casussen'], 'casussen')}\n")
    rijen = [
        t | {"tijdig_pct": _procent(t.get("percentage_tijdig")), "mediaan": _duur(t, "mediaan"), "p90": _duur(t, "p90"),
             "regels": t.get("regels") or []}
        for t in r["termijnen"]
    ]  # fmt: skip
    kolommen = [
        "soort", "regels", "aantal", "beslist", "tijdig", "tijdig_pct", "laat_vastgelegd", "mediaan", "p90", "open", "vervallen",
        "afgelopen", "van_rechtswege",
    ]  # fmt: skip
    click.echo(tabel(rijen, kolommen))
    if "aandeel_direct" in r:  # only under the agreement it belongs to
        direct = _procent(r.get("percentage_direct")) or "no besluit yet"
        click.echo(f"\naandeel directe overdracht ({r.get('aandeel_direct_regel', 'GM-1')}): {direct}")
    click.echo("\nopen per houder")
    click.echo(tabel([{"houder": h, "open": n} for h, n in r["open_per_houder"].items()], ["houder", "open"]))


def _procent(waarde: float | None) -> str:
    return "" if waarde is None else f"{waarde:g} %"


def _duur(t: dict[str, Any], naam: str) -> str:
    """A median or percentile with its unit: working days for a working-day term (T-2)."""
    waarde = t.get(naam)
    if waarde is None:
        return ""
    eenheid = t.get("eenheid", "dagen")
    return f"{cel(waarde)} {'werkdag' if eenheid == 'werkdagen' and waarde == 1 else 'dag' if waarde == 1 else eenheid}"
