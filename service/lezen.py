"""The read use cases: the audit timeline of a casus (JSON or the auditor's page), the lists,
deadlines, household and compliance report from the read models, and the access log."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, get_args

from domain.beleid import Beleid
from domain.evolueren import herbouw
from domain.partijen import CLIENTSYSTEEM, INSTELLING_PREFIX, JEUGDHULP, MDA, MELDER, VEILIG_THUIS, team
from domain.tijd import lokaal
from domain.toegang import Gebruiker, partij_voor_lijst, vereis, vereis_betrokken
from domain.toestand import Fase
from projections import caseload, lezen
from projections import huishouden as radar
from projections import rapport as compliance
from projections import termijnen as deadlines
from projections.verantwoordelijkheid import NAME, Interval, houder_op, tijdlijn
from runtime.policies import load_policy, policy_ids
from service import inzagelog
from service.audit_html import pagina
from service.casussen import casus_id_uit, onbekend, toegang, uit_de_store
from service.fouten import Geweigerd
from service.modellen import Inzage
from service.samenstelling import Samenstelling

WACHT_S = 10.0
"""How long a read waits for the read models to hold every stored event."""
HOUDERS = (MELDER, VEILIG_THUIS, JEUGDHULP, MDA, CLIENTSYSTEEM)
"""Who holds zicht op veiligheid besides a policy's teams and an instelling (CONTRACT.md)."""
INSTELLING = f"{INSTELLING_PREFIX}<naam>"


CITAAT_MAX = 80
"""The most of a user's value a refusal quotes."""


def citaat(waarde: str) -> str:
    """A user's value as a refusal quotes it: whole up to CITAAT_MAX characters, else its beginning and `…`."""
    return waarde if len(waarde) <= CITAAT_MAX else f"{waarde[: CITAAT_MAX - 1]}…"


def _bekend(veld: str, waarde: str, toegestaan: Sequence[str], *, voor: str | None = None) -> None:
    """Refuses a value a read is filtered on that the system does not know, naming the field and what it knows:
    a filter that matches nothing by a typing error would otherwise look like an empty caseload."""
    if waarde not in toegestaan:
        waar = f" for {citaat(voor)}" if voor else ""
        raise Geweigerd(f"unknown {veld} '{citaat(waarde)}'{waar}; accepted: {', '.join(toegestaan)}", veld=veld)


def _beleid_uit(beleid: str) -> Beleid:
    _bekend("beleid", beleid, policy_ids())
    return load_policy(beleid)


def _controleer_filters(partij: str | None, beleid: str | None, gemeente: str | None, fase: str | None) -> None:
    """The list's filters against the policies (their gemeenten and teams; one policy's when `beleid`
    is given), the fasen of a casus and the parties that can hold one."""
    beleiden = [_beleid_uit(beleid)] if beleid is not None else [load_policy(b) for b in policy_ids()]
    if gemeente is not None:
        _bekend("gemeente", gemeente, list(dict.fromkeys(g for b in beleiden for g in b.gemeenten)), voor=beleid)
    if fase is not None:
        _bekend("fase", fase, get_args(Fase))
    instelling = partij is not None and partij.startswith(INSTELLING_PREFIX) and partij != INSTELLING_PREFIX
    if partij is not None and not instelling:
        teams = list(dict.fromkeys(team(t.id) for b in beleiden for t in b.teams))
        _bekend("partij", partij, [*HOUDERS, *teams, INSTELLING], voor=beleid)


def interval_json(i: Interval) -> dict[str, Any]:
    return {
        "partij": i.partij, "van": lokaal(i.van), "tot": lokaal(i.tot) if i.tot else None,
        "grond": i.grond, "actor": i.actor, "vastgelegd": lokaal(i.vastgelegd),
    }  # fmt: skip


