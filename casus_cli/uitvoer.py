"""Output: JSON on stdout with --json, otherwise plain tables for a person."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click


def toon_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def tabel(rijen: Sequence[dict[str, Any]], kolommen: Sequence[str]) -> str:
    if not rijen:
        return "(geen)"
    cellen = [[("" if r.get(k) is None else str(r.get(k))) for k in kolommen] for r in rijen]
    breedte = [max(len(k), *(len(c[i]) for c in cellen)) for i, k in enumerate(kolommen)]
    regels = ["  ".join(k.ljust(b) for k, b in zip(kolommen, breedte, strict=True))]
    regels.append("  ".join("-" * b for b in breedte))
    regels += ["  ".join(c.ljust(b) for c, b in zip(rij, breedte, strict=True)) for rij in cellen]
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
