"""`casus status` (the workflow's view) and `casus audit` (the event store's record)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import click
import psycopg
from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import PersistenceError
from temporalio.client import Client

from casus_cli.acties import handle, met_temporal
from casus_cli.audit_html import pagina
from casus_cli.fouten import RefusedError, UnreachableError
from casus_cli.tijden import MOMENT
from casus_cli.uitvoer import tabel, toon_json, toon_uitkomst
from domain.evolueren import herbouw
from domain.tijd import lokaal
from domain.uitkomst import uitkomst
from eventstore.kluis import Kluis, meester_sleutel
from eventstore.opnieuw import opnieuw
from eventstore.store import EventStore, stream_id
from projections.alle import alle
from projections.verantwoordelijkheid import NAME, Interval, houder_op, tijdlijn
from projections.views import ViewStore, open_views
from runtime.settings import Settings
from workflows.casus import CasusWorkflow


@click.command("status")
@click.argument("casus_id")
@click.option("--json", "als_json", is_flag=True)
def status(casus_id: str, als_json: bool) -> None:
    """The casus as the workflow holds it now."""

    async def vraag(client: Client) -> Any:
        return await handle(client, casus_id).query(CasusWorkflow.toestand)

    casus = asyncio.run(met_temporal(Settings(), vraag))
    if casus is None:
        raise RefusedError("the casus is still being registered; try again", veld="CASUS_ID")
    u = uitkomst(casus)
    toon_json(u) if als_json else toon_uitkomst(u)


def open_kluis(views: ViewStore, settings: Settings) -> Kluis:
    return Kluis(views, meester_sleutel(settings))


def _open(settings: Settings) -> tuple[EventStore, ViewStore]:
    store = EventStore.open(settings)
    try:
        return store, open_views(store.infrastructure)
    except BaseException:
        store.close()
        raise


def open_store(settings: Settings) -> tuple[EventStore, ViewStore]:
    """The event store and the read models; a busy or briefly unreachable database is tried again."""
    try:
        return opnieuw(lambda: _open(settings), wat="open the event store")
    except (PersistenceError, StoreOperationalError, OSError, sqlite3.Error, psycopg.Error) as e:
        # Also a SQLite file another process keeps locked past every retry: said, never a traceback.
        raise UnreachableError(
            f"the event store ({settings.eventstore_description}) cannot be opened: {e}; "
            "check CASUS_EVENTSTORE and its settings, or start PostgreSQL"
        ) from None


def wacht_op_projecties(store: EventStore, views: ViewStore, namen: Sequence[str], seconden: float) -> None:
    """The read commands answer from projections: wait until they hold every stored event."""
    einde = time.monotonic() + seconden
    head = opnieuw(store.head, wat="read the log's head")
    while (positie := opnieuw(lambda: min(views.position(n) for n in namen), wat="read the positions")) < head:
        if time.monotonic() >= einde:
            raise UnreachableError(
                f"the projections {', '.join(namen)} are at event {positie} of {head}; "
                "is the projection runner running (`make dev` / `casus dev` / `casus projecties draai`)?"
            )
        time.sleep(0.1)


@contextmanager
def projecties(namen: Sequence[str], wacht: float) -> Iterator[tuple[EventStore, ViewStore]]:
    store, views = open_store(Settings())
    try:
        for p in alle():
            if p.name in namen:
                opnieuw(partial(views.create, p.ddl), wat=f"create {p.name}")
        wacht_op_projecties(store, views, namen, wacht)
        yield store, views
    except PersistenceError as e:
        raise UnreachableError(f"the event store cannot be read: {e}") from None
    finally:
        store.close()


def _schrijf_html(bestand: Path, store: EventStore, casus_id: str, intervallen: list[Interval], volgens: datetime | None) -> None:
    gebeurtenissen = [e for e in opnieuw(partial(store.read, casus_id), wat="read the casus") if volgens is None or e.vastgelegd <= volgens]
    casus = herbouw(gebeurtenissen)
    assert casus is not None
    bestand.write_text(pagina(casus, intervallen, gebeurtenissen, volgens or datetime.now(UTC)), encoding="utf-8")


def _interval_json(i: Interval) -> dict[str, Any]:
    return {
        "partij": i.partij, "van": lokaal(i.van), "tot": lokaal(i.tot) if i.tot else None,
        "grond": i.grond, "actor": i.actor, "vastgelegd": lokaal(i.vastgelegd),
    }  # fmt: skip


@click.command("audit")
@click.argument("casus_id")
@click.option("--op", "moment", type=MOMENT, default=None, help="who held the responsibility at this moment")
@click.option("--volgens", type=MOMENT, default=None, help="as the record stood at this moment")
@click.option("--wacht", type=float, default=10.0, show_default=True, help="seconds to wait for the projection")
@click.option("--html", "html_bestand", type=click.Path(dir_okay=False, path_type=Path), default=None, help="write an HTML page")
@click.option("--verify", is_flag=True, help="verify the casus's hash chain instead")
@click.option("--bundel", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write an audit bundle an outsider checks with `python -m casus_verify FILE`")  # fmt: skip
@click.option("--json", "als_json", is_flag=True)
def audit(
    casus_id: str, moment: datetime | None, volgens: datetime | None, wacht: float, html_bestand: Path | None, verify: bool,
    bundel: Path | None, als_json: bool,
) -> None:  # fmt: skip
    """The responsibility timeline from the event store (projection `verantwoordelijkheid`)."""
    stream_id(casus_id)
    if bundel is not None:
        from casus_cli.controlepunten import schrijf_audit_bundel

        schrijf_audit_bundel(casus_id, bundel, als_json)
        return
    if verify:
        from casus_cli.integriteit import verifieer

        verifieer([casus_id], alle=False, als_json=als_json)
        return
    with projecties([NAME], wacht) as (store, views):
        if opnieuw(partial(store.version, casus_id), wat="read the casus's version") == 0:
            raise RefusedError(f"unknown casus {casus_id}: the event store holds nothing for it", veld="CASUS_ID")
        intervallen = opnieuw(partial(tijdlijn, views, casus_id, volgens), wat="read the timeline")
        if html_bestand is not None:
            _schrijf_html(html_bestand, store, casus_id, intervallen, volgens)
    resultaat: dict[str, Any] = {
        "casus_id": casus_id,
        "volgens": lokaal(volgens) if volgens else None,
        "verantwoordelijkheid": [_interval_json(i) for i in intervallen],
    }
    if moment is not None:
        houder = houder_op(intervallen, moment)
        resultaat["op"] = lokaal(moment)
        resultaat["houder"] = _interval_json(houder) if houder else None
    if html_bestand is not None:
        resultaat["html"] = str(html_bestand)
    if als_json:
        toon_json(resultaat)
        return
    if html_bestand is not None:
        click.echo(f"audit page: {html_bestand}")
    if moment is not None:
        h = resultaat["houder"]
        click.echo(
            f"op {resultaat['op']}: "
            + (f"{h['partij']} (sinds {h['van']}, grond {h['grond']})" if h else "niemand (casus nog niet begonnen of afgesloten)")
        )
    click.echo(tabel(resultaat["verantwoordelijkheid"], ["partij", "van", "tot", "grond", "actor", "vastgelegd"]))
