"""Options and checks the client commands share: `--als` (which stored token), `--json`, a casus id
(Temporal's `casus-` prefix accepted), a value read from `@FILE`, an option whose help lists choices
read only when that help is shown. Click and the standard library only."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from casus_cli.fouten import CliError, RefusedError
from casus_cli.uitvoer import GebruikError

if TYPE_CHECKING:
    from pydantic import ValidationError

SLEUTEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

JSON = click.option("--json", "als_json", is_flag=True, help="machine output on stdout")
WACHT = click.option("--wacht", type=float, default=10.0, hidden=True, help="ignored: the API waits for the read models itself")


def als_optie(rol: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--als`: which of one's stored tokens the command sends (`casus login --als P`); the API checks it."""
    return click.option(
        "--als", "als", default=None, metavar="P", help=f"send the token stored for P ({rol}; default: the last `casus login`)"
    )


def casus_id(_ctx: click.Context | None, _param: click.Parameter | None, waarde: Any) -> Any:
    """Every CASUS_ID is checked as the command line is read, before anything connects (issue 12),
    and given on in its one form (lower case, dashed); Temporal's workflow id (`casus-<id>`) is accepted for it."""
    if waarde is None:
        return None
    if isinstance(waarde, str):
        return _een_casus_id(waarde)
    return tuple(_een_casus_id(w) for w in waarde)


def _een_casus_id(waarde: str) -> str:
    """The id in its one form (domain/casus_id.py): an upper-case or undashed spelling is the same
    casus, read, logged, filtered and restored under the same id."""
    from domain.casus_id import GEEN_CASUS_ID, canoniek, getoond

    if (gevonden := canoniek(waarde)) is None:
        raise RefusedError(f"casus_id: {getoond(waarde)} {GEEN_CASUS_ID}", veld="casus_id")
    return gevonden


def geldige_sleutel(_ctx: click.Context, _param: click.Parameter, waarde: str | None) -> str | None:
    """A key is 1 to 100 letters, digits and . _ : - (it becomes part of a Temporal id)."""
    if waarde is not None and not SLEUTEL.fullmatch(waarde):
        raise RefusedError("a key is 1 to 100 letters, digits and . _ : - , beginning with a letter or digit", veld="sleutel")
    return waarde


def uit_bestand(veld: str, waarde: str) -> str:
    """`@FILE`: the text of FILE (UTF-8) is the value; `@@…` is a value beginning with one `@`."""
    if not waarde.startswith("@"):
        return waarde
    if waarde.startswith("@@"):
        return waarde[1:]
    pad = Path(waarde[1:]).expanduser()
    try:
        return pad.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RefusedError(f"--{veld} @{pad}: no such file", veld=veld) from None
    except UnicodeDecodeError:
        raise RefusedError(f"--{veld} @{pad}: the file is not UTF-8 text", veld=veld) from None
    except OSError as e:
        raise RefusedError(f"--{veld} @{pad}: cannot be read ({e.strerror})", veld=veld) from None


def geweigerd_veld(e: ValidationError, optie_van_veld: dict[str, str] | None = None) -> CliError:
    """The first field a model refuses, named as its CLI option: a bad value is refused (exit 1), a
    required option left out is a usage error (exit 2), as click's own (CONTRACT.md)."""
    err = e.errors()[0]
    loc = [str(p) for p in err["loc"]]
    namen = {"actor.partij": "als", "actor.medewerker": "medewerker"} | (optie_van_veld or {})
    veld = namen.get(".".join(loc), "-".join(loc))
    melding = str(err["msg"]).removeprefix("Value error, ")  # a validator's own sentence, without pydantic's label
    if not veld:
        return RefusedError(melding)
    if err["type"] == "missing":
        return GebruikError(f"--{veld} is required", veld=veld)
    return RefusedError(f"--{veld}: {melding}", veld=veld)


class JaNee(click.ParamType[bool, Any]):
    """A yes or no of an action's field: `true` or `false` as the README writes them, the Dutch
    `ja`/`nee` too; anything else is a usage error listing exactly these."""

    name = "true|false"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "true|false"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> bool:
        if isinstance(value, bool):
            return value
        if (gevonden := _JA_NEE.get(str(value).strip().lower())) is not None:
            return gevonden
        self.fail(f"{value!r} is neither true nor false (accepted: true, false, ja, nee)", param, ctx)


JA_NEE = JaNee()
_JA_NEE = {"true": True, "ja": True, "false": False, "nee": False}


class KeuzeOptie(click.Option):
    """An option whose help ends with the values it accepts, computed (from the policy files) only
    when the help is shown: `casus --help` and running the command never read them."""

    def __init__(self, *args: Any, keuzen: Callable[[], str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keuzen = keuzen
        self._aangevuld = False

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self._keuzen is not None and not self._aangevuld:
            self._aangevuld = True
            try:
                extra = self._keuzen()
            except Exception as e:
                extra = f"(choices unavailable: {e})"
            if extra:
                self.help = f"{self.help}; {extra}" if self.help else extra
        return super().get_help_record(ctx)


def per_beleid(waarden: Callable[[Any], list[str]]) -> Callable[[], str]:
    """Help text listing, per policy file (domain/data/beleid/*.yaml), the values `waarden` gives."""

    def tekst() -> str:
        from runtime.policies import load_policy, policy_ids

        delen = []
        for beleid_id in policy_ids():
            gevonden = waarden(load_policy(beleid_id))
            if gevonden:
                delen.append(f"{beleid_id}: {', '.join(gevonden)}")
        return "accepted per beleid: " + "; ".join(delen) if delen else ""

    return tekst
