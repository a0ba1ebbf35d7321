"""The caseworker's use cases: register a melding, take a step, read a casus's state and its dossier.

Who acts is the authenticated person (domain.toegang.Gebruiker), never a name in the request; their
personal texts are sealed here, on the trusted side, before anything reaches Temporal or the store."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from temporalio.service import RPCError

from domain.beslissen import decide
from domain.evolueren import herbouw
from domain.gebeurtenissen import Gebeurtenis, Melder, MeldingOntvangen
from domain.huishouden import een_open_casus
from domain.opdrachten import OPDRACHTEN, Melden, Verzoek
from domain.tijd import lokaal
from domain.toegang import Gebruiker, ToegangGeweigerd, vereis, vereis_als, vereis_betrokken, vereis_lezer_van_teksten
from domain.toestand import Casus
from domain.uitkomst import uitkomst
from domain.weigering import Weigering
from eventstore.kluis import VERGETEN
from eventstore.store import InvalidCasusIdError, canoniek
from projections import huishouden as radar
from runtime.policies import UnknownPolicyError, load_policy, load_rules
from service import inzagelog
from service.fouten import Conflict, Geweigerd, Onbekend, Verboden
from service.modellen import ActieInvoer, ActieUitkomst, Dossier, DossierTekst, MeldingInvoer, MeldingUitkomst
from service.samenstelling import Samenstelling, geweigerd_door_kluis
from service.sturen import (
    binnen_wachttijd,
    controleer_zelfde_melding,
    handle,
    melding_van,
    niet_open,
    start_workflow_van,
    vingerafdruk,
    voer_uit,
)
from service.verzegelen import heeft_persoonlijk, verzegel
from workflows.casus import CasusWorkflow

_VERZEGELD = re.compile(r"vz\d{1,5}:")
"""A sealed text (eventstore/kluis.py): `vz<generation>:` before the ciphertext."""

# A melding's key names its casus: the same key under the same policy is the same casus.
MELDING_SLEUTELS = uuid.UUID("6f1c7d1e-4b0a-5c55-9a43-2f6d3c1b8e20")


@contextmanager
def toegang() -> Iterator[None]:
    """Access checks, their refusal typed as `Verboden`."""
    try:
        yield
    except ToegangGeweigerd as t:
        raise Verboden.uit(t) from None


def veld_uit(e: ValidationError, voorvoegsel: str = "") -> Geweigerd:
    """The first field a model refuses, named by its path."""
    err = e.errors()[0]
    pad = ".".join(str(p) for p in err["loc"])
    return Geweigerd(err["msg"], veld=f"{voorvoegsel}{pad}" if pad else voorvoegsel.rstrip(".") or None)


def casus_id_uit(casus_id: str) -> str:
    """The casus id in its one form (eventstore.store.canoniek: lower case, dashed) of any spelling a
    caller sent, before it is used for anything (access log, workflow id, store read, filter);
    what is no casus id is refused, naming the field."""
    try:
        return canoniek(casus_id)
    except InvalidCasusIdError as e:
        raise Geweigerd(f"casus_id: {e}", veld="casus_id") from None


def casus_id_voor(beleid: str, sleutel: str | None) -> str:
    return str(uuid.uuid5(MELDING_SLEUTELS, f"{beleid}\n{sleutel}")) if sleutel else str(uuid.uuid4())


async def meld(
    s: Samenstelling, wie: Gebruiker, invoer: MeldingInvoer, sleutel: str | None = None, wachttijd: float | None = None
) -> MeldingUitkomst:
    """Starts a casus; a retry with the same key finds the casus its first try started."""
    with toegang():
        vereis(wie, "melden")
        vereis_als(wie, invoer.als)
    try:
        regelset = load_rules(invoer.beleid)
    except UnknownPolicyError as e:
        raise Geweigerd(str(e), veld="beleid") from None
    nu = datetime.now(UTC).replace(microsecond=0)
    casus_id = casus_id_voor(invoer.beleid, sleutel)
    try:
        melden = Melden(
            casus_id=casus_id, gemeente=invoer.gemeente, huishouden=invoer.huishouden, acuut=invoer.acuut,
            melder=Melder(soort=invoer.melder_soort, anoniem=invoer.melder_anoniem), ontvangen=invoer.ontvangen or nu,
            inhoud=invoer.inhoud, actor=wie.als_actor(), aparte_casus=invoer.aparte_casus,
        )  # fmt: skip
    except ValidationError as e:
        raise veld_uit(e) from None
    try:
        decide(None, melden, regelset, nu)  # refused before anything is started
        if regelset.beleid.regels.een_open_casus is not None:  # IJM-3.7c, from the household read model
            views = s.views
            open_casussen = await asyncio.to_thread(s.lees, lambda: radar.open_casussen(views, melden.huishouden), "read the household")
            een_open_casus(melden, open_casussen, regelset)
    except Weigering as w:
        raise Geweigerd.uit(w) from None
    if heeft_persoonlijk(melden):
        melden = await asyncio.to_thread(_verzegeld, s, melden, melden.huishouden)
    client = await s.temporal()
    # Starting the workflow needs no worker and is not cut short by the caller's wait: once it
    # returns, the melding is accepted (and recorded when a worker runs), and only then is that said.
    h, nieuw = await binnen_wachttijd(
        s.settings,
        start_workflow_van(client, s.settings, melden, regelset),
        geen_antwoord=f"it may have reached Temporal: send it again with the same key, which finds casus {casus_id} if it did",
    )

    async def gemeld() -> Casus:
        try:
            return await melding_van(h, nieuw, melden)
        except Weigering as w:  # refused by the workflow itself: its rule and field, as any refusal
            raise Geweigerd.uit(w) from None

    casus = await binnen_wachttijd(
        s.settings,
        gemeld(),
        geen_antwoord=(
            f"the melding is accepted as casus {casus_id} and is recorded once a worker runs; do not register it again "
            f"(`casus status {casus_id}` shows it)"
        ),
        wachttijd=wachttijd,
    )
    controleer_zelfde_melding(casus, melden, ontvangen_gegeven=invoer.ontvangen is not None)
    if sleutel is not None:
        await asyncio.to_thread(_zelfde_teksten, s, casus_id, invoer)
    return MeldingUitkomst(casus_id=casus_id, uitkomst=uitkomst(casus))


def _zelfde_teksten(s: Samenstelling, casus_id: str, invoer: MeldingInvoer) -> None:
    """A key retries one melding: a melding under a found key with another text is refused (409),
    never answered with the first casus while its own text is recorded nowhere."""
    gebeurtenissen = s.lees(lambda: s.store.read(casus_id), "read the casus")
    eerste = gebeurtenissen[0] if gebeurtenissen else None
    if not isinstance(eerste, MeldingOntvangen):
        return
    kluis = s.kluis()
    for veld, nieuw in (("inhoud", invoer.inhoud), ("aparte_casus", invoer.aparte_casus)):
        opgeslagen = getattr(eerste, veld)
        try:
            oud = kluis.ontzegel(eerste.huishouden, opgeslagen) if opgeslagen else opgeslagen
        except PermissionError as e:
            raise geweigerd_door_kluis(e) from None
        if (oud or None) != (nieuw or None) and oud != VERGETEN:
            raise Conflict(
                f"this key belongs to casus {casus_id}, a melding with another {veld}; a key retries one melding: "
                "give this melding a key of its own",
                veld="sleutel",
            )


async def _huishouden_van(s: Samenstelling, h: Any, casus_id: str) -> str:
    """The casus's household, which never changes: asked of the workflow once per casus and process."""
    if (bekend := s.huishoudens.get(casus_id)) is not None:
        return bekend
    try:
        casus: Casus | None = await h.query(CasusWorkflow.toestand)
    except RPCError:
        if (dicht := await niet_open(h, lambda: s.store)) is not None:
            raise Geweigerd.uit(dicht) from None
        raise
    if casus is None:
        raise Geweigerd("the casus is still being registered; try again", veld="casus_id")
    if len(s.huishoudens) >= 100_000:
        s.huishoudens.clear()  # a bound, not a cache policy: the next action per casus asks again
    s.huishoudens[casus_id] = casus.huishouden
    return casus.huishouden


