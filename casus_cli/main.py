"""The `casus` program (CONTRACT.md). Exit codes: 0 done, 1 refused, 2 usage, 3 unreachable.

Caseworkers', operators' and auditors' commands are clients of the API (casus_cli/client.py): no
database, master key or Temporal on their side. `simuleer` and the admin commands run in-process
with the server's settings. A command's module is imported only when that command runs or shows
its help, so `casus --help` imports click alone."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import click

from casus_cli import fouten
from casus_cli.fouten import CliError, RefusedError, UnreachableError


@dataclass(frozen=True)
class Plek:
    """Where a command lives, its one-line help (shown without importing it), and whether it runs
    in-process (the Temporal runtime and the logs are set up before its module is imported)."""

    module: str
    naam: str
    hulp: str
    binnen: bool = False


CLIENT = "Casework, through the API (`casus login` first)"
BEHEER = "Admin and simulation, in-process with the server's settings"

COMMANDOS: dict[str, Plek] = {
    "login": Plek("casus_cli.inloggen", "login", "Gets a token for the API and stores it as the active one."),
    "logout": Plek("casus_cli.inloggen", "logout", "Removes stored tokens."),
    "melding": Plek("casus_cli.melding", "melding", "Starts a casus; prints its id."),
    "status": Plek("casus_cli.inzage", "status", "The casus as the workflow holds it now."),
    "audit": Plek("casus_cli.inzage", "audit", "The responsibility timeline (--html: the auditor's page)."),
    "dossier": Plek("casus_cli.inzage", "dossier", "A casus's personal texts, opened; every read is logged."),
    "inzage-log": Plek("casus_cli.inzage", "inzage_log", "Who read whose record, when and why (auditors)."),
    "lijst": Plek("casus_cli.overzicht", "lijst", "Casussen from the read model, with filters."),
    "huishouden": Plek("casus_cli.overzicht", "huishouden", "Every melding and casus of one household (--vergeet: erase)."),
    "termijnen": Plek("casus_cli.overzicht", "termijnen", "Deadlines: what lapsed and what is due soon."),
    "rapport": Plek("casus_cli.overzicht", "rapport", "Compliance per deadline kind for a policy and period."),
    "dev": Plek("casus_cli.dev", "dev", "The embedded stack in the foreground (Temporal, worker, API, projections).", binnen=True),
    "api": Plek("casus_cli.api_commando", "api", "Serves the HTTP API in the foreground.", binnen=True),
    "simuleer": Plek("casus_cli.simuleer", "simuleer", "Runs a scenario on a time-skipping Temporal test server.", binnen=True),
    "migreer": Plek("casus_cli.inrichten", "migreer_commando", "PostgreSQL: tables, append-only guard, roles.", binnen=True),
    "zoekattributen": Plek("casus_cli.inrichten", "zoekattributen_commando", "Registers the search attributes in Temporal.", binnen=True),
    "projecties": Plek("casus_cli.projecties", "projecties", "The read models: herbouw, draai.", binnen=True),
    "verifieer": Plek("casus_cli.integriteit", "verifieer_commando", "Checks the hash chains and checkpoints.", binnen=True),
    "herstel": Plek("casus_cli.herstel", "herstel_commando", "Starts a lost or failed casus workflow again.", binnen=True),
    "controlepunt": Plek("casus_cli.controlepunten", "controlepunt", "Signed checkpoints of the event store.", binnen=True),
    "kalender": Plek("casus_cli.kalender", "kalender_commando", "Gives the installed calendar to every running casus.", binnen=True),
}

ACTIES: tuple[str, ...] = (
    "afsluiten", "beoordeling-afronden", "contact-gelegd", "contact-vastgelegd", "dienst-afronden", "dwangmaatregel",
    "gemeente-informeren", "gemeente-reactie", "gezamenlijk-gesprek", "huisverbod-advies", "huisverbod-opleggen",
    "huisverbod-verlengen", "incident", "lokaal-team-geinformeerd", "monitoring-oordeel", "monitoring-verlengen", "nieuwe-melding",
    "ondersteuning-vt", "opnieuw-melden", "opschalen", "opschaling-besluit", "overdracht-accepteren", "overdracht-weigeren",
    "plan-vastleggen", "spoed-vastgesteld", "stabiele-veiligheid", "warme-overdracht",
)  # fmt: skip
"""CONTRACT.md's actions (domain.opdrachten.OPDRACHTEN, which a test compares), named here so that
`casus --help` needs no domain import."""

EPILOG = """\b
Every command takes --json. Exit codes: 0 done, 1 refused, 2 usage error, 3 unreachable.
The API is at $CASUS_API_URL (default http://127.0.0.1:8480, where `casus dev` serves it).
\b
Shell completion (bash; zsh_source and fish_source likewise):
  eval "$(_CASUS_COMPLETE=bash_source casus)"    # in ~/.bashrc
"""


class _Commandos(Mapping[str, click.Command]):
    """`cli.commands` for tools and tests: the names without importing anything, a command loaded
    when it is looked up."""

    def __init__(self, groep: Casus) -> None:
        self._groep = groep

    def __getitem__(self, naam: str) -> click.Command:
        commando = self._groep.get_command(click.Context(self._groep), naam)
        if commando is None:
            raise KeyError(naam)
        return commando

    def __iter__(self) -> Iterator[str]:
        return iter(self._groep.list_commands(click.Context(self._groep)))

    def __len__(self) -> int:
        return len(COMMANDOS) + len(ACTIES)


class Casus(click.Group):
    """A group that imports a command's module only when that command is asked for (click's lazy
    group); `casus --help` lists the commands from COMMANDOS and ACTIES without importing any."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._geladen: dict[str, click.Command] = {}
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> Mapping[str, click.Command]:
        return _Commandos(self)

    @commands.setter
    def commands(self, waarde: Any) -> None:
        if waarde:
            raise TypeError("casus commands are registered in casus_cli.main.COMMANDOS")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*COMMANDOS, *ACTIES])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if (commando := self._geladen.get(cmd_name)) is not None:
            return commando
        if cmd_name in ACTIES:
            from casus_cli.acties import actie_commando

            commando = actie_commando(cmd_name)
        elif (plek := COMMANDOS.get(cmd_name)) is not None:
            if plek.binnen:
                from casus_cli.opstart import binnen

                binnen()
            commando = getattr(importlib.import_module(plek.module), plek.naam)
        else:
            return None
        assert isinstance(commando, click.Command)
        _controleer_casus_ids(commando)
        self._geladen[cmd_name] = commando
        return commando

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for kop, binnen in ((CLIENT, False), (BEHEER, True)):
            rijen = [(naam, plek.hulp) for naam, plek in COMMANDOS.items() if plek.binnen == binnen]
            with formatter.section(kop):
                formatter.write_dl(rijen)
        with formatter.section("Actions: casus <actie> CASUS_ID --als P [--veld waarde …] (`casus <actie> --help`: its fields)"):
            breedte = max(40, (formatter.width or 80) - formatter.current_indent)
            regels: list[str] = [""]
            for naam in ACTIES:  # wrapped by hand: textwrap would break the names at their hyphens
                stuk = f"{naam}," if naam != ACTIES[-1] else naam
                regels[-1:] = [f"{regels[-1]} {stuk}".lstrip()] if len(regels[-1]) + len(stuk) < breedte else [regels[-1], stuk]
            for regel in regels:
                formatter.write(f"{'':>{formatter.current_indent}}{regel}\n")

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Command names from the table (no import per name), options as click completes them."""
        from click.shell_completion import CompletionItem

        if incomplete.startswith("-"):
            return super().shell_complete(ctx, incomplete)
        hulp = {naam: plek.hulp for naam, plek in COMMANDOS.items()} | {a: f"Action {a}." for a in ACTIES}
        return [CompletionItem(naam, help=tekst) for naam, tekst in sorted(hulp.items()) if naam.startswith(incomplete)]


def _controleer_casus_ids(commando: click.Command) -> None:
    """Every CASUS_ID is checked as the command line is read, before anything connects (issue 12),
    and Temporal's `casus-` prefix is taken off it."""
    from casus_cli.opties import casus_id

    for param in commando.params:
        if isinstance(param, click.Argument) and param.name in ("casus_id", "casus_ids") and param.callback is None:
            param.callback = casus_id


