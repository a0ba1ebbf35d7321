"""`casus status` (the workflow's view), `casus audit` (the event store's record), `casus dossier` (a
casus's personal texts) and `casus inzage-log` (who read whose record), each through the API.

`casus audit --verify` and `--bundel` are admin work and run in-process (casus_cli/integriteit.py,
casus_cli/controlepunten.py), with the server's settings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from casus_cli.client import Api
from casus_cli.fouten import RefusedError
from casus_cli.opties import JSON, WACHT, als_optie
from casus_cli.tijden import MOMENT
from casus_cli.uitvoer import aantal, tabel, toon_json, toon_uitkomst

REDEN = click.option("--reden", default=None, help="why you read this record (logged; required of auditors)")


@click.command("status")
@click.argument("casus_id")
@als_optie("a party's caseworker, operator or auditor")
@JSON
def status(casus_id: str, als: str | None, als_json: bool) -> None:
    """The casus as the workflow holds it now."""
    uitkomst = Api(als).json("GET", f"/casussen/{casus_id}")
    toon_json(uitkomst) if als_json else toon_uitkomst(uitkomst)


@click.command("audit")
@click.argument("casus_id")
@click.option("--op", "moment", type=MOMENT, default=None, help="who held the responsibility at this moment")
@click.option("--volgens", type=MOMENT, default=None, help="as the record stood at this moment")
@REDEN
@click.option("--html", "html_bestand", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write the auditor's page (self-contained HTML) to this file")  # fmt: skip
@click.option("--verify", is_flag=True, help="verify the casus's hash chain instead (admin: runs in-process, with the server's settings)")
@click.option("--bundel", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write an audit bundle an outsider checks with `python -m casus_verify FILE` (admin: runs in-process)")  # fmt: skip
@als_optie("auditor, or a caseworker of a party involved")
@WACHT
@JSON
def audit(
    casus_id: str, moment: datetime | None, volgens: datetime | None, reden: str | None, html_bestand: Path | None, verify: bool,
    bundel: Path | None, als: str | None, wacht: float, als_json: bool,
) -> None:  # fmt: skip
    """The responsibility timeline from the event store (projection `verantwoordelijkheid`)."""
    del wacht  # the API waits for the read model itself
    if bundel is not None or verify:
        from casus_cli.opstart import binnen

        binnen()
        if bundel is not None:
            from casus_cli.controlepunten import schrijf_audit_bundel

            schrijf_audit_bundel(casus_id, bundel, als_json)
        else:
            from casus_cli.integriteit import verifieer

            verifieer([casus_id], alle=False, als_json=als_json)
        return
    params = {"op": moment, "volgens": volgens, "reden": reden}
    if html_bestand is not None:
        pagina = Api(als).vraag("GET", f"/casussen/{casus_id}/audit", params=params, accept="text/html").text
        try:
            html_bestand.write_text(pagina, encoding="utf-8")
        except OSError as e:
            raise RefusedError(f"--html {html_bestand}: cannot be written ({e.strerror})", veld="html") from None
        toon_json({"casus_id": casus_id, "html": str(html_bestand)}) if als_json else click.echo(f"audit page: {html_bestand}")
        return
    resultaat: dict[str, Any] = Api(als).json("GET", f"/casussen/{casus_id}/audit", params=params)
    if als_json:
        toon_json(resultaat)
        return
    if moment is not None:
        h = resultaat.get("houder")
        click.echo(
            f"op {resultaat.get('op')}: "
            + (f"{h['partij']} (sinds {h['van']}, grond {h['grond']})" if h else "niemand (casus nog niet begonnen of afgesloten)")
        )
    click.echo(tabel(resultaat["verantwoordelijkheid"], ["partij", "van", "tot", "grond", "actor", "vastgelegd"]))


@click.command("dossier")
@click.argument("casus_id")
@click.option("--reden", default=None, help="why you read the dossier (required; logged with your name)")
@als_optie("auditor, or a caseworker of a party involved")
@JSON
def dossier(casus_id: str, reden: str | None, als: str | None, als_json: bool) -> None:
    """A casus's personal texts (melding, reasons, plans, incidents…), opened; every read is logged."""
    if not (reden or "").strip():
        raise RefusedError("reading a dossier needs a stated reason (--reden); it is logged", regel="reden-ontbreekt", veld="reden")
    resultaat: dict[str, Any] = Api(als).json("GET", f"/casussen/{casus_id}/dossier", params={"reden": reden})
    if als_json:
        toon_json(resultaat)
        return
    click.echo(f"dossier van casus {resultaat['casus_id']}  huishouden {resultaat['huishouden']}")
    if not resultaat["teksten"]:
        click.echo("(geen teksten)")
    for t in resultaat["teksten"]:
        click.echo(f"\n#{t['versie']} {t['gebeurtenis']}.{t['veld']}  op {t['op']}  vastgelegd {t['vastgelegd']}  door {t['actor']}")
        click.echo("\n".join(f"  {regel}" for regel in str(t["tekst"]).splitlines() or [""]))


@click.command("inzage-log")
@click.option("--casus", "casus_id", default=None, help="only reads of this casus")
@click.option("--huishouden", default=None, help="only reads of this household")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--limiet", type=click.IntRange(min=1, max=1000), default=100, show_default=True)
@als_optie("auditor")
@JSON
def inzage_log(casus_id: str | None, huishouden: str | None, offset: int, limiet: int, als: str | None, als_json: bool) -> None:
    """Who read whose record, when and why (NEN 7513): for auditors."""
    if casus_id is not None:
        from casus_cli.opties import casus_id as controleer

        casus_id = controleer(None, None, casus_id)
    params = {"casus_id": casus_id, "huishouden": huishouden, "offset": offset, "limiet": limiet}
    resultaat: dict[str, Any] = Api(als).json("GET", "/inzage-log", params=params)
    if als_json:
        toon_json(resultaat)
        return
    click.echo(tabel(resultaat["inzagen"], ["op", "rol", "naam", "partij", "handeling", "casus_id", "huishouden", "reden"]))
    click.echo("\n" + pagina_tekst(resultaat["pagina"], len(resultaat["inzagen"]), "inzagen", met_totaal=False))


def pagina_tekst(pagina: dict[str, Any], getoond: int, wat: str, *, met_totaal: bool = True) -> str:
    """`n of totaal …` and, when there is more, the offset of the next page."""
    tekst = f"{getoond} of {aantal(pagina['totaal'], wat)}" if met_totaal else aantal(getoond, wat)
    if pagina.get("volgende") is not None:
        tekst += f" (next page: --offset {pagina['volgende']})"
    return tekst
