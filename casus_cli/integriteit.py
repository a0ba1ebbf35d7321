"""`casus verifieer` and `casus audit ID --verify`: the hash chain of casus streams, checked
against the stored bytes and against the versions the read model has seen; each event's worker
signature (eventstore/ondertekening.py); the responsibility timeline the audit shows, against the
one recomputed from the stream (casus_cli/tijdlijncontrole.py); and the events the projection
runner set aside as poison (or held back behind one): each one an afwijking."""

from __future__ import annotations

from functools import partial
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from casus_cli.controlepunten import LOG, tegen_controlepunten
from casus_cli.fouten import RefusedError
from casus_cli.tijdlijncontrole import positie, vergelijk_tijdlijn
from casus_cli.uitvoer import tabel, toon_json
from eventstore.keten import Afwijking
from eventstore.ondertekening import Logoverzicht, WorkerSleutelError, overzicht, vertrouwde_sleutels
from eventstore.opnieuw import opnieuw
from eventstore.store import EventStore, stream_id
from eventstore.views import ViewStore
from projections.quarantaine import ACHTERGEHOUDEN, Verdacht, in_quarantaine
from runtime.settings import Settings
from service.samenstelling import Samenstelling


def verifieer_stream(store: EventStore, views: ViewStore, casus_id: str, log: Logoverzicht | None = None) -> list[Afwijking]:
    afwijkingen = store.verify(casus_id)
    if log is not None:
        afwijkingen += vergelijk_tijdlijn(store, views, casus_id, log.gezien.get(casus_id, 0))
    gezien = views.query("SELECT versie FROM caseload WHERE casus_id = %s", (casus_id,)) if _heeft_caseload(views) else []
    versie = store.version(casus_id)
    if gezien and gezien[0]["versie"] > versie:
        # The chain cannot show a removed last event by itself; the read model saw it.
        afwijkingen.append(
            Afwijking(versie + 1, "ontbreekt", f"the read model saw version {gezien[0]['versie']}, the stream ends at {versie}")
        )
    return afwijkingen + [_afwijking(v) for v in in_quarantaine(views, casus_id)]


def _afwijking(v: Verdacht) -> Afwijking:
    wat = "held back by the read models" if v.soort == ACHTERGEHOUDEN else "set aside by the read models"
    return Afwijking(v.versie or 0, f"quarantaine:{v.soort}", f"event {v.positie} {wat}: {v.reden}")


def _heeft_caseload(views: ViewStore) -> bool:
    try:
        views.query("SELECT 1 FROM caseload WHERE 1 = 0")
    except Exception:
        return False
    return True


def rapporteer(resultaten: dict[str, list[Afwijking]], als_json: bool) -> None:
    fout = {cid: a for cid, a in resultaten.items() if a}
    rijen: list[dict[str, Any]] = [
        {"casus_id": c, "versie": x.versie, "soort": x.soort, "melding": x.melding} for c, a in fout.items() for x in a
    ]
    apart = sum(r["soort"].startswith("quarantaine:") for r in rijen)
    weigering = RefusedError(f"the record of {len(fout)} casus(sen) is broken: {', '.join(fout)}", regel="integriteit") if fout else None
    if als_json:
        document = {"geverifieerd": len(resultaten), "intact": len(resultaten) - len(fout), "quarantaine": apart, "afwijkingen": rijen}
        if weigering is not None:
            # One document on stdout: the refusal goes into it, not after it.
            document |= weigering.als_json()
            weigering.json_getoond = True
        toon_json(document)
    else:
        click.echo(f"{len(resultaten)} casussen geverifieerd, {len(resultaten) - len(fout)} intact, {apart} gebeurtenissen in quarantaine")
        if rijen:
            click.echo(tabel(rijen, ["casus_id", "versie", "soort", "melding"]))
    if weigering is not None:
        raise weigering


