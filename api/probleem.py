"""How the API answers what goes wrong: RFC 9457 problem details (`application/problem+json`) with
the rule id (`regel`) or access reason (`reden`) and the field (`veld`), for a use case's refusal, a
token refused, an invalid field, a body over the limit and whatever no use case foresaw (logged here,
answered without any of it)."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.fouten import IdentiteitError
from service.fouten import DienstFout

log = structlog.get_logger()
PROBLEEM = "application/problem+json"
TYPE_BASIS = "urn:casus:probleem:"
STATUS: dict[str, int] = {"geweigerd": 422, "verboden": 403, "onbekend": 404, "conflict": 409, "onbereikbaar": 503}


class Probleem(BaseModel):
    """RFC 9457 problem details, with the rule (`regel`) or access reason (`reden`) and the field."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    regel: str | None = None
    reden: str | None = None
    veld: str | None = None


FOUTEN: dict[int | str, dict[str, Any]] = {
    status: {"model": Probleem, "content": {PROBLEEM: {}}, "description": beschrijving}
    for status, beschrijving in (
        (401, "no valid token"),
        (403, "the token's person may not do this"),
        (404, "no such casus or action"),
        (409, "the key belongs to another request"),
        (413, "the request body is too large"),
        (422, "refused by a rule of the agreements, or a field is invalid"),
        (503, "Temporal, a worker, the event store or the identity provider does not answer"),
    )
}


def antwoord(status: int, titel: str, detail: str, soort: str, instance: str, **extra: Any) -> JSONResponse:
    inhoud = {"type": f"{TYPE_BASIS}{soort}", "title": titel, "status": status, "detail": detail, "instance": instance}
    inhoud |= {k: v for k, v in extra.items() if v is not None}
    return JSONResponse(inhoud, status_code=status, media_type=PROBLEEM)


class _Grootte:
    """Refuses a request body over the limit (413) before it is parsed, whether or not it says its length."""

    def __init__(self, app: ASGIApp, maximum: int) -> None:
        self.app = app
        self.maximum = maximum

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lengte = dict(scope.get("headers", [])).get(b"content-length")
        if lengte is not None and (not lengte.isdigit() or int(lengte) > self.maximum):
            await self._te_groot(scope, receive, send)
            return
        gelezen = 0

        async def tellend() -> Message:
            nonlocal gelezen
            bericht = await receive()
            if bericht["type"] == "http.request":
                gelezen += len(bericht.get("body", b""))
                if gelezen > self.maximum:
                    raise _TeGroot
            return bericht

        try:
            await self.app(scope, tellend, send)
        except _TeGroot:
            await self._te_groot(scope, receive, send)

    async def _te_groot(self, scope: Scope, receive: Receive, send: Send) -> None:
        te_groot = antwoord(
            413, "The request body is too large", f"the API reads at most {self.maximum} bytes", "te-groot", scope.get("path", "")
        )
        await te_groot(scope, receive, send)


class _TeGroot(Exception):  # noqa: N818 - a signal inside the size guard
    pass


def richt_in(app: FastAPI, maximum_body: int) -> None:
    """The size guard and every error handler of the app."""
    app.add_middleware(_Grootte, maximum=maximum_body)
    app.add_exception_handler(DienstFout, _dienstfout)  # type: ignore[arg-type]
    app.add_exception_handler(IdentiteitError, _identiteit)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _ongeldig)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _onverwacht)


async def _dienstfout(request: Request, e: DienstFout) -> JSONResponse:
    status = STATUS[e.soort]
    # An access refusal's code is its `reden`, as for a token's (api/fouten.py), and its `regel` too.
    reden = e.regel if e.soort == "verboden" else None
    return antwoord(status, _titel(e.soort), e.melding, e.soort, request.url.path, regel=e.regel, veld=e.veld, reden=reden)


async def _identiteit(request: Request, e: IdentiteitError) -> JSONResponse:
    geweigerd = antwoord(e.status, e.titel, e.detail, e.reden, request.url.path, reden=e.reden)
    if e.www_authenticate:
        geweigerd.headers["WWW-Authenticate"] = e.www_authenticate
    return geweigerd


async def _ongeldig(request: Request, e: RequestValidationError) -> JSONResponse:
    """The first invalid field, named in the text too (a client may show only the text)."""
    fout = e.errors()[0]
    veld = ".".join(str(p) for p in fout.get("loc", ()) if p not in ("body", "query", "path", "header")) or None
    melding = str(fout.get("msg"))
    if veld == "casus_id" and fout.get("type") == "string_pattern_mismatch":  # not the pattern: what it is
        melding = "casus_id: not a casus id (a UUID such as 3f2b…-…, or casus-<UUID>)"
    elif veld is not None:
        melding = f"{veld} is required and missing" if fout.get("type") == "missing" else f"{veld}: {melding}"
    return antwoord(422, "A field is invalid", melding, "ongeldig", request.url.path, veld=veld)


async def _onverwacht(request: Request, e: Exception) -> JSONResponse:
    """What no use case foresaw: logged with its traceback here, answered without any of it."""
    log.error("unexpected error", pad=request.url.path, exc_info=e)
    return antwoord(500, "Internal error", "the API could not answer this request; it is logged", "intern", request.url.path)


async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
    return antwoord(e.status_code, str(e.detail), str(e.detail), f"http-{e.status_code}", request.url.path)


def _titel(soort: str) -> str:
    return {
        "geweigerd": "Refused by the agreements or an invalid field",
        "verboden": "Not allowed for this person",
        "onbekend": "Not found",
        "conflict": "The key belongs to another request",
        "onbereikbaar": "A service behind the API does not answer",
    }[soort]
