"""The beheerder's use case of forgetting a household (Wmo 2015 art. 5.3.5): its key destroyed, the
erasure recorded in each of its casussen under the beheerder's own name."""

from __future__ import annotations

import asyncio
from typing import Any

from eventsourcing.persistence import PersistenceError

from domain.partijen import VEILIG_THUIS, Actor
from domain.toegang import Gebruiker, vereis
from eventstore.keten import Ondertekenaar
from eventstore.vergeten import leg_vast
from service.casussen import toegang
from service.fouten import Geweigerd, Onbereikbaar
from service.samenstelling import Samenstelling, geweigerd_door_kluis

REGEL = "Wmo 2015 art. 5.3.5"


async def vergeet(s: Samenstelling, wie: Gebruiker, huishouden: str, reden: str | None) -> dict[str, Any]:
    """Destroys the household's key generation and records the erasure in its casussen. The erasure
    is Veilig Thuis's, which keeps the dossier; the beheerder who carried it out is its actor."""
    with toegang():
        vereis(wie, "vergeten")
    reden = (reden or "").strip()
    if not reden:
        raise Geweigerd("erasing a household's personal data needs a recorded reason", regel=REGEL, veld="reden")
    return await asyncio.to_thread(_vergeet, s, wie, huishouden, reden)


def _vergeet(s: Samenstelling, wie: Gebruiker, huishouden: str, reden: str) -> dict[str, Any]:
    ondertekenaar = _ondertekenaar(s)  # before anything is destroyed: a key set but unreadable stops here
    actor = Actor(partij=VEILIG_THUIS, medewerker=wie.weergavenaam, issuer=wie.issuer, subject=wie.subject)
    try:
        vergeten = s.kluis().vergeet(huishouden, reden, actor.wie)
    except PermissionError as e:
        raise geweigerd_door_kluis(e) from None
    # After the key, so that a retry of an interrupted erasure finds the generation destroyed and
    # records the same erasure under the same key (eventstore/vergeten.py).
    try:
        vastgelegd = leg_vast(s.store, huishouden, vergeten.generatie, reden, actor, ondertekenaar=ondertekenaar)
    except PersistenceError as e:
        raise Onbereikbaar(
            f"household {huishouden}: key generation {vergeten.generatie} is destroyed, but the erasure could not be added"
            f" to its casussen ({e}); ask again: the same erasure is recorded once"
        ) from None
    return {
        "huishouden": huishouden, "vergeten": True, "had_persoonsgegevens": vergeten.had_sleutel, "reden": reden,
        "generatie": vergeten.generatie, "al_vergeten": not vergeten.nieuw, "opgeruimd": vergeten.opgeruimd,
        "casussen": vastgelegd.nieuw + vastgelegd.al, "nieuw_vastgelegd": vastgelegd.nieuw, "niet_vastgelegd": vastgelegd.mislukt,
    }  # fmt: skip


def _ondertekenaar(s: Samenstelling) -> Ondertekenaar | None:
    """The worker's key, when the trusted side holds it: the erasure it appends is then signed like
    every other event (unsigned, `casus verifieer` reports it)."""
    if s.settings.worker_sleutel is None:
        return None
    from eventstore.ondertekening import WorkerSleutelError, laad_ondertekenaar

    try:
        return laad_ondertekenaar(s.settings.worker_sleutel)
    except WorkerSleutelError as e:
        raise Geweigerd(f"{e}; nothing was forgotten", veld="CASUS_WORKER_SLEUTEL") from None
