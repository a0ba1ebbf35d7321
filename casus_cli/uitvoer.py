"""Output: JSON on stdout with --json, otherwise plain tables for a person."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from typing import Any

import click

from casus_cli.fouten import GEBRUIK, CliError

MIN_KOLOM = 6
ENKELVOUD = {"casussen": "casus", "termijnen": "termijn", "inzagen": "inzage", "fouten": "fout", "verschillen": "verschil"}


class GebruikError(CliError):
    """A usage error found by a command itself (exit 2); unlike click's own, with --json it is still
    the one JSON document on stdout."""

    exit_code = GEBRUIK

    def tekst(self) -> str:
        return f"usage error{f' ({self.veld})' if self.veld else ''}: {self.melding}"


def toon_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cel(waarde: Any) -> str:
    """A value as a person reads it, in the words the commands take: `true`/`false`, nothing for
    none, a list comma-separated; never a Python literal."""
    if waarde is None:
        return ""
    if isinstance(waarde, bool):
        return "true" if waarde else "false"
    if isinstance(waarde, list | tuple):
        return ", ".join(cel(w) for w in waarde)
    if isinstance(waarde, dict):
        return json.dumps(waarde, ensure_ascii=False, default=str)
    return str(waarde).replace("\n", " ")


def aantal(n: int, meervoud: str) -> str:
    """`1 casus`, `2 casussen`."""
    return f"{n} {ENKELVOUD.get(meervoud, meervoud) if n == 1 else meervoud}"


def op_terminal() -> bool:
    """Whether a person answers on stdin (a question is asked only then)."""
    return sys.stdin is not None and sys.stdin.isatty()


def schermbreedte() -> int | None:
    """The terminal's width when the output goes to one; None when it is piped or captured: a table
    then keeps every character, for whoever reads it next."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def passend(breedte: list[int], kolommen: Sequence[str], maximum: int) -> list[int]:
    """Column widths within `maximum` characters (two between columns): the widest column is cut
    first, none below its header or MIN_KOLOM."""
    breedte = list(breedte)
    ondergrens = [max(MIN_KOLOM, min(len(k), 12)) for k in kolommen]
    while (teveel := sum(breedte) + 2 * (len(breedte) - 1) - maximum) > 0:
        kandidaten = [i for i, b in enumerate(breedte) if b > ondergrens[i]]
        if not kandidaten:
            break
        i = max(kandidaten, key=lambda j: breedte[j])
        tweede = max((b for j, b in enumerate(breedte) if j != i), default=0)
        breedte[i] = max(ondergrens[i], breedte[i] - teveel, min(breedte[i] - 1, tweede))
    return breedte


def _cel(tekst: str, breedte: int) -> str:
    tekst = tekst.replace("\n", " ")
    return tekst if len(tekst) <= breedte else tekst[: max(0, breedte - 1)] + "…"


def tabel(rijen: Sequence[dict[str, Any]], kolommen: Sequence[str], maximum: int | None = -1) -> str:
    """A plain table; on a terminal it fits its width (`maximum`: -1 the terminal's, None no limit)."""
    if not rijen:
        return "(geen)"
    cellen = [[cel(r.get(k)) for k in kolommen] for r in rijen]
    breedte = [max(len(k), *(len(c[i]) for c in cellen)) for i, k in enumerate(kolommen)]
    grens = schermbreedte() if maximum == -1 else maximum
    if grens is not None:
        breedte = passend(breedte, kolommen, grens)
    regels = ["  ".join(_cel(k, b).ljust(b) for k, b in zip(kolommen, breedte, strict=True)).rstrip()]
    regels.append("  ".join("-" * b for b in breedte))
    regels += ["  ".join(_cel(c, b).ljust(b) for c, b in zip(rij, breedte, strict=True)).rstrip() for rij in cellen]
    return "\n".join(regels)


def toon_uitkomst(u: dict[str, Any]) -> None:
    click.echo(f"casus {u['casus_id']}  beleid {u['beleid']}  status {u['status']}  fase {u.get('fase', '')}")
    click.echo("\nverantwoordelijkheid (zicht op veiligheid)")
    click.echo(tabel(u["verantwoordelijkheid"], ["partij", "van", "tot", "grond"]))
    click.echo("\ntermijnen")
    click.echo(tabel(u["termijnen"], ["soort", "uiterlijk", "status", "voldaan_op", "regel"]))
    if u.get("berichten"):
        click.echo("\nberichten")
        click.echo(tabel([b | {"inhoud": ", ".join(b["inhoud"])} for b in u["berichten"]], ["soort", "aan", "op", "inhoud"]))
    if u.get("fouten"):
        click.echo("\nfouten")
        click.echo(tabel(u["fouten"], ["stap", "actie", "regel", "melding"]))
