"""`casus melding` and one subcommand per action of CONTRACT.md, generated from the commands."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar, get_args, get_origin

import click
from pydantic import BaseModel, ValidationError
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from casus_cli.fouten import RefusedError, UnreachableError
from casus_cli.tijden import MOMENT
from casus_cli.uitvoer import toon_json
from casus_cli.uitvoeren import niet_open, voer_uit
from casus_cli.verzegelen import heeft_persoonlijk, verzegel
from domain.opdrachten import OPDRACHTEN, Verzoek
from domain.partijen import Actor
from domain.toestand import Casus
from domain.uitkomst import uitkomst
from domain.weigering import Weigering
from eventstore.kluis import Kluis
from eventstore.store import stream_id
from runtime.settings import Settings
from runtime.temporal import ServiceUnavailableError, connect
from workflows.casus import CasusWorkflow, Resultaat

T = TypeVar("T")


def met_kluis(settings: Settings, werk: Callable[[Kluis], T]) -> T:
    """Runs `werk` with the household keys of the configured event store."""
    from casus_cli.inzage import open_kluis, open_store

    store, views = open_store(settings)
    try:
        return werk(open_kluis(views, settings))
    except PermissionError as e:
        raise RefusedError(str(e), regel="Wmo 2015 art. 5.3.5") from None
    finally:
        store.close()


def workflow_id(casus_id: str) -> str:
    return f"casus-{casus_id}"


async def met_temporal(
    settings: Settings, werk: Callable[[Client], Awaitable[T]], geen_antwoord: str = "", zonder_wachttijd: bool = False
) -> T:
    """Runs `werk` against Temporal; a service that is down or a worker that does not answer is
    exit 3 with what is true of the request (`geen_antwoord`), never a traceback."""
    try:
        client = await connect(settings)
    except ServiceUnavailableError as e:
        raise UnreachableError(f"{e}; nothing was sent") from None
    wachttijd = None if zonder_wachttijd else settings.wacht_op_worker_s
    try:
        return await asyncio.wait_for(werk(client), timeout=wachttijd)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise UnreachableError(
            f"no answer within {wachttijd or 0:.0f} s from a worker on task queue '{settings.task_queue}': none runs "
            f"(start the stack with `make dev` or `casus dev`), or it waits on the event store"
            f"{'; ' + geen_antwoord if geen_antwoord else ''}"
        ) from None
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            raise RefusedError(
                "unknown casus: Temporal holds no workflow for it (if the event store holds it, its workflow was lost; "
                "an operator restores it with `casus herstel ID`)",
                veld="CASUS_ID",
            ) from None
        raise UnreachableError(
            f"Temporal at {settings.temporal_address} refused or dropped the request ({e.status.name}): {e.message}"
        ) from None


def handle(client: Client, casus_id: str) -> WorkflowHandle[Any, Any]:
    stream_id(casus_id)
    return client.get_workflow_handle(workflow_id(casus_id))


SLEUTEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


def geldige_sleutel(_ctx: click.Context, _param: click.Parameter, waarde: str | None) -> str | None:
    """A key is 1 to 100 letters, digits and . _ : - (it becomes part of a Temporal id)."""
    if waarde is not None and not SLEUTEL.fullmatch(waarde):
        raise RefusedError("a key is 1 to 100 letters, digits and . _ : - , beginning with a letter or digit", veld="sleutel")
    return waarde


# A command's fields whose CLI option is spelled otherwise (domain.partijen.HandelendeActor).
OPTIE_VAN_VELD = {"actor.partij": "als", "actor.medewerker": "medewerker"}


def geweigerd_veld(e: ValidationError) -> RefusedError:
    """The first field a command model refuses, named as its CLI option (exit 1, CONTRACT.md)."""
    err = e.errors()[0]
    loc = [str(p) for p in err["loc"]]
    return RefusedError(err["msg"], veld=OPTIE_VAN_VELD.get(".".join(loc), "-".join(loc)))


def _veld_optie(naam: str, annotatie: Any, verplicht: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    optie = f"--{naam.replace('_', '-')}"
    if annotatie is bool:
        return click.option(optie, naam, type=click.BOOL, default=None, required=verplicht, help="true or false")
    if get_origin(annotatie) is tuple:
        return click.option(optie, naam, default=None, required=verplicht, help="comma-separated list")
    return click.option(optie, naam, default=None, required=verplicht)


def _velden(soort: type[BaseModel], waarden: dict[str, Any]) -> dict[str, Any]:
    velden: dict[str, Any] = {}
    for naam, info in soort.model_fields.items():
        waarde = waarden.get(naam)
        if naam == "actie" or waarde is None:
            continue
        if get_origin(info.annotation) is tuple:
            waarde = tuple(x.strip() for x in str(waarde).split(",") if x.strip())
        velden[naam] = waarde
    return velden


def _actie_commando(actie: str, soort: type[BaseModel]) -> click.Command:
    def uitvoeren(
        casus_id: str, partij: str, medewerker: str | None, op: datetime | None, sleutel: str | None, als_json: bool, **waarden: Any
    ) -> None:
        try:
            opdracht = soort.model_validate({"actie": actie, **_velden(soort, waarden)})
            v = Verzoek.model_validate({"opdracht": opdracht, "actor": Actor(partij=partij, medewerker=medewerker), "op": op})
        except ValidationError as e:
            raise geweigerd_veld(e) from None
        stream_id(casus_id)
        settings = Settings()
        sleutel = sleutel or str(uuid.uuid4())

        async def stuur(client: Client) -> Resultaat:
            h = handle(client, casus_id)
            verzoek = v
            if (dicht := await niet_open(h)) is not None:
                raise RefusedError.uit(dicht)
            if heeft_persoonlijk(v.opdracht):
                casus: Casus | None = await h.query(CasusWorkflow.toestand)
                if casus is None:
                    raise RefusedError("the casus is still being registered; try again", veld="CASUS_ID")
                verzoek = v.model_copy(update={"opdracht": met_kluis(settings, lambda k: verzegel(v.opdracht, casus.huishouden, k))})
            try:
                return await voer_uit(h, verzoek, sleutel)
            except Weigering as w:
                raise RefusedError.uit(w) from None

        resultaat = asyncio.run(
            met_temporal(
                settings,
                stuur,
                geen_antwoord=(
                    f"the action may still be recorded once a worker runs: check `casus status {casus_id}`, or repeat "
                    f"the command with `--sleutel {sleutel}`, which records it once whether or not this try was"
                ),
            )
        )
        if als_json:
            toon_json({"versie": resultaat.versie, "gebeurtenissen": list(resultaat.gebeurtenissen), **uitkomst(resultaat.casus)})
        else:
            casus = resultaat.casus
            click.echo(f"{actie}: vastgelegd ({', '.join(resultaat.gebeurtenissen)})")
            click.echo(f"houder: {casus.houder or '-'}  fase: {casus.fase}  versie: {resultaat.versie}")

    cmd: Callable[..., Any] = uitvoeren
    for naam, info in reversed(list(soort.model_fields.items())):
        if naam != "actie":
            annotatie = info.annotation
            if get_origin(annotatie) is not tuple and type(None) in get_args(annotatie):
                annotatie = next(a for a in get_args(annotatie) if a is not type(None))
            cmd = _veld_optie(naam, annotatie, info.is_required())(cmd)
    cmd = click.option("--json", "als_json", is_flag=True)(cmd)
    cmd = click.option(
        "--sleutel", default=None, callback=geldige_sleutel, help="this action's key: a retry with the same key records it once"
    )(cmd)
    cmd = click.option("--op", type=MOMENT, default=None, help="when it took effect (default: now)")(cmd)
    cmd = click.option("--medewerker", default=None)(cmd)
    cmd = click.option("--als", "partij", required=True, help="the acting party")(cmd)
    cmd = click.argument("casus_id")(cmd)
    return click.command(actie, help=f"Action {actie} (CONTRACT.md).")(cmd)


ACTIE_COMMANDOS = [_actie_commando(actie, soort) for actie, soort in sorted(OPDRACHTEN.items())]
