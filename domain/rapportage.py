"""Figures the agreements ask to report, not to enforce."""

from __future__ import annotations

from collections.abc import Iterable

from domain.toestand import Casus


def aandeel_direct(casussen: Iterable[Casus]) -> float | None:
    """GM-1: the share of beoordeelde casussen transferred directly (about 85 % is expected)."""
    besluiten = [c.eerste_besluit for c in casussen if c.eerste_besluit is not None]
    if not besluiten:
        return None
    return sum(b == "direct-overdracht" for b in besluiten) / len(besluiten)
