"""The outcome of a casus in the contract's JSON shape (CONTRACT.md "Outcome JSON")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.tijd import lokaal
from domain.toestand import Casus


class Fout(BaseModel):
    """A refused scenario step."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stap: int
    actie: str
    regel: str
    melding: str
    veld: str | None = None


def uitkomst(casus: Casus, fouten: tuple[Fout, ...] = ()) -> dict[str, Any]:
    return {
        "casus_id": casus.casus_id,
        "beleid": casus.beleid,
        "status": "afgesloten" if casus.fase == "afgesloten" else "open",
        "fase": casus.fase,
        "houder": casus.houder,
        "casusregie": casus.casusregie,
        "monitoring": casus.monitoring,
        "monitoring_besluit_nodig": casus.monitoring_besluit_nodig,
        "verantwoordelijkheid": [
            {"partij": i.partij, "van": lokaal(i.van), "tot": lokaal(i.tot) if i.tot else None, "grond": i.grond}
            for i in casus.verantwoordelijkheid
        ],
        "termijnen": [
            {
                "soort": t.soort,
                "uiterlijk": lokaal(t.uiterlijk),
                "status": t.status,
                "voldaan_op": lokaal(t.voldaan_op) if t.voldaan_op else None,
                "regel": t.regel,
            }
            for t in casus.termijnen
        ],
        "berichten": [
            {"soort": b.soort, "aan": b.aan, "op": lokaal(b.op), "inhoud": list(b.inhoud), "bezorgd": b.bezorgd, "regel": b.regel}
            for b in casus.berichten
        ],
        "fouten": [f.model_dump(exclude_none=True) for f in fouten],
    }
