"""The facts on the audit page (service/audit_html.py): each event with its own fields, what the
step did and what it changed, in words; a household's free text shown as sealed, never in clear."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from domain.gebeurtenissen import Gebeurtenis
from domain.opdrachten import OPDRACHTEN, Afsluiten, Melden, open_codes, persoonlijke_velden
from domain.tijd import lokaal


def kort(moment: datetime) -> str:
    return lokaal(moment)[:16].replace("T", " ")


ENVELOP = frozenset({"op", "vastgelegd", "actor", "regel", "type", "casus_id", "beleid_hash"})
_MODELLEN: tuple[type[BaseModel], ...] = (*OPDRACHTEN.values(), Melden)
PERSOONLIJK = frozenset(v for soort in _MODELLEN for v in persoonlijke_velden(soort))
"""The names of the fields that carry a household's free text, sealed before they are stored."""
NIET_PERSOONLIJK: dict[str, frozenset[str]] = {
    "BeoordelingAfgerond": frozenset({"besluit"}),  # a code of the policy's outcomes
    "BerichtVerstuurd": frozenset({"inhoud"}),  # the codes of what a message holds
    "TermijnVervallen": frozenset({"reden"}),  # the domain's own wording
    "MonitoringBeeindigd": frozenset({"reden"}),
    "OverdrachtVervangen": frozenset({"reden"}),
    "HuishoudenVergeten": frozenset({"reden"}),  # names the request, never a person
}
OPEN_CODES: dict[tuple[str, str], tuple[str, ...]] = {("CasusAfgesloten", "reden"): open_codes(Afsluiten, "reden")}
VERZEGELD = "(verzegeld)"
_VERZEGELDE_VORM = re.compile(r"vz\d+:[A-Za-z0-9+/]*={0,2}")
NAMEN = {"termijn_id": "termijn", "te_laat": "te laat", "richtduur_maanden": "richtduur (maanden)", "gi_betrokken": "GI betrokken"}


def _waarde(waarde: object) -> str:
    """A value as an auditor reads it: ja/nee, local times, lists joined; '' for nothing."""
    if isinstance(waarde, bool):
        return "ja" if waarde else "nee"
    if isinstance(waarde, datetime):
        return kort(waarde)
    if isinstance(waarde, str):
        return VERZEGELD if _VERZEGELDE_VORM.fullmatch(waarde) else waarde
    if isinstance(waarde, BaseModel):
        return ", ".join(f"{NAMEN.get(k, k.replace('_', ' '))} {w}" for k, w in _velden(waarde))
    if isinstance(waarde, tuple | list):
        return ", ".join(w for w in (_waarde(v) for v in waarde) if w)
    return "" if waarde is None else str(waarde)


def _velden(model: BaseModel, verborgen: frozenset[str] = frozenset(), persoonlijk: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The fields of a model that say something: not empty, not at their default; free text as sealed."""
    uit: list[tuple[str, str]] = []
    soort = type(model).__name__
    for naam, info in type(model).model_fields.items():
        waarde = getattr(model, naam)
        if waarde is None and info.is_required() and naam not in verborgen:
            uit.append((naam, "geen"))
            continue
        if (
            naam in verborgen
            or waarde is None
            or waarde in ((), "", {})
            or (info.default is not PydanticUndefined and waarde == info.default)
        ):
            continue
        if isinstance(waarde, dict):
            uit += [(k, VERZEGELD if k in persoonlijk else _waarde(w)) for k, w in waarde.items() if w not in ("", None)]
        elif naam in persoonlijk and waarde not in OPEN_CODES.get((soort, naam), ()):
            uit.append((naam, VERZEGELD))
        elif tekst := _waarde(waarde):
            uit.append((naam, tekst))
    return uit


def details(e: Gebeurtenis) -> str:
    """What a fact records beyond its envelope (when, who, which rule), generically from its fields."""
    persoonlijk = PERSOONLIJK - NIET_PERSOONLIJK.get(e.type, frozenset())
    velden = _velden(e, ENVELOP, persoonlijk)
    return " · ".join(f"{NAMEN.get(k, k.replace('_', ' '))}: {w}" for k, w in velden) or "geen verdere gegevens"


# --- the page -----------------------------------------------------------------------------------
