"""The compliance report of one policy over the casussen whose melding arrived in a period, as JSON
and as CSV."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter
from datetime import date, timedelta
from typing import Any

from domain.rapportage import AANDEEL_DIRECT, dagen_tot, eenheid, geldt_voor
from domain.stap import Regelset
from domain.tijd import begin_van
from domain.toestand import STATUS_BIJ_AFLOOP
from eventstore.views import ViewStore, tijdstip, uit_tijdstip
from projections.termijnen import VASTGELEGD
from runtime.policies import load_rules

# Decided terms: met in time, met late, missed. `afgelopen` and `van-rechtswege` are never missed.
BESLIST = ("voldaan", "te-laat", "verstreken")
CSV_KOLOMMEN = (
    "beleid", "van", "tot", "soort", "regels", "aantal", "beslist", "tijdig", "percentage_tijdig", "eenheid", "mediaan", "p90",
    "laat_vastgelegd", "open", "vervallen", "afgelopen", "van_rechtswege",
)  # fmt: skip


def percentiel(waarden: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not waarden:
        return None
    geordend = sorted(waarden)
    return geordend[max(0, math.ceil(p / 100 * len(geordend)) - 1)]


def percentage(deel: int, geheel: int) -> float | None:
    return round(100 * deel / geheel, 1) if geheel else None


def rapport(views: ViewStore, beleid: str, van: date, tot: date) -> dict[str, Any]:
    """Melding received from the start of `van` up to the end of `tot` (local dates)."""
    regelset = load_rules(beleid)
    grenzen = (beleid, tijdstip(begin_van(van)), tijdstip(begin_van(tot + timedelta(days=1))))
    casussen = views.query(
        "SELECT houder, status, eerste_besluit FROM caseload WHERE beleid = %s AND ontvangen >= %s AND ontvangen < %s", grenzen
    )
    termijnen = views.query(
        "SELECT t.soort, t.regel, t.status, t.gesteld_op, t.uiterlijk, t.voldaan_op, v.vastgelegd FROM termijnen t"
        f" JOIN caseload c ON c.casus_id = t.casus_id LEFT JOIN {VASTGELEGD} v ON v.casus_id = t.casus_id AND v.termijn_id = t.termijn_id"
        " WHERE c.beleid = %s AND c.ontvangen >= %s AND c.ontvangen < %s",
        grenzen,
    )
    uit: dict[str, Any] = {
        "beleid": beleid,
        "van": van.isoformat(),
        "tot": tot.isoformat(),
        "casussen": len(casussen),
        "termijnen": [
            _per_soort(regelset, soort, [t for t in termijnen if t["soort"] == soort]) for soort in sorted({t["soort"] for t in termijnen})
        ],
        "open_per_houder": dict(sorted(Counter(c["houder"] for c in casussen if c["status"] == "open").items())),
    }
    if geldt_voor(AANDEEL_DIRECT, regelset.beleid):  # GM-1: reported, not enforced; only under its own agreement
        besluiten = [c["eerste_besluit"] for c in casussen if c["eerste_besluit"]]
        direct = besluiten.count("direct-overdracht")
        uit |= {
            "aandeel_direct": round(direct / len(besluiten), 4) if besluiten else None,
            "percentage_direct": percentage(direct, len(besluiten)),
            "aandeel_direct_regel": AANDEEL_DIRECT,
        }
    return uit


def _status(r: dict[str, Any]) -> str:
    """Rows written before the statuses of rev. 2026-11-30 read as they would be written now."""
    return STATUS_BIJ_AFLOOP.get(r["soort"], "verstreken") if r["status"] == "verstreken" else str(r["status"])


def _getal(waarde: float | None) -> float | int | None:
    """A figure as a person reads it: whole when it is, else two decimals."""
    if waarde is None:
        return None
    return int(waarde) if float(waarde).is_integer() else round(waarde, 2)


def _per_soort(regelset: Regelset, soort: str, rijen: list[dict[str, Any]]) -> dict[str, Any]:
    status = Counter(_status(r) for r in rijen)
    # T-5c: met in time, recorded after the moment it would have lapsed (registration discipline).
    laat = sum(1 for r in rijen if r["status"] == "voldaan" and r["vastgelegd"] and r["vastgelegd"] >= r["uiterlijk"])
    beslist = sum(status[s] for s in BESLIST)
    gehaald = [
        (uit_tijdstip(r["gesteld_op"]), uit_tijdstip(r["voldaan_op"]))
        for r in rijen
        if r["status"] in ("voldaan", "te-laat") and r["voldaan_op"]
    ]
    dagen = [(klaar - begin).total_seconds() / 86400 for begin, klaar in gehaald]
    # T-2 / T-3: in the term's own unit, working days for a working-day term.
    eigen = [dagen_tot(regelset.werkdagen, soort, begin, klaar) for begin, klaar in gehaald]
    return {
        "soort": soort,
        "regels": sorted({r["regel"] for r in rijen}),
        "aantal": len(rijen),
        "open": status["open"],
        "vervallen": status["vervallen"],
        "afgelopen": status["afgelopen"],
        "van_rechtswege": status["van-rechtswege"],
        "laat_vastgelegd": laat,
        "beslist": beslist,
        "tijdig": status["voldaan"],
        "aandeel_tijdig": round(status["voldaan"] / beslist, 4) if beslist else None,
        "percentage_tijdig": percentage(status["voldaan"], beslist),
        "eenheid": eenheid(soort),
        "mediaan": _getal(statistics.median(eigen)) if eigen else None,
        "p90": _getal(percentiel([float(x) for x in eigen], 90)),
        # Calendar days with their fraction, as before this report counted in each term's own unit.
        "mediaan_dagen": round(statistics.median(dagen), 2) if dagen else None,
        "p90_dagen": _rond(percentiel(dagen, 90)),
    }


def _rond(waarde: float | None) -> float | None:
    return round(waarde, 2) if waarde is not None else None


def als_csv(r: dict[str, Any]) -> str:
    """The report's figures per deadline kind, one row each (RFC 4180), every row naming its policy
    and period; lists are space-separated, an absent figure is empty."""
    uit = io.StringIO()
    schrijver = csv.DictWriter(uit, fieldnames=CSV_KOLOMMEN, extrasaction="ignore", lineterminator="\r\n")
    schrijver.writeheader()
    for soort in r["termijnen"]:
        rij = {"beleid": r["beleid"], "van": r["van"], "tot": r["tot"]} | soort | {"regels": " ".join(soort["regels"])}
        schrijver.writerow({k: "" if v is None else v for k, v in rij.items()})
    return uit.getvalue()