def verifieer(casus_ids: list[str], alle: bool, als_json: bool) -> None:
    for casus_id in casus_ids:
        stream_id(casus_id)
    settings = Settings()
    samenstelling = Samenstelling(settings)
    store, views = samenstelling.opslag()
    try:
        ids = opnieuw(store.stream_ids, wat="list the casussen") if alle else casus_ids
        onbekend = [c for c in ids if opnieuw(partial(store.version, c), wat="read a casus's version") == 0]
        if onbekend:
            raise RefusedError(f"unknown casus {', '.join(onbekend)}: the event store holds nothing for it", veld="CASUS_ID")
        vertrouwd, sleutelfout = _vertrouwd(settings)
        # The tracked position before the pass: rows the read model gains meanwhile are not compared.
        tot = opnieuw(partial(positie, views), wat="read the read model's position")
        log = opnieuw(partial(overzicht, store, vertrouwd, None if alle else ids, tot), wat="read the log")
        resultaten = {c: opnieuw(partial(verifieer_stream, store, views, c, log), wat="verify a casus") for c in ids}
        ondertekend = ondertekeningen(log, sleutelfout)
        if alle:
            # A row whose stream id is no casus id belongs to no stream, but was set aside all the same.
            streams = set(resultaten)
            for v in in_quarantaine(views):
                if v.casus_id not in streams:
                    resultaten.setdefault(v.casus_id, []).append(_afwijking(v))
        # A stream rewritten with recomputed hashes passes its own chain: the signed heads catch it.
        gevonden, getekend = tegen_controlepunten(store, settings)
        for casus_id, afwijkingen in gevonden.items():
            if alle or casus_id in resultaten or casus_id == LOG:
                resultaten.setdefault(casus_id, []).extend(afwijkingen)
        for casus_id, afwijkingen in ondertekend[0].items():
            if casus_id in resultaten or casus_id == WORKER:
                resultaten.setdefault(casus_id, []).extend(afwijkingen)
    finally:
        samenstelling.sluit()
    if not als_json:
        click.echo(getekend)
        click.echo(ondertekend[1])
    rapporteer(resultaten, als_json)


WORKER = "workersleutels"
"""Where a finding about the trusted worker keys themselves is listed (it belongs to no casus)."""


def _vertrouwd(settings: Settings) -> tuple[dict[str, Ed25519PublicKey] | None, str | None]:
    try:
        return vertrouwde_sleutels(settings.worker_publieke_sleutels, settings.worker_sleutel), None
    except WorkerSleutelError as e:
        return None, str(e)


def ondertekeningen(log: Logoverzicht, sleutelfout: str | None) -> tuple[dict[str, list[Afwijking]], str]:
    """Each event's worker signature, per casus, and a line on what was checked."""
    gevonden, vertrouwd = dict(log.afwijkingen), log.vertrouwd
    if sleutelfout is not None:
        gevonden[WORKER] = [Afwijking(0, "ondertekening:sleutels", sleutelfout)]
        return gevonden, "the trusted worker keys could not be read: only the presence of signatures was checked"
    begin = f"signed from position {log.eerste_ondertekend} on" if log.eerste_ondertekend else "no signed event in the log"
    if vertrouwd is None:
        return gevonden, f"worker signatures: {begin}; no trusted worker key (CASUS_WORKER_PUBLIEKE_SLEUTELS), so none was checked"
    return gevonden, f"worker signatures: {begin}; checked against {len(vertrouwd)} trusted worker key(s)"


@click.command("verifieer")
@click.argument("casus_ids", nargs=-1)
@click.option("--alle", is_flag=True, help="every casus stream in the event store")
@click.option("--json", "als_json", is_flag=True)
def verifieer_commando(casus_ids: tuple[str, ...], alle: bool, als_json: bool) -> None:
    """Verifies the hash chain of casus streams (every one with --alle)."""
    if not casus_ids and not alle:
        raise click.UsageError("name one or more casus ids, or --alle")
    verifieer(list(casus_ids), alle, als_json)
