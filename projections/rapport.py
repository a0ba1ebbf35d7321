"""The compliance report of one policy over the casussen whose melding arrived in a period."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import date, timedelta
from typing import Any

from domain.tijd import begin_van
from domain.toestand import STATUS_BIJ_AFLOOP
from eventstore.views import ViewStore, tijdstip, uit_tijdstip
from projections.termijnen import VASTGELEGD

# Decided terms: met in time, met late, missed. `afgelopen` and `van-rechtswege` are never missed.
BESLIST = ("voldaan", "te-laat", "verstreken")


def percentiel(waarden: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not waarden:
        return None
    geordend = sorted(waarden)
    return geordend[max(0, math.ceil(p / 100 * len(geordend)) - 1)]


def rapport(views: ViewStore, beleid: str, van: date, tot: date) -> dict[str, Any]:
    """Melding received from the start of `van` up to the end of `tot` (local dates)."""
    grenzen = (beleid, tijdstip(begin_van(van)), tijdstip(begin_van(tot + timedelta(days=1))))
    casussen = views.query(
        "SELECT houder, status, eerste_besluit FROM caseload WHERE beleid = %s AND ontvangen >= %s AND ontvangen < %s", grenzen
    )
    termijnen = views.query(
        "SELECT t.soort, t.status, t.gesteld_op, t.uiterlijk, t.voldaan_op, v.vastgelegd FROM termijnen t"
        f" JOIN caseload c ON c.casus_id = t.casus_id LEFT JOIN {VASTGELEGD} v ON v.casus_id = t.casus_id AND v.termijn_id = t.termijn_id"
        " WHERE c.beleid = %s AND c.ontvangen >= %s AND c.ontvangen < %s",
        grenzen,
    )
    besluiten = [c["eerste_besluit"] for c in casussen if c["eerste_besluit"]]
    return {
        "beleid": beleid,
        "van": van.isoformat(),
        "tot": tot.isoformat(),
        "casussen": len(casussen),
        "termijnen": [
            _per_soort(soort, [t for t in termijnen if t["soort"] == soort]) for soort in sorted({t["soort"] for t in termijnen})
        ],
        # GM-1: reported, not enforced.
        "aandeel_direct": round(besluiten.count("direct-overdracht") / len(besluiten), 4) if besluiten else None,
        "open_per_houder": dict(sorted(Counter(c["houder"] for c in casussen if c["status"] == "open").items())),
    }


def _status(r: dict[str, Any]) -> str:
    """Rows written before the statuses of rev. 2026-11-30 read as they would be written now."""
    return STATUS_BIJ_AFLOOP.get(r["soort"], "verstreken") if r["status"] == "verstreken" else str(r["status"])


def _per_soort(soort: str, rijen: list[dict[str, Any]]) -> dict[str, Any]:
    status = Counter(_status(r) for r in rijen)
    # T-5c: met in time, recorded after the moment it would have lapsed (registration discipline).
    laat = sum(1 for r in rijen if r["status"] == "voldaan" and r["vastgelegd"] and r["vastgelegd"] >= r["uiterlijk"])
    beslist = sum(status[s] for s in BESLIST)
    dagen = [
        (uit_tijdstip(r["voldaan_op"]) - uit_tijdstip(r["gesteld_op"])).total_seconds() / 86400
        for r in rijen
        if r["status"] in ("voldaan", "te-laat") and r["voldaan_op"]
    ]
    mediaan = statistics.median(dagen) if dagen else None
    p90 = percentiel(dagen, 90)
    return {
        "soort": soort,
        "aantal": len(rijen),
        "open": status["open"],
        "vervallen": status["vervallen"],
        "afgelopen": status["afgelopen"],
        "van_rechtswege": status["van-rechtswege"],
        "laat_vastgelegd": laat,
        "beslist": beslist,
        "tijdig": status["voldaan"],
        "aandeel_tijdig": round(status["voldaan"] / beslist, 4) if beslist else None,
        "mediaan_dagen": round(mediaan, 2) if mediaan is not None else None,
        "p90_dagen": round(p90, 2) if p90 is not None else None,
    }
