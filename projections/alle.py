"""Every read model, in the order the runner follows them."""

from __future__ import annotations

from projections.basis import Projection
from projections.caseload import Caseload
from projections.huishouden import Huishouden
from projections.termijnen import Termijnen
from projections.verantwoordelijkheid import Verantwoordelijkheid


def alle() -> list[Projection]:
    return [Verantwoordelijkheid(), Termijnen(), Huishouden(), Caseload()]


def namen() -> list[str]:
    return [p.name for p in alle()]
