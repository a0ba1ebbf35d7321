"""Operators' and auditors' commands on the read models: lijst, huishouden, termijnen, rapport."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import click
from eventsourcing.persistence import PersistenceError

from casus_cli.fouten import RefusedError, UnreachableError
from casus_cli.inzage import open_kluis, open_store, projecties
from casus_cli.uitvoer import tabel, toon_json
from domain.partijen import VEILIG_THUIS, Actor
from eventstore.keten import Ondertekenaar
from eventstore.vergeten import leg_vast
from projections import caseload, lezen
from projections import huishouden as radar
from projections import rapport as compliance
from projections import termijnen as deadlines
from runtime.settings import Settings

WACHT = click.option("--wacht", type=float, default=10.0, show_default=True, help="seconds to wait for the projections")
JSON = click.option("--json", "als_json", is_flag=True)


@click.command("lijst")
@click.option("--partij", default=None, help="the party holding the responsibility, e.g. lokaal-team:socius-md")
@click.option("--beleid", default=None)
@click.option("--gemeente", default=None)
@click.option("--fase", default=None)
@click.option("--termijn-verstreken", is_flag=True, help="only casussen with a lapsed deadline not met")
@click.option("--met-afgesloten", is_flag=True, help="closed casussen too")
@WACHT
@JSON
def lijst(
    partij: str | None, beleid: str | None, gemeente: str | None, fase: str | None, termijn_verstreken: bool,
    met_afgesloten: bool, wacht: float, als_json: bool,
) -> None:  # fmt: skip
    """Casussen from the read model, with filters."""
    with projecties([caseload.NAME, deadlines.NAME], wacht) as (_, views):
        rijen = lezen.lijst(
            views, partij=partij, beleid=beleid, gemeente=gemeente, fase=fase,
            termijn_verstreken=termijn_verstreken, met_afgesloten=met_afgesloten,
        )  # fmt: skip
        per_partij = lezen.caseload(views)
    if als_json:
        toon_json({"casussen": rijen, "caseload": per_partij})
        return
    click.echo(tabel(rijen, ["casus_id", "beleid", "gemeente", "houder", "fase", "ontvangen", "volgende_termijn"]))
    click.echo(f"\n{len(rijen)} casussen; open per partij:")
    click.echo(tabel(per_partij, ["partij", "open"]))


@click.command("huishouden")
@click.argument("sleutel")
@click.option("--vergeet", is_flag=True, help="destroy the household's personal data (Wmo 2015 art. 5.3.5)")
@click.option("--reden", default=None, help="why, with --vergeet (recorded)")
@click.option("--als", "partij", default=None, help="who asks, with --vergeet")
@click.option("--medewerker", default=None)
@WACHT
@JSON
def huishouden(
    sleutel: str, vergeet: bool, reden: str | None, partij: str | None, medewerker: str | None, wacht: float, als_json: bool
) -> None:
    """Every melding and casus of one household (radar, IJM-1.2.1); with --vergeet, crypto-shredding."""
    if vergeet:
        _vergeet(sleutel, reden, partij, medewerker, als_json)
        return
    with projecties([radar.NAME, caseload.NAME], wacht) as (_, views):
        resultaat = lezen.huishouden(views, sleutel)
    if als_json:
        toon_json(resultaat)
        return
    click.echo(f"huishouden {sleutel}\n\nmeldingen")
    click.echo(tabel(resultaat["meldingen"], ["ontvangen", "aanleiding", "casus_id", "beleid", "gemeente", "acuut", "melder_soort"]))
    click.echo("\ncasussen")
    click.echo(tabel(resultaat["casussen"], ["casus_id", "beleid", "houder", "fase", "status", "ontvangen", "afgesloten_op"]))


def _vergeet(sleutel: str, reden: str | None, partij: str | None, medewerker: str | None, als_json: bool) -> None:
    if not reden or not reden.strip():
        raise RefusedError("erasing a household's personal data needs a recorded reason", regel="Wmo 2015 art. 5.3.5", veld="reden")
    if partij != VEILIG_THUIS:
        raise RefusedError(f"personal data is erased by {VEILIG_THUIS}, who keeps the dossier", regel="Wmo 2015 art. 5.3.5", veld="als")
    settings = Settings()
    ondertekenaar = _ondertekenaar(settings)  # before anything is destroyed: a key set but unreadable stops here
    store, views = open_store(settings)
    try:
        vergeten = open_kluis(views, settings).vergeet(sleutel, reden.strip(), f"{partij}/{medewerker or ''}".rstrip("/"))
        # After the key, so that a retry of an interrupted erasure finds the generation destroyed and
        # records the same erasure under the same key (eventstore/vergeten.py).
        actor = Actor(partij=partij, medewerker=medewerker)
        try:
            vastgelegd = leg_vast(store, sleutel, vergeten.generatie, reden.strip(), actor, ondertekenaar=ondertekenaar)
        except PersistenceError as e:
            raise UnreachableError(
                f"household {sleutel}: key generation {vergeten.generatie} is destroyed, but the erasure could not be added"
                f" to its casussen ({e}); run the same command again with a login that may append to the event store"
            ) from None
    finally:
        store.close()
    casussen = vastgelegd.nieuw + vastgelegd.al
    resultaat = {
        "huishouden": sleutel, "vergeten": True, "had_persoonsgegevens": vergeten.had_sleutel, "reden": reden.strip(),
        "generatie": vergeten.generatie, "al_vergeten": not vergeten.nieuw, "opgeruimd": vergeten.opgeruimd,
        "casussen": casussen, "niet_vastgelegd": vastgelegd.mislukt,
    }  # fmt: skip
    if als_json:
        toon_json(resultaat)
    else:
        wat = "key destroyed" if vergeten.had_sleutel else "no key existed" if vergeten.nieuw else "forgotten already"
        click.echo(f"huishouden {sleutel}: personal data made unreadable ({wat}, generation {vergeten.generatie})")
        click.echo(f"recorded in {len(casussen)} casussen ({len(vastgelegd.nieuw)} now)")
        if not vergeten.opgeruimd:
            click.echo("the old key's bytes are not yet cleared from the database files: see docs/VERGETEN.md")
    if vastgelegd.mislukt:
        fout = RefusedError(
            f"the key is destroyed, but the erasure is not recorded in casus {', '.join(sorted(vastgelegd.mislukt))}; "
            "run the same command again",
            regel="Wmo 2015 art. 5.3.5",
        )
        fout.json_getoond = als_json
        raise fout


def _ondertekenaar(settings: Settings) -> Ondertekenaar | None:
    """The worker's key, when this admin command runs on the trusted side that holds it: the erasure
    it appends is then signed like every other event (unsigned, `casus verifieer` reports it)."""
    if settings.worker_sleutel is None:
        return None
    from eventstore.ondertekening import WorkerSleutelError, laad_ondertekenaar

    try:
        return laad_ondertekenaar(settings.worker_sleutel)
    except WorkerSleutelError as e:
        raise RefusedError(f"{e}; nothing was forgotten", veld="CASUS_WORKER_SLEUTEL") from None


@click.command("termijnen")
@click.option("--verstreken", is_flag=True, help="lapsed deadlines not met")
@click.option("--binnen", "dagen", type=click.IntRange(min=0), default=None, help="open deadlines due within this many days")
@WACHT
@JSON
def termijnen(verstreken: bool, dagen: int | None, wacht: float, als_json: bool) -> None:
    """Deadlines: what lapsed and what is due soon (without options: every open or lapsed one)."""
    tot = datetime.now(UTC) + timedelta(days=dagen) if dagen is not None else None
    with projecties([deadlines.NAME, caseload.NAME], wacht) as (_, views):
        rijen = lezen.termijnen(views, verstreken=verstreken, binnen_tot=tot)
    if als_json:
        toon_json({"termijnen": rijen})
        return
    click.echo(tabel(rijen, ["uiterlijk", "status", "soort", "regel", "casus_id", "houder", "gemeente"]))


@click.command("rapport")
@click.option("--beleid", required=True)
@click.option("--van", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="first day of receipt (local date)")
@click.option("--tot", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="last day of receipt (local date)")
@WACHT
@JSON
def rapport(beleid: str, van: datetime, tot: datetime, wacht: float, als_json: bool) -> None:
    """Per deadline kind: count, share met in time, median and 90th percentile days to meet; the
    share of direct transfers (GM-1); open casussen per holder."""
    if van > tot:  # refused before anything opens (issue 12)
        raise RefusedError(f"--van {van.date()} is after --tot {tot.date()}; give --van on or before it", veld="van")
    with projecties([deadlines.NAME, caseload.NAME], wacht) as (_, views):
        resultaat = compliance.rapport(views, beleid, date(van.year, van.month, van.day), date(tot.year, tot.month, tot.day))
    if als_json:
        toon_json(resultaat)
        return
    click.echo(f"rapport {beleid}, meldingen van {resultaat['van']} tot en met {resultaat['tot']}: {resultaat['casussen']} casussen\n")
    kolommen = [
        "soort", "aantal", "beslist", "tijdig", "aandeel_tijdig", "laat_vastgelegd", "mediaan_dagen", "p90_dagen", "open", "vervallen",
        "afgelopen", "van_rechtswege",
    ]  # fmt: skip
    click.echo(tabel(resultaat["termijnen"], kolommen))
    click.echo(f"\naandeel directe overdracht (GM-1): {resultaat['aandeel_direct']}")
    click.echo(tabel([{"houder": h, "open": n} for h, n in resultaat["open_per_houder"].items()], ["houder", "open"]))
