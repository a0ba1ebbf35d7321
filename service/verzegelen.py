"""Seals the personal fields of a melding or an action before it leaves the client."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from domain.opdrachten import open_codes, persoonlijke_velden
from eventstore.kluis import Kluis

M = TypeVar("M", bound=BaseModel)


def heeft_persoonlijk(model: BaseModel) -> bool:
    return any(getattr(model, veld) for veld in persoonlijke_velden(type(model)))


def verzegel(model: M, huishouden: str, kluis: Kluis) -> M:
    updates: dict[str, object] = {}
    for veld in persoonlijke_velden(type(model)):
        waarde = getattr(model, veld)
        if isinstance(waarde, str) and waarde and waarde not in open_codes(type(model), veld):
            updates[veld] = kluis.verzegel(huishouden, waarde)
        elif isinstance(waarde, tuple) and waarde:
            updates[veld] = tuple(kluis.verzegel(huishouden, w) for w in waarde)
    return model.model_copy(update=updates)