async def audit(
    s: Samenstelling, wie: Gebruiker, casus_id: str, *, op: datetime | None = None, volgens: datetime | None = None,
    reden: str | None = None, html: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Who held zicht op veiligheid when (projection `verantwoordelijkheid`); `op`: at one moment;
    `volgens`: as the record stood then; `html`: the auditor's page under key `html`."""
    with toegang():
        vereis(wie, "audit", reden)
    return await asyncio.to_thread(_audit, s, wie, casus_id_uit(casus_id), op, volgens, (reden or "").strip(), html)


def _audit(
    s: Samenstelling, wie: Gebruiker, casus_id: str, op: datetime | None, volgens: datetime | None, reden: str, html: bool
) -> dict[str, Any]:
    gebeurtenissen, casus = uit_de_store(s, casus_id)
    with toegang():
        vereis_betrokken(wie, "audit", casus)
    if wie.rol == "auditor":
        inzagelog.leg_vast(s, wie, "audit", reden, casus_id=casus_id, huishouden=casus.huishouden)
    views = s.wacht_op_projecties([NAME], WACHT_S)
    intervallen = s.lees(lambda: tijdlijn(views, casus_id, volgens), "read the timeline")
    resultaat: dict[str, Any] = {
        "casus_id": casus_id,
        "volgens": lokaal(volgens) if volgens else None,
        "verantwoordelijkheid": [interval_json(i) for i in intervallen],
    }
    if op is not None:
        houder = houder_op(intervallen, op)
        resultaat["op"] = lokaal(op)
        resultaat["houder"] = interval_json(houder) if houder else None
    if html:
        zichtbaar = [e for e in gebeurtenissen if volgens is None or e.vastgelegd <= volgens]
        tot_dan = herbouw(zichtbaar) or casus
        resultaat["html"] = pagina(tot_dan, intervallen, zichtbaar, volgens or datetime.now(UTC))
    return resultaat


def _pagina(rijen: list[dict[str, Any]], offset: int, limiet: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    stuk = rijen[offset : offset + limiet]
    volgende = offset + limiet if offset + limiet < len(rijen) else None
    return stuk, {"totaal": len(rijen), "offset": offset, "limiet": limiet, "volgende": volgende}


async def lijst(
    s: Samenstelling, wie: Gebruiker, *, partij: str | None = None, beleid: str | None = None, gemeente: str | None = None,
    fase: str | None = None, termijn_verstreken: bool = False, met_afgesloten: bool = False, offset: int = 0, limiet: int = 100,
) -> dict[str, Any]:  # fmt: skip
    """Casussen from the read model; a caseworker sees those their party holds."""
    with toegang():
        vereis(wie, "lijst")
        houder = partij_voor_lijst(wie, partij)
    # A caseworker's party comes from their verified token; a party another role asks for is checked.
    _controleer_filters(partij if wie.partij is None else None, beleid, gemeente, fase)

    def lees() -> dict[str, Any]:
        views = s.wacht_op_projecties([caseload.NAME, deadlines.NAME], WACHT_S)
        rijen = s.lees(
            lambda: lezen.lijst(
                views,
                partij=houder,
                beleid=beleid,
                gemeente=gemeente,
                fase=fase,
                termijn_verstreken=termijn_verstreken,
                met_afgesloten=met_afgesloten or fase == "afgesloten",  # asking for closed casussen lists them
            ),
            "read the caseload",
        )
        stuk, pagina_ = _pagina(rijen, offset, limiet)
        # The summary of what is listed, with the same filters, over every page (a caseworker's: their own party's).
        return {"casussen": stuk, "caseload": lezen.per_partij(rijen), "pagina": pagina_}

    return await asyncio.to_thread(lees)


async def termijnen(
    s: Samenstelling, wie: Gebruiker, *, verstreken: bool = False, binnen_tot: datetime | None = None, offset: int = 0, limiet: int = 100
) -> dict[str, Any]:
    with toegang():
        vereis(wie, "termijnen")

    def lees() -> dict[str, Any]:
        views = s.wacht_op_projecties([deadlines.NAME, caseload.NAME], WACHT_S)
        rijen = s.lees(lambda: lezen.termijnen(views, verstreken=verstreken, binnen_tot=binnen_tot), "read the deadlines")
        stuk, pagina_ = _pagina(rijen, offset, limiet)
        return {"termijnen": stuk, "pagina": pagina_}

    return await asyncio.to_thread(lees)


async def huishouden(s: Samenstelling, wie: Gebruiker, sleutel: str, reden: str | None = None) -> dict[str, Any]:
    """IJM-1.2.1: every melding and casus of one household (the radar); each read is logged."""
    with toegang():
        vereis(wie, "huishouden", reden)

    def lees() -> dict[str, Any]:
        views = s.wacht_op_projecties([radar.NAME, caseload.NAME], WACHT_S)
        inzagelog.leg_vast(s, wie, "huishouden", (reden or "").strip(), huishouden=sleutel)
        return s.lees(lambda: lezen.huishouden(views, sleutel), "read the household")

    return await asyncio.to_thread(lees)


async def rapport(s: Samenstelling, wie: Gebruiker, beleid: str, van: date, tot: date) -> dict[str, Any]:
    with toegang():
        vereis(wie, "rapport")
    _beleid_uit(beleid)
    for veld, dag in (("van", van), ("tot", tot)):
        if not 2000 <= dag.year <= 2100:
            raise Geweigerd(f"{veld} {dag} lies outside the calendar (2000-2100)", veld=veld)
    if van > tot:
        raise Geweigerd(f"van {van} is after tot {tot}; give van on or before it", veld="van")

    def lees() -> dict[str, Any]:
        views = s.wacht_op_projecties([deadlines.NAME, caseload.NAME], WACHT_S)
        return s.lees(lambda: compliance.rapport(views, beleid, van, tot), "read the report")

    return await asyncio.to_thread(lees)


def rapport_csv(rapport_: dict[str, Any]) -> str:
    """The report's figures per deadline kind as CSV (the API's `formaat=csv`)."""
    return compliance.als_csv(rapport_)


async def inzage_log(
    s: Samenstelling, wie: Gebruiker, *, casus_id: str | None = None, huishouden: str | None = None, offset: int = 0, limiet: int = 100
) -> tuple[list[Inzage], int]:
    """Every logged read of a person's record, for auditors: a page of them and how many there are."""
    with toegang():
        vereis(wie, "inzage-log")
    casus_id = casus_id_uit(casus_id) if casus_id is not None else None  # the log holds each id in its one form

    def lees() -> tuple[list[Inzage], int]:
        # Refused as audit and dossier refuse it, not an empty log that looks like no reads (one row read, not the stream).
        if casus_id is not None and s.lees(lambda: s.store.version(casus_id), "read the casus") == 0:
            raise onbekend(casus_id)
        rijen = inzagelog.lijst(s, casus_id=casus_id, huishouden=huishouden, offset=offset, limiet=limiet)
        return rijen, inzagelog.tel(s, casus_id=casus_id, huishouden=huishouden)

    return await asyncio.to_thread(lees)