def _verzegeld(s: Samenstelling, model: Any, huishouden: str) -> Any:
    try:
        return verzegel(model, huishouden, s.kluis())
    except PermissionError as e:
        raise geweigerd_door_kluis(e) from None


def verzoek_uit(wie: Gebruiker, actie: str, invoer: ActieInvoer) -> Verzoek:
    """The domain's command for an action, its actor the authenticated person."""
    soort = OPDRACHTEN.get(actie)
    if soort is None:
        raise Onbekend(f"unknown action {actie!r}; accepted: {', '.join(sorted(OPDRACHTEN))}", veld="actie")
    try:
        opdracht = soort.model_validate({**invoer.velden, "actie": actie})
    except ValidationError as e:
        raise veld_uit(e) from None
    try:
        return Verzoek.model_validate({"opdracht": opdracht, "actor": wie.als_actor(), "op": invoer.op})
    except ValidationError as e:
        raise veld_uit(e) from None


async def handel(
    s: Samenstelling, wie: Gebruiker, casus_id: str, actie: str, invoer: ActieInvoer, sleutel: str | None = None,
    wachttijd: float | None = None,
) -> ActieUitkomst:  # fmt: skip
    """One step of a casus. The decider refuses what the agreements do not allow; before it, a
    caseworker reaches only a casus their party is involved in."""
    with toegang():
        vereis(wie, "handelen")
        vereis_als(wie, invoer.als)
    verzoek = verzoek_uit(wie, actie, invoer)
    sleutel = sleutel or str(uuid.uuid4())
    client = await s.temporal()
    h = handle(client, casus_id)

    afdruk = vingerafdruk(verzoek, await asyncio.to_thread(s.vingerafdruk_geheim))

    async def stuur() -> ActieUitkomst:
        v = verzoek
        if heeft_persoonlijk(v.opdracht):
            huishouden = await _huishouden_van(s, h, casus_id)
            v = v.model_copy(update={"opdracht": await asyncio.to_thread(_verzegeld, s, v.opdracht, huishouden)})
        try:
            resultaat = await voer_uit(h, v, sleutel, lambda: s.store, afdruk)
        except Weigering as w:
            # Refused for who acts (a team the casus was never offered to, a party that may not take
            # this step): the person may not do this (403); otherwise the step itself is refused.
            raise (Verboden if w.veld == "als" else Geweigerd).uit_weigering(w) from None
        return ActieUitkomst(versie=resultaat.versie, gebeurtenissen=list(resultaat.gebeurtenissen), uitkomst=uitkomst(resultaat.casus))

    return await binnen_wachttijd(
        s.settings,
        stuur(),
        geen_antwoord=(
            f"the action may still be recorded once a worker runs: check `casus status {casus_id}`, or repeat the "
            f"request with the same key ({sleutel}), which records it once whether or not this try was"
        ),
        wachttijd=wachttijd,
    )


