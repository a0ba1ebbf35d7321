"""`casus projecties herbouw` (from zero beside the live read models, then a switch) and
`casus projecties draai` (the runner as a process of its own, as production runs it)."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time

import click
import structlog

from casus_cli.fouten import CliError, RefusedError, UnreachableError
from projections.alle import namen
from projections.enkel import enige_runner
from projections.herbouw import Herbouw, HerbouwBezigError, HerbouwMisluktError
from projections.runner import ProjectionRunner
from runtime import logging as casus_logging
from runtime.settings import Settings
from runtime.signals import run_until_signal
from runtime.temporal import install_runtime
from service.fouten import Onbereikbaar
from service.samenstelling import Samenstelling

log = structlog.get_logger()


@click.group("projecties")
def projecties() -> None:
    """The read models."""


def _runner(gekozen: tuple[str, ...]) -> tuple[ProjectionRunner, Samenstelling]:
    """The runner over the read models chosen, from the composition root; the caller closes it (`sluit`)."""
    onbekend = sorted(set(gekozen) - set(namen()))
    if onbekend:
        raise click.BadParameter(f"unknown projection {', '.join(onbekend)}; accepted: {', '.join(namen())}", param_hint="--naam")
    s = Samenstelling(Settings())
    try:
        return s.projectie_runner(gekozen), s
    except Onbereikbaar as e:
        s.sluit()
        raise UnreachableError(e.melding, regel=e.regel, veld=e.veld) from None
    except BaseException:
        s.sluit()
        raise


@projecties.command("herbouw")
@click.option("--naam", "gekozen", multiple=True, help=f"one of {', '.join(namen())} (default: all)")
@click.option("--json", "als_json", is_flag=True, help="the outcome as one JSON document")
def herbouw(gekozen: tuple[str, ...], als_json: bool) -> None:
    """Rebuilds read models from the first event beside the live ones, then switches; the running
    projection runner follows on from there. Progress goes to stderr (a bar on a terminal, JSON lines
    otherwise); stdout holds only the outcome."""
    runner, s = _runner(gekozen)
    start = time.monotonic()
    try:
        herbouwer = Herbouw(runner.store, runner.views, runner.projections, batch=max(runner.batch, 5000))
        if sys.stderr.isatty():
            with click.progressbar(length=max(runner.store.head(), 1), label="herbouw", show_pos=True, file=sys.stderr) as balk:
                uitkomst = herbouwer.run(lambda positie, _tot: balk.update(positie - balk.pos))
        else:
            uitkomst = herbouwer.run(lambda positie, tot: click.echo(json.dumps({"positie": positie, "totaal": tot}), err=True))
    except HerbouwBezigError as e:
        raise RefusedError(str(e), regel="herbouw-bezig") from None
    except HerbouwMisluktError as e:
        raise CliError(f"{e}; the live read models are as they were") from None
    finally:
        s.sluit()
    seconden = round(time.monotonic() - start, 3)
    klaar = {
        "klaar": True, "projecties": [p.name for p in runner.projections], "gebeurtenissen": uitkomst.positie,
        "positie": uitkomst.positie, "tabellen": list(uitkomst.tabellen), "rijen": uitkomst.rijen, "seconden": seconden,
    }  # fmt: skip
    tekst = f"{uitkomst.positie} gebeurtenissen in {seconden} s; {len(uitkomst.tabellen)} tabellen gewisseld"
    click.echo(json.dumps(klaar) if als_json else f"{tekst}, de runner volgt vanaf {uitkomst.positie}")


@projecties.command("draai")
def draai() -> None:
    """Follows the log into every read model until SIGINT or SIGTERM."""
    runner_settings = Settings()
    casus_logging.configure(runner_settings.log_format)
    # Before the runner exists: its gauges (projection lag, open casussen, ...) are served for Prometheus.
    try:
        install_runtime(runner_settings.metrics_address)
    except Exception as e:  # a taken port: the runner follows the log all the same
        log.warning("metrics not served", adres=runner_settings.metrics_address, fout=str(e))
    runner, s = _runner(())
    settings = s.settings

    def wacht(houder: str | None) -> None:
        log.warning("the projection runner waits for the session that holds its lock (another runner, or an intruder:"
                    " end it if it is not a runner)", houder=houder)  # fmt: skip

    def volg(stop: threading.Event) -> None:
        with enige_runner(settings, stop, wacht) as check:
            if check is None:
                return
            log.info("projection runner started", projecties=namen(), eventstore=settings.eventstore_description)
            try:
                runner.run(stop, settings.projection_poll_seconds, check)
            except Exception:
                # Transient database errors are waited out inside run(); this is a read model that
                # cannot apply an event (or a lost lock): stop, position unmoved, for the supervisor.
                log.exception("projection runner stopped on an error")
                raise

    async def hoofd(stop_signaal: asyncio.Event) -> None:
        stop = threading.Event()
        taak = asyncio.create_task(asyncio.to_thread(volg, stop))
        signaal = asyncio.create_task(stop_signaal.wait())
        await asyncio.wait({taak, signaal}, return_when=asyncio.FIRST_COMPLETED)
        stop.set()
        await taak  # a projection that fails stops the runner and exits non-zero, its position unmoved
        log.info("projection runner stopped", positie={p.name: runner.views.position(p.name) for p in runner.projections})

    try:
        run_until_signal(hoofd)
    finally:
        s.sluit()
