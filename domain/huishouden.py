"""IJM-3.7c one open casus per household (rev. 2026-11-30): a new melding about a household that has
an open casus is not a second casus; it is registered in that casus (`nieuwe-melding`, IJM-3.7),
unless the caseworker states why a separate casus is needed. Pure: the caller finds the household's
open casussen (the household read model) and passes them in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.opdrachten import Melden
from domain.partijen import VEILIG_THUIS, Actor
from domain.stap import Regelset
from domain.tijd import lokaal
from domain.weigering import Weigering


class OpenCasus(BaseModel):
    """A casus of the household that has not been closed, as the read model knows it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    casus_id: str
    beleid: str
    gemeente: str
    ontvangen: datetime


def een_open_casus(melding: Melden, open_casussen: Sequence[OpenCasus], regelset: Regelset) -> None:
    """Refuses a melding that would be a second open casus of its household, naming the open one and
    the command that registers the melding there; a stated reason (`aparte_casus`) lets it through.
    The melding's own casus (a retry with the same key) is not another casus, and neither is a casus in
    a gemeente of another region: another Veilig Thuis runs it under its own agreement (choice: an
    auditor reads "the household's open casus" as the one this Veilig Thuis holds)."""
    regel = regelset.beleid.regels.een_open_casus
    eigen = [c for c in open_casussen if c.casus_id != melding.casus_id and c.gemeente in regelset.beleid.gemeenten]
    andere = sorted(eigen, key=lambda c: c.ontvangen)
    if regel is None or not andere or melding.aparte_casus:
        return
    open_ = andere[0]
    raise Weigering(
        regel,
        f"household {melding.huishouden} has an open casus {open_.casus_id} ({open_.beleid}, melding of {lokaal(open_.ontvangen)}); "
        f"register this melding in it with `casus nieuwe-melding {open_.casus_id} --als veilig-thuis ...`, "
        "or state why a separate casus is needed with --aparte-casus REDEN",
        veld="huishouden",
    )


VERGETEN_REGEL = "Wmo 2015 art. 5.3.5"


def vergeten(reden: str | None, actor: Actor) -> tuple[str, Actor]:
    """Wmo 2015 art. 5.3.5: a household's personal data is destroyed with a recorded reason, in the
    name of Veilig Thuis, who keeps the dossier, by the person who carried it out."""
    reden = (reden or "").strip()
    if not reden:
        raise Weigering(VERGETEN_REGEL, "erasing a household's personal data needs a recorded reason", veld="reden")
    return reden, actor.model_copy(update={"partij": VEILIG_THUIS})
