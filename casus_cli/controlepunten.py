"""`casus controlepunt`: the signed checkpoints that anchor the event store outside the database
(eventstore/controlepunt.py). `sleutel` makes the signing key once; `maak` signs what is new (the
projection runner of `casus dev` does it every minute); `controleer` checks every stream against the
latest signed head. And what `casus verifieer` adds from them."""

from __future__ import annotations

import threading
from pathlib import Path

import click
import structlog

from casus_cli.fouten import RefusedError
from casus_cli.uitvoer import toon_json
from eventstore.bundel import BundelError, schrijf_bundel
from eventstore.controlepunt import (
    ControlepuntGeweigerdError,
    ControlepuntSettings,
    SleutelError,
    controleer_streams,
    maak_controlepunt,
    maak_sleutel,
)
from eventstore.controlepuntlog import ControlepuntLog, vingerafdruk
from eventstore.keten import Afwijking
from eventstore.ondertekening import vertrouwde_sleutels
from eventstore.store import EventStore
from runtime.settings import Settings
from service.samenstelling import Samenstelling

log = structlog.get_logger()

LOG = "controlepuntlog"
"""Where findings about the checkpoint log itself are listed (they belong to no casus)."""


def instellingen_voor(settings: Settings) -> ControlepuntSettings:
    """The checkpoint settings; without CASUS_CONTROLEPUNT_MAP the log lives in the state dir, so
    each embedded installation has its own (production points it at a WORM bucket's mount)."""
    instellingen = ControlepuntSettings()
    if "map" in instellingen.model_fields_set:
        return instellingen
    return instellingen.model_copy(update={"map": settings.state_dir / "controlepunten"})


def volg_controlepunten(store: EventStore, settings: Settings, stop: threading.Event, interval_s: float = 60.0) -> None:
    """`casus dev`'s checkpointer: makes its signing key once, then signs what is new every interval.
    A refusal (the signed history changed) is logged as an error and tried again next time."""
    instellingen = instellingen_voor(settings)
    if not instellingen.sleutel.exists():
        maak_sleutel(instellingen.sleutel)
    while not stop.wait(interval_s):
        try:
            getekend = teken_nieuw(store, instellingen)
        except (ControlepuntGeweigerdError, SleutelError):
            log.exception("no checkpoint signed")
            continue
        except Exception:
            log.exception("the checkpointer failed; trying again next interval")
            continue
        if getekend:
            log.info("checkpoint signed", gebeurtenissen=getekend)


def teken_nieuw(store: EventStore, instellingen: ControlepuntSettings, volledig: bool = False) -> int:
    """Signs checkpoints until every stored event is under one; the number of events signed."""
    getekend = 0
    while (uitkomst := maak_controlepunt(store, instellingen, volledig=volledig)).nieuw:
        getekend += uitkomst.nieuw
    return getekend


def tegen_controlepunten(store: EventStore, settings: Settings) -> tuple[dict[str, list[Afwijking]], str]:
    """Findings per casus from checking every stream against the latest signed head, and a line on
    what was checked. No checkpoint log yet: nothing, and that is said."""
    instellingen = instellingen_voor(settings)
    if ControlepuntLog(instellingen.map).laatste() is None:
        return {}, f"no signed checkpoint in {instellingen.map}: streams checked by their hash chain only"
    try:
        verslag = controleer_streams(store, instellingen)
    except SleutelError as e:
        return {LOG: [Afwijking(0, "controlepunt:sleutel", str(e))]}, "the signed checkpoints could not be checked"
    gevonden: dict[str, list[Afwijking]] = {}
    for b in verslag.bevindingen:
        afwijking = Afwijking(b.versie, f"controlepunt:{b.soort}", f"position {b.positie}: {b.melding}")
        gevonden.setdefault(b.casus_id or LOG, []).append(afwijking)
    kop = verslag.kop
    return gevonden, f"checked against the signed head of {kop.grootte} events ({kop.tijd})" if kop else "no signed head"


@click.group("controlepunt")
def controlepunt() -> None:
    """Signed checkpoints of the event store, kept outside the database."""


@controlepunt.command("sleutel")
def sleutel() -> None:
    """Makes the checkpoint signing key (CASUS_CONTROLEPUNT_SLEUTEL), once; prints its fingerprint."""
    instellingen = instellingen_voor(Settings())
    if instellingen.sleutel.exists():
        raise RefusedError(f"{instellingen.sleutel} exists already; a signing key is never replaced here", veld="sleutel")
    click.echo(f"{instellingen.sleutel}: {vingerafdruk(maak_sleutel(instellingen.sleutel))}")


@controlepunt.command("maak")
@click.option("--volledig", is_flag=True, help="check every stream against the last head before signing")
@click.option("--json", "als_json", is_flag=True)
def maak(volledig: bool, als_json: bool) -> None:
    """Signs a checkpoint over every event not yet under one."""
    settings = Settings()
    samenstelling = Samenstelling(settings)
    store = samenstelling.store
    try:
        getekend = teken_nieuw(store, instellingen_voor(settings), volledig)
    except ControlepuntGeweigerdError as e:
        raise RefusedError(str(e), regel="integriteit") from None
    except SleutelError as e:
        raise RefusedError(str(e), veld="CASUS_CONTROLEPUNT_SLEUTEL") from None
    finally:
        samenstelling.sluit()
    toon_json({"getekend": getekend}) if als_json else click.echo(f"{getekend} gebeurtenissen getekend")


def schrijf_audit_bundel(casus_id: str, pad: Path, als_json: bool) -> None:
    """`casus audit ID --bundel FILE`: the casus's signed events with their inclusion proofs."""
    settings = Settings()
    samenstelling = Samenstelling(settings)
    store = samenstelling.store
    try:
        werkers = vertrouwde_sleutels(settings.worker_publieke_sleutels, settings.worker_sleutel)
        verslag = schrijf_bundel(store, instellingen_voor(settings), casus_id, pad, werkers=werkers)
    except (BundelError, SleutelError) as e:
        raise RefusedError(str(e), regel="integriteit") from None
    finally:
        samenstelling.sluit()
    uitkomst = {"bundel": str(pad), "gebeurtenissen": verslag.gebeurtenissen, "niet_gedekt": verslag.niet_gedekt}
    if als_json:
        toon_json(uitkomst)
        return
    click.echo(f"{pad}: {verslag.gebeurtenissen} gebeurtenissen; check it with `python -m casus_verify {pad}`")
    if verslag.niet_gedekt:
        click.echo(f"{verslag.niet_gedekt} later gebeurtenissen are under no checkpoint yet (`casus controlepunt maak`)")