async def casus_van(s: Samenstelling, casus_id: str, wachttijd: float | None = None) -> Casus:
    """The casus as its workflow holds it now."""
    client = await s.temporal()
    casus: Casus | None = await binnen_wachttijd(s.settings, handle(client, casus_id).query(CasusWorkflow.toestand), wachttijd=wachttijd)
    if casus is None:
        raise Geweigerd("the casus is still being registered; try again", veld="casus_id")
    return casus


async def toestand(s: Samenstelling, wie: Gebruiker, casus_id: str, wachttijd: float | None = None) -> dict[str, Any]:
    """The casus's outcome (CONTRACT.md) as the workflow holds it now; it holds no personal text."""
    with toegang():
        vereis(wie, "toestand")
    casus = await casus_van(s, casus_id, wachttijd)
    with toegang():
        vereis_betrokken(wie, "toestand", casus)
    return uitkomst(casus)


async def dossier(s: Samenstelling, wie: Gebruiker, casus_id: str, reden: str | None) -> Dossier:
    """Every sealed text of a casus, opened: for a party that holds or held the casus and for
    auditors, each read recorded in the access log before anything is shown."""
    with toegang():
        vereis(wie, "dossier", reden)
    return await asyncio.to_thread(_dossier, s, wie, casus_id_uit(casus_id), (reden or "").strip())


def uit_de_store(s: Samenstelling, casus_id: str) -> tuple[list[Gebeurtenis], Casus]:
    """The casus's stream and the casus it folds to, from the record (not the workflow's memory)."""
    gebeurtenissen = s.lees(lambda: s.store.read(casus_id), "read the casus")
    casus = herbouw(gebeurtenissen)
    if casus is None:
        raise onbekend(casus_id)
    return gebeurtenissen, casus


def onbekend(casus_id: str) -> Onbekend:
    return Onbekend(f"unknown casus {casus_id}: the event store holds nothing for it", veld="casus_id")


def _dossier(s: Samenstelling, wie: Gebruiker, casus_id: str, reden: str) -> Dossier:
    gebeurtenissen, casus = uit_de_store(s, casus_id)
    with toegang():
        vereis_betrokken(wie, "dossier", casus)
        vereis_lezer_van_teksten(wie, casus, load_policy(casus.beleid).formulier_direct_moment)
    inzagelog.leg_vast(s, wie, "dossier", reden, casus_id=casus_id, huishouden=casus.huishouden)
    kluis = s.kluis()
    teksten: list[DossierTekst] = []
    for versie, e in enumerate(gebeurtenissen, start=1):
        for veld, waarde in _teksten(e):
            try:
                tekst = kluis.ontzegel(casus.huishouden, waarde)
            except PermissionError as fout:
                raise geweigerd_door_kluis(fout) from None
            teksten.append(
                DossierTekst(
                    versie=versie,
                    gebeurtenis=e.type,
                    op=lokaal(e.op),
                    vastgelegd=lokaal(e.vastgelegd),
                    actor=e.actor.wie,
                    veld=veld,
                    tekst=tekst,
                )
            )
    return Dossier(casus_id=casus_id, huishouden=casus.huishouden, teksten=teksten)


def _teksten(e: Any) -> list[tuple[str, str]]:
    """The sealed texts of an event: in any field, in lists and in the fields a registration keeps
    by name (`Geregistreerd.velden`), named by their path."""
    uit: list[tuple[str, str]] = []

    def loop(pad: str, waarde: Any) -> None:
        if isinstance(waarde, str) and _VERZEGELD.match(waarde):
            uit.append((pad, waarde))
        elif isinstance(waarde, tuple | list):
            for w in waarde:
                loop(pad, w)
        elif isinstance(waarde, dict):
            for k, w in waarde.items():
                loop(f"{pad}.{k}", w)

    for veld in type(e).model_fields:
        loop(veld, getattr(e, veld))
    return uit
