"""One subcommand per action of CONTRACT.md, generated from the domain's commands, each one request
to the API (`POST /casussen/{id}/acties/{actie}`).

The fields are checked here first with the domain's own models, so that a bad value is refused
naming its option before anything is sent; the API decides the step itself. Who acts comes from the
token: `--als` chooses the stored token and the API checks it, `--medewerker` is no longer sent."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal, get_args, get_origin

import click
from pydantic import BaseModel, ValidationError

from casus_cli.client import Api
from casus_cli.opties import JA_NEE, JSON, KeuzeOptie, geldige_sleutel, geweigerd_veld, per_beleid, uit_bestand
from casus_cli.tijden import MOMENT
from casus_cli.uitvoer import toon_json
from domain.opdrachten import OPDRACHTEN, Verzoek, persoonlijke_velden
from domain.partijen import Actor

ALS_HELP = "the acting party: sends the token stored for it (`casus login --als`); the API checks the token is this party's"
MEDEWERKER_HELP = "ignored: your name comes from your token (`casus login --medewerker`); still checked as a name"

# Fields whose values a policy file lists (domain/data/beleid/*.yaml), shown in the action's --help.
UIT_BELEID: dict[tuple[str, str], Callable[[Any], list[str]]] = {
    ("beoordeling-afronden", "besluit"): lambda b: list(b.uitkomsten),
    ("beoordeling-afronden", "team"): lambda b: [t.id for t in b.teams],
    ("beoordeling-afronden", "criteria"): lambda b: list(b.tenzij_criteria),
    ("dienst-afronden", "team"): lambda b: [t.id for t in b.teams],
}


def _zonder_none(annotatie: Any) -> Any:
    if get_origin(annotatie) is not tuple and type(None) in get_args(annotatie):
        return next(a for a in get_args(annotatie) if a is not type(None))
    return annotatie


def _veld_optie(
    actie: str, naam: str, annotatie: Any, verplicht: bool, persoonlijk: bool
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    optie = f"--{naam.replace('_', '-')}"
    keuzen = UIT_BELEID.get((actie, naam))
    if annotatie is bool:
        return click.option(optie, naam, type=JA_NEE, default=None, required=verplicht, help="true or false (ja or nee)")
    if get_origin(annotatie) is tuple:
        hulp = "comma-separated list" + ("; personal text, sealed by the API" if persoonlijk else "")
    elif get_origin(annotatie) is Literal:
        hulp = f"one of: {', '.join(str(a) for a in get_args(annotatie))}"
    elif persoonlijk:
        hulp = "text, or @FILE to read it from a file (@@… for text beginning with @); personal, sealed by the API"
    elif annotatie is date:
        hulp = "a date, e.g. 2028-11-30"
    else:
        hulp = ""
    return click.option(
        optie, naam, cls=KeuzeOptie, keuzen=per_beleid(keuzen) if keuzen else None, default=None, required=verplicht, help=hulp
    )


def _velden(soort: type[BaseModel], waarden: dict[str, Any]) -> dict[str, Any]:
    """The options given, a `@FILE` read, a list split at its commas."""
    velden: dict[str, Any] = {}
    for naam, info in soort.model_fields.items():
        waarde = waarden.get(naam)
        if naam == "actie" or waarde is None:
            continue
        if isinstance(waarde, str):
            waarde = uit_bestand(naam.replace("_", "-"), waarde)
            if get_origin(info.annotation) is tuple:
                waarde = tuple(x.strip() for x in waarde.split(",") if x.strip())
        velden[naam] = waarde
    return velden


def verzoek_van(actie: str, partij: str, medewerker: str | None, op: datetime | None, waarden: dict[str, Any]) -> Verzoek:
    """The step as the domain's command, checked here so that a bad value names its option."""
    soort = OPDRACHTEN[actie]
    try:
        opdracht = soort.model_validate({"actie": actie, **_velden(soort, waarden)})
        return Verzoek.model_validate({"opdracht": opdracht, "actor": Actor(partij=partij, medewerker=medewerker), "op": op})
    except ValidationError as e:
        raise geweigerd_veld(e) from None


def body_van(verzoek: Verzoek, partij: str) -> dict[str, Any]:
    """The API's ActieInvoer: the fields given (CONTRACT.md names), when, and `als` to check."""
    velden = verzoek.opdracht.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"actie"})
    return {"velden": velden, "op": verzoek.op.isoformat() if verzoek.op else None, "als": partij}


def actie_commando(actie: str) -> click.Command:
    soort = OPDRACHTEN[actie]

    def uitvoeren(
        casus_id: str, partij: str, medewerker: str | None, op: datetime | None, sleutel: str | None, als_json: bool, **waarden: Any
    ) -> None:
        verzoek = verzoek_van(actie, partij, medewerker, op, waarden)
        sleutel = sleutel or str(uuid.uuid4())
        resultaat = Api(partij).json(
            "POST",
            f"/casussen/{casus_id}/acties/{actie}",
            body=body_van(verzoek, partij),
            sleutel=sleutel,
            geen_antwoord=(
                f"the action may still be recorded once a worker runs: check `casus status {casus_id}`, or repeat the command "
                f"with `--sleutel {sleutel}`, which records it once whether or not this try was"
            ),
        )
        uitkomst: dict[str, Any] = resultaat["uitkomst"]
        if als_json:
            toon_json({"versie": resultaat["versie"], "gebeurtenissen": resultaat["gebeurtenissen"], **uitkomst})
        else:
            click.echo(f"{actie}: vastgelegd ({', '.join(resultaat['gebeurtenissen'])})")
            click.echo(f"houder: {uitkomst.get('houder') or '-'}  fase: {uitkomst.get('fase')}  versie: {resultaat['versie']}")

    persoonlijk = set(persoonlijke_velden(soort))
    cmd: Callable[..., Any] = uitvoeren
    cmd = JSON(cmd)
    cmd = click.option(
        "--sleutel", default=None, callback=geldige_sleutel, help="this action's key: a retry with the same key records it once"
    )(cmd)
    cmd = click.option("--op", type=MOMENT, default=None, help="when it took effect (default: now)")(cmd)
    cmd = click.option("--medewerker", default=None, help=MEDEWERKER_HELP)(cmd)
    cmd = click.option("--als", "partij", required=True, help=ALS_HELP)(cmd)
    for naam, info in reversed(list(soort.model_fields.items())):
        if naam != "actie":
            cmd = _veld_optie(actie, naam, _zonder_none(info.annotation), info.is_required(), naam in persoonlijk)(cmd)
    cmd = click.argument("casus_id")(cmd)
    return click.command(actie, help=f"Action {actie} (CONTRACT.md).", short_help=f"Action {actie}.")(cmd)
