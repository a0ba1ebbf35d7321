"""`casus melding`: starts a casus. With `--sleutel` a retry of the same melding finds the casus its
first try started; a key never reaches another melding's casus."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import click
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from casus_cli.acties import geldige_sleutel, geweigerd_veld, met_kluis, met_temporal, workflow_id
from casus_cli.een_open_casus import controleer_een_open_casus
from casus_cli.fouten import RefusedError
from casus_cli.tijden import MOMENT
from casus_cli.uitvoer import toon_json
from casus_cli.verzegelen import heeft_persoonlijk, verzegel
from domain.beslissen import decide
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.stap import Regelset
from domain.toestand import Casus
from domain.uitkomst import uitkomst
from domain.weigering import Weigering
from runtime.policies import UnknownPolicyError, load_rules, policy_ids
from runtime.settings import Settings
from workflows import zoekattributen as za
from workflows.casus import CasusStart, CasusWorkflow

# A melding's --sleutel names its casus: the same key under the same policy is the same casus.
MELDING_SLEUTELS = uuid.UUID("6f1c7d1e-4b0a-5c55-9a43-2f6d3c1b8e20")


@click.command("melding")
@click.option("--beleid", required=True, help=f"one of: {', '.join(policy_ids())}")
@click.option("--gemeente", required=True)
@click.option("--huishouden", required=True, help="pseudonymous household key (IJM-1.2.1)")
@click.option("--acuut", is_flag=True, help="an acute melding (IJM-3.1a)")
@click.option("--melder-anoniem", is_flag=True)
@click.option("--melder-soort", type=click.Choice(["professional", "burger"]), default="professional")
@click.option("--ontvangen", type=MOMENT, default=None, help="when the melding was received (default: now)")
@click.option("--inhoud", default="")
@click.option("--als", "partij", required=True)
@click.option("--medewerker", default=None)
@click.option("--sleutel", default=None, callback=geldige_sleutel,
              help="a key of your own for this melding: a retry with the same key finds the same casus")  # fmt: skip
@click.option("--aparte-casus", default=None, help="why this melding needs a casus of its own beside the household's open one (IJM-3.7c)")
@click.option("--json", "als_json", is_flag=True)
def melding(
    beleid: str, gemeente: str, huishouden: str, acuut: bool, melder_anoniem: bool, melder_soort: str, ontvangen: datetime | None,
    inhoud: str, partij: str, medewerker: str | None, sleutel: str | None, aparte_casus: str | None, als_json: bool,
) -> None:  # fmt: skip
    """Starts a casus; prints its id."""
    try:
        regelset = load_rules(beleid)
    except UnknownPolicyError as e:
        raise RefusedError(str(e), veld="beleid") from None
    nu = datetime.now(UTC).replace(microsecond=0)
    casus_id = str(uuid.uuid5(MELDING_SLEUTELS, f"{beleid}\n{sleutel}")) if sleutel else str(uuid.uuid4())
    try:
        melden = Melden(
            casus_id=casus_id, gemeente=gemeente, huishouden=huishouden, acuut=acuut,
            melder=Melder.model_validate({"soort": melder_soort, "anoniem": melder_anoniem}),
            ontvangen=ontvangen or nu, inhoud=inhoud, actor=Actor(partij=partij, medewerker=medewerker), aparte_casus=aparte_casus,
        )  # fmt: skip
    except ValidationError as e:
        raise geweigerd_veld(e) from None
    try:
        decide(None, melden, regelset, nu)  # refuse before anything is started
    except Weigering as w:
        raise RefusedError.uit(w) from None
    settings = Settings()
    controleer_een_open_casus(settings, melden, regelset)  # IJM-3.7c, from the household read model
    if heeft_persoonlijk(melden):
        melden = met_kluis(settings, lambda kluis: verzegel(melden, huishouden, kluis))
    casus = asyncio.run(
        met_temporal(
            settings,
            lambda client: start_casus(client, settings, melden, regelset, ontvangen_gegeven=ontvangen is not None),
            geen_antwoord=(
                f"the melding is accepted as casus {casus_id} and is recorded once a worker runs; do not register it again "
                f"(`casus status {casus_id}` shows it)"
            ),
        )
    )
    if als_json:
        toon_json({"casus_id": casus_id, **uitkomst(casus)})
    else:
        click.echo(casus_id)


async def start_casus(client: Client, settings: Settings, melden: Melden, regelset: Regelset, ontvangen_gegeven: bool = False) -> Casus:
    """Starts the casus workflow, or finds the one a retry of the same melding started; a casus of
    another melding under the same key is refused, naming the key."""
    casus = await _start_of_vind(client, settings, melden, regelset)
    if (veld := anders_dan(casus, melden, ontvangen_gegeven)) is not None:
        raise RefusedError(
            f"this key belongs to casus {casus.casus_id}, a melding with another {veld}; a key retries one melding: "
            "give this melding a key of its own",
            veld="sleutel",
        )
    return casus


async def _start_of_vind(client: Client, settings: Settings, melden: Melden, regelset: Regelset) -> Casus:
    try:
        h = await client.start_workflow(
            CasusWorkflow.run,
            CasusStart(melding=melden, regelset=regelset),
            id=workflow_id(melden.casus_id),
            task_queue=settings.task_queue,
            search_attributes=TypedSearchAttributes(
                [SearchAttributePair(za.BELEID, regelset.beleid.id), SearchAttributePair(za.GEMEENTE, melden.gemeente)]
            ),
            # A retry (the same --sleutel) attaches to the casus its first try started, running or not.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        h = client.get_workflow_handle(workflow_id(melden.casus_id))
        casus: Casus | None = await h.query(CasusWorkflow.toestand)
        if casus is None:
            raise RefusedError(f"casus {melden.casus_id} of this key ended before its melding was recorded", veld="sleutel") from None
        return casus
    gemeld: Casus = await h.execute_update("gemeld", result_type=Casus)
    return gemeld


def anders_dan(casus: Casus, melden: Melden, ontvangen_gegeven: bool) -> str | None:
    """The first field in which the casus a --sleutel found differs from this melding, or None:
    a key is for retrying one melding, never a way to reach another casus."""
    verschil = {
        "gemeente": casus.gemeente != melden.gemeente,
        "huishouden": casus.huishouden != melden.huishouden,
        "acuut": casus.acuut != melden.acuut,
        "melder": casus.melder != melden.melder,
        "ontvangen": ontvangen_gegeven and casus.ontvangen != melden.ontvangen,
    }
    return next((veld for veld, anders in verschil.items() if anders), None)
