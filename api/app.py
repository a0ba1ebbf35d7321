"""The casus API: one front door for caseworkers, auditors, operators, beheerders and other systems.

Resources in the agreements' own words (NL API Design Rules), OpenAPI 3 generated from this module
(docs/openapi.json), errors as `application/problem+json` with the rule id and the field, a Bearer
JWT on every call but the ones that say where to log in and whether the service lives. Every use case
is the application layer's (service/); this module only reads requests and writes answers."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from typing import Annotated, Any, Literal, get_args

import structlog
from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api import probleem
from api.identiteit import Verificateur, token_uit_header
from domain.partijen import Identificatie
from domain.tijd import ZONE, geldig_moment
from domain.toegang import Gebruiker
from domain.toestand import Fase
from service import beheer, casussen, herstel, lezen
from service.fouten import DienstFout, Geweigerd
from service.modellen import ActieInvoer, Dossier, Inzage, MeldingInvoer, MeldingUitkomst, Pagina
from service.samenstelling import Samenstelling

log = structlog.get_logger()
_IDENTIFICATIE: TypeAdapter[str] = TypeAdapter(Identificatie)
SLEUTEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
CASUS_ID = r"^(casus-)?[0-9a-fA-F-]{32,36}$"


class Aanmelden(BaseModel):
    issuer: str
    client_id: str = "casus-cli"
    ontwikkeling: bool


class Actieresultaat(BaseModel):
    versie: int
    gebeurtenissen: list[str]
    uitkomst: dict[str, Any]


class VergetenInvoer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reden: str = Field(min_length=1, max_length=2000, description="why the household's personal data is destroyed (recorded)")


class Inzagen(BaseModel):
    inzagen: list[Inzage]
    pagina: Pagina


async def gebruiker(request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None) -> Gebruiker:
    """The verified person of the request's Bearer token: a token accepted before is known at once;
    a new one is checked on a thread (the issuer's keys may have to be fetched over HTTP)."""
    verificateur: Verificateur = request.app.state.verificateur
    token = token_uit_header(authorization)
    if (bekend := verificateur.bekend(token)) is not None:
        return bekend
    return await asyncio.to_thread(verificateur.verifieer, token)


def samenstelling(request: Request) -> Samenstelling:
    s: Samenstelling = request.app.state.samenstelling
    return s


def sleutel_uit(waarde: str | None) -> str | None:
    if waarde is not None and not SLEUTEL.fullmatch(waarde):
        raise Geweigerd("a key is 1 to 100 letters, digits and . _ : - , beginning with a letter or digit", veld="Idempotency-Key")
    return waarde


def wachttijd(
    prefer: Annotated[str | None, Header(description="`wait=N` (RFC 7240): wait at most N s for a worker")] = None,
) -> float | None:
    """The caller's `Prefer: wait=N`; the API never waits longer than its own CASUS_WACHT_OP_WORKER_S."""
    for deel in (prefer or "").split(","):
        naam, _, waarde = deel.strip().partition("=")
        if naam.strip().lower() == "wait" and waarde.strip().isdigit():
            return float(waarde.strip())
    return None


Wie = Annotated[Gebruiker, Depends(gebruiker)]
Wacht = Annotated[float | None, Depends(wachttijd)]
Dienst = Annotated[Samenstelling, Depends(samenstelling)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="the same key again records the request once (a retried melding is one casus)"),
]
CasusId = Annotated[str, Path(pattern=CASUS_ID, description="the casus id (Temporal's `casus-` prefix accepted)")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Limiet = Annotated[int, Query(ge=1, le=1000)]
Reden = Annotated[str | None, Query(max_length=2000, description="why the record is read (logged; required of auditors)")]
FILTER_MAX = 200
"""The longest value of a read's free-text filter: longer is refused (422 naming the field), never looked up."""
# An unknown value of a list's filter is refused (422, naming the field and what is accepted), never an empty list.
Partijfilter = Annotated[
    str | None,
    Query(
        max_length=FILTER_MAX,
        description=f"the party holding the responsibility: {', '.join(lezen.HOUDERS)}, lokaal-team:<team> (a team of a policy) "
        f"or {lezen.INSTELLING}; a caseworker lists their own party's only",
    ),
]
Beleidfilter = Annotated[str | None, Query(max_length=FILTER_MAX, description="a policy id, e.g. ijmond-2024")]
Gemeentefilter = Annotated[
    str | None,
    Query(max_length=FILTER_MAX, description="a gemeente of the policies (of `beleid`, when given), lower case, e.g. velsen"),
]
Fasefilter = Annotated[str | None, Query(max_length=FILTER_MAX, description="the casus's phase: " + ", ".join(get_args(Fase)))]
Casusfilter = Annotated[
    str | None,
    Query(pattern=CASUS_ID, description="only reads of this casus (any spelling of its id: upper case, without dashes, `casus-`)"),
]
Huishoudenfilter = Annotated[str | None, Query(max_length=FILTER_MAX, description="only reads of this household")]
# The two filters of the deadlines combine with OR: each adds its kind of deadline to the list.
Verstreken = Annotated[
    bool,
    Query(
        description="lapsed deadlines not met; with `binnen_dagen` too, both kinds are listed (OR): these and the open ones due "
        "within `binnen_dagen` days"
    ),
]
BinnenDagen = Annotated[
    int | None,
    Query(
        ge=0, le=3660,
        description="open deadlines due within this many days from now; with `verstreken` too, both kinds are listed (OR): "
        "these and the lapsed ones",
    ),
]  # fmt: skip

router = APIRouter()


def maak_app(samenstelling: Samenstelling, verificateur: Verificateur, *, ontwikkeling: bool = False) -> FastAPI:
    """The application over one composition root and one token verifier (both closed at shutdown)."""

    @asynccontextmanager
    async def levensduur(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            verificateur.sluit()
            samenstelling.sluit()

    app = FastAPI(
        title="casus",
        version=version("casus"),
        summary="The collaboration agreements of Veilig Thuis and the lokale teams, casus by casus.",
        description=(
            "Every call but `/aanmelden`, `/gezond` and `/gereed` carries `Authorization: Bearer <token>` from the "
            "organisation's OpenID Connect provider; who acts comes from the token. Errors are `application/problem+json` "
            "with the rule id (`regel`) or access reason (`reden`) and the field (`veld`)."
        ),
        lifespan=levensduur,
        responses=probleem.FOUTEN,
    )
    app.state.samenstelling = samenstelling
    app.state.verificateur = verificateur
    app.state.ontwikkeling = ontwikkeling
    probleem.richt_in(app, samenstelling.settings.api_max_body_bytes)
    app.include_router(router)
    return app


# Where to log in, and whether the service lives: no token.


@router.get("/aanmelden", tags=["dienst"], summary="Where a client gets its token")
async def aanmelden(request: Request) -> Aanmelden:
    return Aanmelden(issuer=request.app.state.verificateur.issuer, ontwikkeling=request.app.state.ontwikkeling)


@router.get("/gezond", tags=["dienst"], summary="Liveness: the process answers")
async def gezond() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/gereed", tags=["dienst"], summary="Readiness: the event store and Temporal answer", responses={503: probleem.FOUTEN[503]})
async def gereed(request: Request, s: Dienst) -> Response:
    """Asked without a token: says which part is not ready, never where it is or what it answered
    (that goes to the log)."""
    for deel, controle in (("event store", _store_gereed), ("Temporal", _temporal_gereed)):
        try:
            await controle(s)
        except DienstFout as e:
            log.warning("not ready", deel=deel, fout=e.melding)
            return probleem.antwoord(503, "Not ready", f"the {deel} does not answer", "niet-gereed", request.url.path)
    return JSONResponse({"status": "gereed"})


async def _store_gereed(s: Samenstelling) -> None:
    await asyncio.to_thread(lambda: s.lees(s.store.head, "read the log's head"))


async def _temporal_gereed(s: Samenstelling) -> None:
    await s.temporal()


# Casussen.


@router.post("/casussen", status_code=201, tags=["casussen"], summary="Register a melding: starts a casus")
async def melding(invoer: MeldingInvoer, wie: Wie, s: Dienst, wacht: Wacht, sleutel: IdempotencyKey = None) -> MeldingUitkomst:
    return await casussen.meld(s, wie, invoer, sleutel_uit(sleutel), wacht)


@router.get("/casussen", tags=["casussen"], summary="Casussen from the read model (a caseworker: those their party holds)")
async def lijst(
    wie: Wie, s: Dienst, partij: Partijfilter = None, beleid: Beleidfilter = None, gemeente: Gemeentefilter = None,
    fase: Fasefilter = None, termijn_verstreken: bool = False, met_afgesloten: bool = False, offset: Offset = 0, limiet: Limiet = 100,
) -> dict[str, Any]:  # fmt: skip
    return await lezen.lijst(
        s, wie, partij=partij, beleid=beleid, gemeente=gemeente, fase=fase, termijn_verstreken=termijn_verstreken,
        met_afgesloten=met_afgesloten, offset=offset, limiet=limiet,
    )  # fmt: skip


@router.get("/casussen/{casus_id}", tags=["casussen"], summary="The casus as its workflow holds it now (outcome JSON)")
async def toestand(casus_id: CasusId, wie: Wie, s: Dienst, wacht: Wacht) -> dict[str, Any]:
    return await casussen.toestand(s, wie, _id(casus_id), wacht)


@router.post("/casussen/{casus_id}/acties/{actie}", tags=["casussen"], summary="One step of a casus (CONTRACT.md actions)")
async def actie(
    casus_id: CasusId, actie: Annotated[str, Path(max_length=60)], invoer: ActieInvoer, wie: Wie, s: Dienst, wacht: Wacht,
    sleutel: IdempotencyKey = None,
) -> Actieresultaat:  # fmt: skip
    uit = await casussen.handel(s, wie, _id(casus_id), actie, invoer, sleutel_uit(sleutel), wacht)
    return Actieresultaat(versie=uit.versie, gebeurtenissen=uit.gebeurtenissen, uitkomst=uit.uitkomst)


@router.post("/casussen/{casus_id}/herstel", tags=["beheer"], summary="Restore a casus's workflow from its event stream (beheerder)")
async def herstel_casus(casus_id: CasusId, wie: Wie, s: Dienst) -> dict[str, Any]:
    return dataclasses.asdict(await herstel.herstel(s, wie, _id(casus_id)))


@router.get(
    "/casussen/{casus_id}/audit",
    tags=["audit"],
    summary="Who held zicht op veiligheid when; `Accept: text/html` gives the auditor's page",
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
async def audit(
    request: Request, casus_id: CasusId, wie: Wie, s: Dienst, op: datetime | None = None, volgens: datetime | None = None,
    reden: Reden = None,
) -> Response:  # fmt: skip
    html = "text/html" in request.headers.get("accept", "")
    uit = await lezen.audit(s, wie, _id(casus_id), op=_moment(op, "op"), volgens=_moment(volgens, "volgens"), reden=reden, html=html)
    if html:
        return HTMLResponse(uit["html"])
    return JSONResponse(uit)


@router.get("/casussen/{casus_id}/dossier", tags=["audit"], summary="The casus's personal texts, opened (every read is logged)")
async def dossier(casus_id: CasusId, wie: Wie, s: Dienst, reden: Reden = None) -> Dossier:
    return await casussen.dossier(s, wie, _id(casus_id), reden)


# Households, deadlines, reports, the access log.


@router.get("/huishoudens/{sleutel}", tags=["huishoudens"], summary="Every melding and casus of one household (IJM-1.2.1)")
async def huishouden(sleutel: Annotated[str, Path(max_length=200)], wie: Wie, s: Dienst, reden: Reden = None) -> dict[str, Any]:
    return await lezen.huishouden(s, wie, _huishouden(sleutel), reden)


@router.post("/huishoudens/{sleutel}/vergeten", tags=["huishoudens"], summary="Forget a household's personal data (Wmo 2015 art. 5.3.5)")
async def vergeten(
    sleutel: Annotated[str, Path(max_length=200)], invoer: VergetenInvoer, wie: Wie, s: Dienst, wacht: Wacht
) -> dict[str, Any]:
    return await beheer.vergeet(s, wie, _huishouden(sleutel), invoer.reden, wacht)


@router.get("/termijnen", tags=["termijnen"], summary="Deadlines lapsed and not met, or due within some days")
async def termijnen(
    wie: Wie, s: Dienst, verstreken: Verstreken = False, binnen_dagen: BinnenDagen = None, offset: Offset = 0, limiet: Limiet = 100,
) -> dict[str, Any]:  # fmt: skip
    tot = datetime.now(UTC) + timedelta(days=binnen_dagen) if binnen_dagen is not None else None
    return await lezen.termijnen(s, wie, verstreken=verstreken, binnen_tot=tot, offset=offset, limiet=limiet)


@router.get(
    "/rapporten/{beleid}",
    tags=["rapporten"],
    summary="Compliance per deadline kind for meldingen received van..tot; `formaat=csv`: one CSV row per kind",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def rapport(
    beleid: Annotated[str, Path(max_length=100)], van: date, tot: date, wie: Wie, s: Dienst,
    formaat: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Response:  # fmt: skip
    uit = await lezen.rapport(s, wie, beleid, van, tot)
    if formaat == "csv":
        naam = f"rapport-{uit['beleid']}-{uit['van']}-{uit['tot']}.csv"
        koppen = {"Content-Disposition": f'attachment; filename="{naam}"'}
        return Response(lezen.rapport_csv(uit), media_type="text/csv; charset=utf-8", headers=koppen)
    return JSONResponse(uit)


@router.get("/inzage-log", tags=["audit"], summary="Every logged read of a person's record (auditors)")
async def inzage_log(
    wie: Wie, s: Dienst, casus_id: Casusfilter = None, huishouden: Huishoudenfilter = None, offset: Offset = 0, limiet: Limiet = 100,
) -> Inzagen:  # fmt: skip
    gevonden, totaal = await lezen.inzage_log(
        s, wie, casus_id=_id(casus_id) if casus_id else None, huishouden=huishouden, offset=offset, limiet=limiet
    )
    volgende = offset + limiet if offset + limiet < totaal else None
    return Inzagen(inzagen=gevonden, pagina=Pagina(totaal=totaal, offset=offset, limiet=limiet, volgende=volgende))


def _huishouden(sleutel: str) -> str:
    try:
        return _IDENTIFICATIE.validate_python(sleutel)
    except ValidationError as e:
        raise Geweigerd(f"huishouden: {e.errors()[0]['msg']}", veld="huishouden") from None


def _id(casus_id: str) -> str:
    """The casus id in its one form (lower case, dashed), whatever spelling was sent: every read is
    logged, every workflow named and every filter applied under that form only."""
    return casussen.casus_id_uit(casus_id)


def _moment(moment: datetime | None, veld: str) -> datetime | None:
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=ZONE)
    try:
        return geldig_moment(moment)
    except ValueError as e:
        raise Geweigerd(str(e), veld=veld) from None
