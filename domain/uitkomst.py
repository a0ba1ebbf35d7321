"""The outcome of a casus in the contract's JSON shape (CONTRACT.md "Outcome JSON")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.tijd import lokaal
from domain.toestand import Casus, Termijn


class Fout(BaseModel):
    """A refused scenario step."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stap: int
    actie: str
    regel: str
    melding: str
    veld: str | None = None


def _vastlegging(t: Termijn) -> dict[str, Any]:
    """T-5c: met in time but recorded after `uiterlijk` (how late, in days); T-6: provisional."""
    velden: dict[str, Any] = {"laat_vastgelegd": t.laat_vastgelegd, "voorlopig": t.voorlopig}
    if t.laat_vastgelegd and t.vastgelegd_op is not None:
        velden["vastgelegd_op"] = lokaal(t.vastgelegd_op)
        velden["laat_vastgelegd_dagen"] = round((t.vastgelegd_op - t.uiterlijk).total_seconds() / 86400, 2)
    return velden


def _monitoring_periode(casus: Casus) -> dict[str, Any] | None:
    """GM-5.2.7 (rev. 2026-11-30): how long Veilig Thuis monitored, against the region's richtduur
    (reported, not enforced); `dagen` once monitoring has ended."""
    if casus.monitoring_sinds is None:
        return None
    tot = casus.monitoring_tot
    return {
        "van": lokaal(casus.monitoring_sinds),
        "tot": lokaal(tot) if tot else None,
        "dagen": (tot - casus.monitoring_sinds).days if tot else None,
        "richtduur_maanden": casus.monitoring_richtduur_maanden,
    }


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
        "monitoring_periode": _monitoring_periode(casus),
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
                **_vastlegging(t),
            }
            for t in casus.termijnen
        ],
        "berichten": [
            {"soort": b.soort, "aan": b.aan, "op": lokaal(b.op), "inhoud": list(b.inhoud), "bezorgd": b.bezorgd, "regel": b.regel}
            for b in casus.berichten
        ],
        # Messages due at once without a term (GM-7.3b), open until recorded as sent.
        "berichten_open": [{"soort": b.soort, "aan": b.aan, "sinds": lokaal(b.op), "regel": b.regel} for b in casus.berichten_open],
        "fouten": [f.model_dump(exclude_none=True) for f in fouten],
    }