@click.group(cls=Casus, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(package_name="casus", prog_name="casus", message="%(prog)s %(version)s")
def cli() -> None:
    """casus: the collaboration agreements of Veilig Thuis and the lokale teams, casus by casus."""


def main() -> None:
    # Started with its output closed (`>&-`), Python gives None for the stream: what is written goes
    # nowhere, as to a closed file, instead of failing as if the API had answered wrongly.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    _einde(_draai("--json" in sys.argv))


def _draai(als_json: bool, args: list[str] | None = None) -> int:
    """Runs one command and returns its exit code (CONTRACT.md), never a traceback for bad input."""
    if (client := sys.modules.get("casus_cli.client")) is not None:
        client.GELEZEN.clear()
    try:
        cli.main(args=args, prog_name="casus", standalone_mode=False)
    except click.exceptions.Abort:
        return 130
    except click.ClickException as e:
        e.show()
        code = fouten.GEBRUIK if isinstance(e, click.UsageError) else e.exit_code
        if als_json:  # with --json a usage error, too, is one document on stdout
            from casus_cli.uitvoer import toon_json

            toon_json({"fout": {"melding": e.format_message(), "exit_code": code}})
        return code
    except CliError as e:
        return _meld(e, als_json)
    except Exception as e:
        if (fout := _gezegd(e)) is None:
            raise
        return _meld(fout, als_json)
    return 0


def _gezegd(e: Exception) -> CliError | None:
    """An error no command turned into its own, as the user is told it; None for a defect (raised)."""
    if isinstance(e, OSError):  # the system refused (a full disk, a closed output, a file named)
        return CliError(f"{e.strerror or e}{f' ({e.filename})' if e.filename else ''}")
    if isinstance(e, _bekende_fouten()):
        return _cli_fout(e)
    return _vreemd_antwoord(e)


def _vreemd_antwoord(e: Exception) -> CliError | None:
    """A client command that stumbled over the API's answer (a member missing, or of another type)
    after reading one: whatever answered at CASUS_API_URL is not the casus API (exit 3), for every
    command at once, rather than a traceback."""
    client = sys.modules.get("casus_cli.client")
    # A member missing or of another type, as reading it fails (the system's own refusals, OSError, are
    # said before this, and a closed output is replaced at the start: neither is blamed on the server).
    if client is None or not client.GELEZEN or not isinstance(e, LookupError | TypeError | AttributeError | ValueError):
        return None
    basis, verzoek = client.GELEZEN[-1]
    wat = f"no {e.args[0]!r} in its answer" if isinstance(e, KeyError) and e.args else f"{type(e).__name__}: {str(e)[:200]}"
    fout: CliError = client.vreemd_antwoord(basis, verzoek, wat)
    return fout


def _bekende_fouten() -> tuple[type[Exception], ...]:
    """The in-process modules' own refusals, from the modules a command loaded (none for a client)."""
    namen = {
        "service.scenario": "ScenarioError",
        "service.simulatie": "SimulatieVastgelopenError",
        "runtime.policies": "UnknownPolicyError",
        "eventstore.store": "InvalidCasusIdError",
        "service.fouten": "DienstFout",
    }
    return tuple(getattr(sys.modules[module], naam) for module, naam in namen.items() if module in sys.modules)


def _cli_fout(e: Exception) -> CliError:
    if type(e).__name__ == "SimulatieVastgelopenError":  # the in-process test server stopped answering
        return UnreachableError(str(e))
    if (soort := getattr(e, "soort", None)) is not None:  # a use case's answer (service.fouten), typed
        fout = UnreachableError if soort == "onbereikbaar" else RefusedError
        return fout(str(e), regel=getattr(e, "regel", None), veld=getattr(e, "veld", None))
    veld = getattr(e, "veld", None) if type(e).__name__ == "ScenarioError" else None
    return RefusedError(str(e), veld=veld if isinstance(veld, str) else None)


def _meld(fout: CliError, als_json: bool) -> int:
    try:
        if als_json and not fout.json_getoond:
            from casus_cli.uitvoer import toon_json

            toon_json(fout.als_json())
        click.echo(fout.tekst(), err=True)
    except OSError:
        pass  # the output itself is full or closed: the exit code still says it
    return fout.exit_code


def _einde(code: int) -> None:
    """Leaves without interpreter teardown: the Temporal SDK's native threads can outlive the
    event loop and abort a finalizing interpreter (temporalio/sdk-python issue #300)."""
    for stroom in (sys.stdout, sys.stderr):
        try:
            stroom.flush()
        except (OSError, ValueError, AttributeError):  # closed, full, or gone: the exit code still says it
            code = code or fouten.GEWEIGERD
    os._exit(code)
