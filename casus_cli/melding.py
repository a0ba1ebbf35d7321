"""`casus melding`: starts a casus through the API (`POST /casussen`). With `--sleutel` a retry of the
same melding finds the casus its first try started; without it the CLI sends a fresh key, which it
names when no answer came, so that the retry is still one casus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import click
from pydantic import ValidationError

from casus_cli.acties import ALS_HELP, MEDEWERKER_HELP
from casus_cli.client import Api
from casus_cli.opties import JSON, KeuzeOptie, geldige_sleutel, geweigerd_veld, per_beleid, uit_bestand
from casus_cli.tijden import MOMENT
from casus_cli.uitvoer import toon_json
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor


def _beleid_ids() -> str:
    from runtime.policies import policy_ids

    return f"one of: {', '.join(policy_ids())}"


@click.command("melding")
@click.option("--beleid", required=True, cls=KeuzeOptie, keuzen=_beleid_ids, help="the region's policy")
@click.option("--gemeente", required=True, cls=KeuzeOptie, keuzen=per_beleid(lambda b: list(b.gemeenten)))
@click.option("--huishouden", required=True, help="pseudonymous household key (IJM-1.2.1)")
@click.option("--acuut", is_flag=True, help="an acute melding (IJM-3.1a)")
@click.option("--melder-anoniem", is_flag=True)
@click.option("--melder-soort", type=click.Choice(["professional", "burger"]), default="professional")
@click.option("--ontvangen", type=MOMENT, default=None, help="when the melding was received (default: now)")
@click.option("--inhoud", default="", help="the melding's text, or @FILE; personal, sealed by the API")
@click.option("--als", "partij", required=True, help=ALS_HELP)
@click.option("--medewerker", default=None, help=MEDEWERKER_HELP)
@click.option("--sleutel", default=None, callback=geldige_sleutel,
              help="a key of your own for this melding: a retry with the same key finds the same casus")  # fmt: skip
@click.option("--aparte-casus", default=None, help="why this melding needs a casus of its own beside the household's open one (IJM-3.7c)")
@JSON
def melding(
    beleid: str, gemeente: str, huishouden: str, acuut: bool, melder_anoniem: bool, melder_soort: str, ontvangen: datetime | None,
    inhoud: str, partij: str, medewerker: str | None, sleutel: str | None, aparte_casus: str | None, als_json: bool,
) -> None:  # fmt: skip
    """Starts a casus; prints its id."""
    inhoud = uit_bestand("inhoud", inhoud)
    try:  # the domain's own checks first: a bad value names its option before anything is sent
        Melden(
            casus_id=str(uuid.uuid4()), gemeente=gemeente, huishouden=huishouden, acuut=acuut,
            melder=Melder.model_validate({"soort": melder_soort, "anoniem": melder_anoniem}),
            ontvangen=ontvangen or datetime.now(UTC).replace(microsecond=0), inhoud=inhoud,
            actor=Actor(partij=partij, medewerker=medewerker), aparte_casus=aparte_casus,
        )  # fmt: skip
    except ValidationError as e:
        raise geweigerd_veld(e) from None
    body = {
        "beleid": beleid, "gemeente": gemeente, "huishouden": huishouden, "acuut": acuut, "melder_soort": melder_soort,
        "melder_anoniem": melder_anoniem, "ontvangen": ontvangen.isoformat() if ontvangen else None, "inhoud": inhoud,
        "aparte_casus": aparte_casus, "als": partij,
    }  # fmt: skip
    sleutel = sleutel or str(uuid.uuid4())
    resultaat = Api(partij).json(
        "POST",
        "/casussen",
        body=body,
        sleutel=sleutel,
        geen_antwoord=(
            f"the melding may have been accepted: repeat the command with `--sleutel {sleutel}`, which finds the same casus "
            "instead of starting a second one"
        ),
    )
    casus_id = resultaat["casus_id"]
    if als_json:
        toon_json({"casus_id": casus_id, **resultaat["uitkomst"]})
    else:
        click.echo(casus_id)
