"""Questions operators ask of the read models: which casussen, whose, what is due, one household."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from domain.aan_zet import aan_zet, cycli
from domain.tijd import lokaal
from domain.toestand import STATUS_BIJ_AFLOOP, Casus
from eventstore.views import Row, ViewStore, tijdstip, uit_tijdstip

# A missed term: lapsed and not met. Informative terms and the sixth-day transfer are never missed
# (rev. 2026-11-30), also in rows a read model wrote before their statuses existed.
GEMIST = "t.status = 'verstreken' AND t.soort NOT IN ({})".format(", ".join(f"'{s}'" for s in sorted(STATUS_BIJ_AFLOOP)))
TIJDEN = ("ontvangen", "afgesloten_op", "volgende_termijn", "uiterlijk", "voldaan_op", "gesteld_op")


def _leesbaar(rij: Row) -> dict[str, Any]:
    return {k: (lokaal(uit_tijdstip(v)) if k in TIJDEN and v else v) for k, v in rij.items()}


def lijst(
    views: ViewStore,
    *,
    partij: str | None = None,
    beleid: str | None = None,
    gemeente: str | None = None,
    fase: str | None = None,
    termijn_verstreken: bool = False,
    met_afgesloten: bool = False,
) -> list[dict[str, Any]]:
    voorwaarden, params = ([] if met_afgesloten else ["c.status = 'open'"]), []
    for kolom, waarde in (("houder", partij), ("beleid", beleid), ("gemeente", gemeente), ("fase", fase)):
        if waarde is not None:
            voorwaarden.append(f"c.{kolom} = %s")
            params.append(waarde)
    if termijn_verstreken:
        voorwaarden.append(f"EXISTS (SELECT 1 FROM termijnen t WHERE t.casus_id = c.casus_id AND {GEMIST})")
    waar = f"WHERE {' AND '.join(voorwaarden)}" if voorwaarden else ""
    rijen = views.query(
        "SELECT c.casus_id, c.beleid, c.gemeente, c.huishouden, c.houder, c.fase, c.status, c.ontvangen, c.volgende_termijn,"
        f" c.monitoring_besluit_nodig FROM caseload c {waar} ORDER BY c.ontvangen, c.casus_id",
        params,
    )
    return [_leesbaar(r) | {"monitoring_besluit_nodig": bool(r["monitoring_besluit_nodig"])} for r in rijen]


def per_partij(rijen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open casussen of a list per party holding them: the summary of what was listed."""
    geteld = Counter(r["houder"] for r in rijen if r["status"] == "open" and r["houder"])
    return [{"partij": p, "open": n} for p, n in sorted(geteld.items(), key=lambda x: (-x[1], x[0]))]


def termijnen(views: ViewStore, *, verstreken: bool = False, binnen_tot: datetime | None = None) -> list[dict[str, Any]]:
    """Lapsed deadlines not met, and/or open deadlines due before a moment."""
    voorwaarden: list[str] = []
    params: list[Any] = []
    if verstreken:
        voorwaarden.append(f"({GEMIST})")
    if binnen_tot is not None:
        voorwaarden.append("(t.status = 'open' AND t.uiterlijk <= %s)")
        params.append(tijdstip(binnen_tot))
    waar = f"WHERE {' OR '.join(voorwaarden)}" if voorwaarden else f"WHERE t.status = 'open' OR ({GEMIST})"
    rijen = views.query(
        "SELECT t.casus_id, t.termijn_id, t.soort, t.regel, t.gesteld_op, t.uiterlijk, t.status, t.beleid, t.gemeente, c.houder,"
        f" c.toestand FROM termijnen t LEFT JOIN caseload c ON c.casus_id = t.casus_id {waar}"
        " ORDER BY t.uiterlijk, t.casus_id, t.termijn_id",
        params,
    )
    staat: dict[str, tuple[Casus, dict[str, int]] | None] = {}
    for r in rijen:
        if r["casus_id"] not in staat:
            casus = Casus.model_validate_json(r["toestand"]) if r["toestand"] else None
            staat[r["casus_id"]] = (casus, cycli(casus)) if casus else None
    return [_termijn(r, staat[r["casus_id"]]) for r in rijen]


def _termijn(rij: Row, staat: tuple[Casus, dict[str, int]] | None) -> dict[str, Any]:
    """A deadline with who must act on it and its beoordeling cycle, from the casus's state as the
    caseload read model folded it (domain/aan_zet.py)."""
    leesbaar = _leesbaar({k: v for k, v in rij.items() if k != "toestand"})
    if staat is None:  # the caseload has not read the casus yet
        return leesbaar | {"cyclus": None, "aan_zet": []}
    casus, cyclus = staat
    return leesbaar | {"cyclus": cyclus.get(rij["termijn_id"]), "aan_zet": list(aan_zet(rij["soort"], casus))}


def huishouden(views: ViewStore, sleutel: str) -> dict[str, Any]:
    """IJM-1.2.1: every melding and casus of one household, over any period."""
    meldingen = views.query(
        "SELECT casus_id, aanleiding, ontvangen, beleid, gemeente, acuut, melder_soort, melder_anoniem FROM huishouden_meldingen"
        " WHERE huishouden = %s ORDER BY ontvangen, casus_id, versie",
        (sleutel,),
    )
    casussen = views.query(
        "SELECT casus_id, beleid, gemeente, houder, fase, status, ontvangen, afgesloten_op FROM caseload"
        " WHERE huishouden = %s ORDER BY ontvangen, casus_id",
        (sleutel,),
    )
    return {
        "huishouden": sleutel,
        "meldingen": [_leesbaar(m) | {"acuut": bool(m["acuut"]), "melder_anoniem": bool(m["melder_anoniem"])} for m in meldingen],
        "casussen": [_leesbaar(c) for c in casussen],
    }
