"""A scenario's outcome against its `.expected.json`: the facts the expected outcome states.

`verantwoordelijkheid` and `fouten` are stated whole (each expected error a subset of the one at its
place); a key ending in ` (some)` lists items each of which some item of that list in the outcome
holds; `why` explains and is not compared; any other key is compared as it stands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ENKELE = " (some)"
UITLEG = "why"


def deelverzameling(verwacht: dict[str, Any], gekregen: dict[str, Any]) -> bool:
    return all(gekregen.get(k) == v for k, v in verwacht.items())


def lees(bestand: Path) -> dict[str, Any]:
    """An expected outcome; a file that is not one JSON object is refused (ValueError) with its name."""
    try:
        verwacht = json.loads(bestand.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{bestand}: not a readable expected outcome ({e})") from None
    if not isinstance(verwacht, dict):
        raise ValueError(f"{bestand}: an expected outcome is a JSON object")
    return verwacht


def verschillen(uitkomst: dict[str, Any], verwacht: dict[str, Any]) -> list[str]:
    """Every way the outcome departs from the expected facts, each said in one line; none: it holds them."""
    uit: list[str] = []
    for sleutel, waarde in verwacht.items():
        if sleutel == UITLEG:
            continue
        if sleutel.endswith(ENKELE):
            uit += _enkele(sleutel.removesuffix(ENKELE), waarde, uitkomst)
        elif sleutel == "fouten":
            uit += _fouten(waarde, uitkomst.get("fouten", []))
        elif uitkomst.get(sleutel) != waarde:
            uit.append(f"{sleutel}: expected {_kort(waarde)}, got {_kort(uitkomst.get(sleutel))}")
    return uit


def _enkele(sleutel: str, verwacht: list[dict[str, Any]], uitkomst: dict[str, Any]) -> list[str]:
    gekregen = uitkomst.get(sleutel) or []
    return [f"{sleutel}: none is {_kort(v)}" for v in verwacht if not any(deelverzameling(v, g) for g in gekregen)]


def _fouten(verwacht: list[dict[str, Any]], gekregen: list[dict[str, Any]]) -> list[str]:
    if len(verwacht) != len(gekregen):
        return [f"fouten: expected {len(verwacht)}, got {len(gekregen)}: {_kort(gekregen)}"]
    paren = enumerate(zip(verwacht, gekregen, strict=True), start=1)
    return [f"fouten #{i}: expected {_kort(v)}, got {_kort(g)}" for i, (v, g) in paren if not deelverzameling(v, g)]


def _kort(waarde: Any) -> str:
    return json.dumps(waarde, ensure_ascii=False, default=str)
