"""`casus login` and `casus logout`: a token from the organisation's OpenID Connect provider, asked
where the API says (`GET /aanmelden`), kept per `--als` in the token file (casus_cli/tokens.py).

Against `casus dev` the development issuer logs anyone in as anyone (`--als veilig-thuis --medewerker
anna`, `--als auditor`); elsewhere the OAuth 2.0 device flow (RFC 8628): the CLI shows a code and a
web address, the person approves there, in their own browser, with their own login."""

from __future__ import annotations

import os
from typing import Any

import click

from casus_cli import tokens
from casus_cli.client import Api, vreemd_antwoord
from casus_cli.fouten import RefusedError, UnreachableError
from casus_cli.opties import JSON
from casus_cli.uitvoer import cel, toon_json


@click.command("login")
@click.option("--als", default=None, metavar="P", help=(
    "a party (veilig-thuis, lokaal-team:<team>, …) or a role (auditor, operator, beheerder); the token is stored under it"
))  # fmt: skip
@click.option("--medewerker", default=None, help="your name, at the development issuer of `casus dev` (elsewhere the provider knows it)")
@click.option("--scope", default=None, help="the scope to ask for in the device flow (default $CASUS_OIDC_SCOPE or `openid`)")
@click.option(
    "--toon",
    is_flag=True,
    help="do not log in; show who the active token (or the one stored for --als P) says you are: unverified, informational",
)
@JSON
def login(als: str | None, medewerker: str | None, scope: str | None, toon: bool, als_json: bool) -> None:
    """Gets a token for the API and stores it (mode 0600) as the active one."""
    if als is None and not toon:
        raise click.UsageError("give --als P (a party or a role) to log in, or --toon to show the active token")
    if not toon:
        _meld_aan(als or "", medewerker, scope, stil=als_json)
        if not als_json:
            return
    beschrijving = tokens.beschrijving(tokens.kies(als))
    if als_json:
        toon_json(beschrijving)
    else:
        for sleutel, waarde in beschrijving.items():
            click.echo(f"{sleutel + ':':10} {'-' if waarde is None else cel(waarde)}")


def _meld_aan(als: str, medewerker: str | None, scope: str | None, *, stil: bool) -> None:
    from casus_cli.aanmelden import AanmeldError, Apparaatcode, apparaat_aanmelden, biedt_ontwikkeling, ontwikkel_aanmelden

    api = Api(als)
    waar: dict[str, Any] = api.json("GET", "/aanmelden", met_token=False)
    issuer, client_id = waar["issuer"], str(waar.get("client_id") or "casus-cli")
    if not isinstance(issuer, str):
        raise vreemd_antwoord(api.basis, "GET /aanmelden", "its 'issuer' is no address")

    def toon_code(code: Apparaatcode) -> None:
        click.echo(f"Open {code.verification_uri} and enter the code {code.user_code}", err=True)
        if code.verification_uri_complete:
            click.echo(f"(or open {code.verification_uri_complete})", err=True)
        click.echo(f"waiting for your approval (at most {code.expires_in / 60:.0f} minutes)…", err=True)

    try:
        if waar.get("ontwikkeling") or biedt_ontwikkeling(issuer):
            token = ontwikkel_aanmelden(issuer, als, medewerker, client_id=client_id)
        else:
            scope = scope or os.environ.get("CASUS_OIDC_SCOPE") or "openid"
            token = apparaat_aanmelden(issuer, client_id, toon=toon_code, scope=scope)
    except AanmeldError as e:
        if e.reden == "onbereikbaar":
            raise UnreachableError(f"the identity provider {issuer}: {e.detail}") from None
        veld = "issuer" if e.reden == "onveilig-adres" else "als"
        regel = "aanmelden-geweigerd" if e.reden == "geweigerd" else e.reden  # not "geweigerd (geweigerd, …)"
        raise RefusedError(f"login at {issuer}: {e.detail}", regel=regel, veld=veld) from None
    bestand = tokens.bewaar(als, token.access_token, issuer=issuer, api=api.basis, medewerker=medewerker)
    if not stil:
        claims = tokens.claims_van(token.access_token)
        wie = claims.get("preferred_username") or claims.get("name") or claims.get("sub") or "?"
        click.echo(f"logged in as {als} ({wie}); token stored in {bestand}")


@click.command("logout")
@click.option("--als", default=None, metavar="P", help="remove only the token stored for P (default: every token)")
@JSON
def logout(als: str | None, als_json: bool) -> None:
    """Removes stored tokens (the token file when none is left)."""
    weg = tokens.verwijder(als)
    if als_json:
        toon_json({"verwijderd": weg, "bestand": str(tokens.token_bestand())})
    else:
        click.echo(f"removed: {', '.join(weg)}" if weg else "no token stored" + (f" for {als}" if als else ""))
