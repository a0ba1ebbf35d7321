"""A scenario's outcome against its `.expected.json`: the facts the expected outcome states.

`verantwoordelijkheid` and `fouten` are stated whole, in order (each expected error a subset of the
one at its place); a key ending in ` (some)` lists items each of which some item of that list in the
outcome holds; `why` explains and is not compared; any other key is compared as it stands.

Each difference names the path to the differing value in the outcome (`verantwoordelijkheid[1].grond`,
0-based like a JSON path) and both values; an expected item no item holds names the closest one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ENKELE = " (some)"
UITLEG = "why"
KORT = 140  # characters of one value in a line (a responsibility entry whole); `als_json` carries every value whole
_KAAL = re.compile(r"[\w:+./@-]+")  # ids, instants, rule ids: shown without quotes
_NAAM = re.compile(r"[A-Za-z_][\w-]*")

Soort = Literal["anders", "ontbreekt", "onverwacht", "niet-gevonden"]


@dataclass(frozen=True)
class Afwijking:
    """One difference. `anders`: both values; `ontbreekt`: the outcome lacks the expected value;
    `onverwacht`: the outcome has a value (a key, an item) not expected; `niet-gevonden`: no item of a
    ` (some)` list holds the expected one; `dichtstbij` is the path of the closest, `gekregen` that
    item and `anders_in` its keys that differ (None: no item agrees in any field)."""

    pad: str
    soort: Soort
    verwacht: Any = None
    gekregen: Any = None
    dichtstbij: str | None = None
    anders_in: tuple[str, ...] = field(default=())  # the closest one's keys that differ

    def regel(self) -> str:
        if self.soort == "anders":
            verwacht, gekregen = _kort_paar(self.verwacht, self.gekregen)
            return f"{self.pad}: expected {verwacht}, got {gekregen}"
        if self.soort == "ontbreekt":
            return f"{self.pad}: expected {_kort(self.verwacht)}, missing in the outcome"
        if self.soort == "onverwacht":
            return f"{self.pad}: not expected, got {_kort(self.gekregen)}"
        return f"{self.pad}: no item {_beschreven(self.verwacht)}; {self._dichtstbij()}"

    def als_json(self) -> dict[str, Any]:
        uit: dict[str, Any] = {"pad": self.pad, "soort": self.soort}
        if self.soort != "onverwacht":
            uit["verwacht"] = self.verwacht
        if self.soort in ("anders", "onverwacht", "niet-gevonden"):
            uit["gekregen"] = self.gekregen
        if self.soort == "niet-gevonden":
            uit["dichtstbij"] = self.dichtstbij
        return uit

    def _dichtstbij(self) -> str:
        if self.dichtstbij is None:
            return "no item of the outcome agrees with it in any field"
        ander = [f"no {k}" if k not in self.gekregen else f"{k} {_kort(self.gekregen[k])}" for k in self.anders_in]
        return f"closest {self.dichtstbij} has {', '.join(ander)}"


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
    return [a.regel() for a in afwijkingen(uitkomst, verwacht)]


def afwijkingen(uitkomst: dict[str, Any], verwacht: dict[str, Any]) -> list[Afwijking]:
    """The differences of `verschillen`, each with its path and values."""
    uit: list[Afwijking] = []
    for sleutel, waarde in verwacht.items():
        if sleutel == UITLEG:
            continue
        if sleutel.endswith(ENKELE):
            naam = sleutel.removesuffix(ENKELE)
            gekregen = uitkomst.get(naam)
            uit += _enkele(naam, waarde if isinstance(waarde, list) else [waarde], gekregen if isinstance(gekregen, list) else [])
        elif sleutel == "fouten" and isinstance(waarde, list) and isinstance(fouten := uitkomst.get("fouten", []), list):
            uit += _rij(sleutel, waarde, fouten, deel=True)
        elif sleutel not in uitkomst and waarde is not None:
            uit.append(Afwijking(_pad("", sleutel), "ontbreekt", verwacht=waarde))
        else:
            uit += _waarde(_pad("", sleutel), waarde, uitkomst.get(sleutel))
    return uit


def _waarde(pad: str, verwacht: Any, gekregen: Any) -> list[Afwijking]:
    """Compared as it stands: an object key by key, a list item by item in order."""
    if verwacht == gekregen:
        return []
    if isinstance(verwacht, dict) and isinstance(gekregen, dict):
        uit = _object(pad, verwacht, gekregen, deel=False)
    elif isinstance(verwacht, list) and isinstance(gekregen, list):
        uit = _rij(pad, verwacht, gekregen, deel=False)
    else:
        uit = []
    return uit or [Afwijking(pad, "anders", verwacht, gekregen)]


def _object(pad: str, verwacht: dict[str, Any], gekregen: dict[str, Any], *, deel: bool) -> list[Afwijking]:
    """`deel`: the expected keys only, a missing one equal to null (an expected error, a ` (some)` item)."""
    uit: list[Afwijking] = []
    for k, v in verwacht.items():
        if k in gekregen:
            uit += _waarde(_pad(pad, k), v, gekregen[k])
        elif v is not None or not deel:
            uit.append(Afwijking(_pad(pad, k), "ontbreekt", verwacht=v))
    if not deel:
        uit += [Afwijking(_pad(pad, k), "onverwacht", gekregen=g) for k, g in gekregen.items() if k not in verwacht]
    return uit


def _rij(pad: str, verwacht: list[Any], gekregen: list[Any], *, deel: bool) -> list[Afwijking]:
    """Item by item in order; an item inserted or left out is one difference, not a shift of all after it.
    Paths count in the outcome: a missing item is named at the place it would have."""
    uit: list[Afwijking] = []
    for hoe, i, j in _uitgelijnd(verwacht, gekregen, deel=deel):
        if hoe == "onverwacht":
            uit.append(Afwijking(f"{pad}[{j}]", "onverwacht", gekregen=gekregen[j]))
        elif hoe == "ontbreekt":
            uit.append(Afwijking(f"{pad}[{j}]", "ontbreekt", verwacht=verwacht[i]))
        elif deel and isinstance(verwacht[i], dict) and isinstance(gekregen[j], dict):
            uit += _object(f"{pad}[{j}]", verwacht[i], gekregen[j], deel=True)
        else:
            uit += _waarde(f"{pad}[{j}]", verwacht[i], gekregen[j])
    return uit


def _uitgelijnd(verwacht: list[Any], gekregen: list[Any], *, deel: bool) -> Iterator[tuple[str, int, int]]:
    """(`paar`, i, j): expected item i with outcome item j, equal or alike; (`ontbreekt`, i, j): item i
    missing, at place j; (`onverwacht`, -1, j): item j not expected. The pairing with the most equal
    items, then the most alike ones (dynamic programming; these lists are short)."""
    n, m = len(verwacht), len(gekregen)
    paar = [[_score(v, g, deel=deel) for g in gekregen] for v in verwacht]
    beste = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            samen = beste[i + 1][j + 1] + paar[i][j] if paar[i][j] else 0.0
            beste[i][j] = max(beste[i + 1][j], beste[i][j + 1], samen)
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and paar[i][j] and beste[i][j] == beste[i + 1][j + 1] + paar[i][j]:
            yield "paar", i, j
            i, j = i + 1, j + 1
        elif i < n and (j == m or beste[i][j] == beste[i + 1][j]):
            yield "ontbreekt", i, j
            i += 1
        else:
            yield "onverwacht", -1, j
            j += 1


def _score(verwacht: Any, gekregen: Any, *, deel: bool) -> float:
    """2 for equal (a subset, with `deel`); below 1 for alike: objects by their share of equal expected
    values, two other values of one kind (lists; texts, numbers) 0.5; 0 for nothing in common."""
    if verwacht == gekregen or (deel and isinstance(verwacht, dict) and isinstance(gekregen, dict) and deelverzameling(verwacht, gekregen)):
        return 2.0
    if isinstance(verwacht, dict) and isinstance(gekregen, dict):
        return sum(1 for k, v in verwacht.items() if gekregen.get(k) == v) / (len(verwacht) + 1)
    return 0.5 if _vorm(verwacht) == _vorm(gekregen) != "object" else 0.0


def _vorm(waarde: Any) -> str:
    return "object" if isinstance(waarde, dict) else "lijst" if isinstance(waarde, list) else "waarde"


def _enkele(naam: str, verwacht: list[Any], gekregen: list[Any]) -> list[Afwijking]:
    uit = []
    for v in verwacht:
        if any(_score(v, g, deel=True) == 2.0 for g in gekregen):
            continue
        j = _dichtstbij(v, gekregen)
        if j is None:
            uit.append(Afwijking(naam, "niet-gevonden", v))
        else:
            anders = tuple(k for k, w in v.items() if gekregen[j].get(k) != w)
            uit.append(Afwijking(naam, "niet-gevonden", v, gekregen[j], f"{naam}[{j}]", anders))
    return uit


def _dichtstbij(verwacht: Any, gekregen: list[Any]) -> int | None:
    """The outcome item agreeing in the most fields, earlier fields of the expected item first (its
    kind, `soort`, comes first); None when none agrees in any."""
    if not isinstance(verwacht, dict):
        return None
    gelijk: list[list[bool]] = [[isinstance(g, dict) and bool(g.get(k) == v) for k, v in verwacht.items()] for g in gekregen]
    kandidaten = [(sum(s), s, -j) for j, s in enumerate(gelijk) if any(s)]
    return -max(kandidaten)[2] if kandidaten else None


def _pad(basis: str, sleutel: str) -> str:
    naam = sleutel if _NAAM.fullmatch(sleutel) else f"[{json.dumps(sleutel, ensure_ascii=False)}]"
    return naam if not basis else f"{basis}{'' if naam.startswith('[') else '.'}{naam}"


def _beschreven(verwacht: Any) -> str:
    if isinstance(verwacht, dict) and verwacht:
        return "with " + ", ".join(f"{k} {_kort(v)}" for k, v in verwacht.items())
    return f"equal to {_kort(verwacht)}"


def _kort(waarde: Any) -> str:
    """A value as one short piece of a line: an id or instant bare, anything else as compact JSON."""
    if isinstance(waarde, str) and _KAAL.fullmatch(waarde) and not _json_letterlijk(waarde):
        tekst = waarde
    else:
        tekst = json.dumps(waarde, ensure_ascii=False, default=str)
    return tekst if len(tekst) <= KORT else tekst[: KORT - 1] + "…"


def _kort_paar(verwacht: Any, gekregen: Any) -> tuple[str, str]:
    """Two long texts shown from a little before where they first differ, so the difference shows."""
    if not (isinstance(verwacht, str) and isinstance(gekregen, str)):
        return _kort(verwacht), _kort(gekregen)
    gemeen = next((i for i, (a, b) in enumerate(zip(verwacht, gekregen, strict=False)) if a != b), min(len(verwacht), len(gekregen)))
    vanaf = gemeen - KORT // 4 if max(len(verwacht), len(gekregen)) > KORT - 2 else 0
    if vanaf <= 0:
        return _kort(verwacht), _kort(gekregen)
    return _kort("…" + verwacht[vanaf:]), _kort("…" + gekregen[vanaf:])  # quoted: `…` is no id


def _json_letterlijk(tekst: str) -> bool:
    """Whether a bare text would read as another JSON value (`null`, `true`, `3`): then it is quoted."""
    try:
        json.loads(tekst)
    except json.JSONDecodeError:
        return False
    return True
