"""The committed OpenAPI document (docs/openapi.json) is the running app's own and a valid OpenAPI 3
document; regenerate it with `make openapi` after changing the API (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from api.app import maak_app
from api.server import openapi_document, verificateur
from runtime.settings import Settings
from service.samenstelling import Samenstelling

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_the_apps_own() -> None:
    assert json.loads(DOCUMENT.read_text(encoding="utf-8")) == openapi_document(), "run `make openapi` and commit docs/openapi.json"


def test_the_document_is_valid_openapi() -> None:
    validate(json.loads(DOCUMENT.read_text(encoding="utf-8")))


def test_the_validator_refuses_a_broken_document() -> None:
    kapot = openapi_document()
    kapot["paths"]["/casussen"]["post"]["responses"] = "geen antwoorden"
    with pytest.raises(OpenAPIValidationError):
        validate(kapot)


def test_every_error_is_documented_as_problem_json() -> None:
    for pad, methoden in openapi_document()["paths"].items():
        for methode, operatie in methoden.items():
            if pad in ("/gezond", "/aanmelden"):
                continue
            fouten = {s: a for s, a in operatie["responses"].items() if s.startswith(("4", "5")) and s != "422"}
            assert fouten, f"{methode} {pad} documents no errors"
            for status, antwoord in fouten.items():
                assert "application/problem+json" in antwoord["content"], f"{methode} {pad} {status}"


async def test_the_running_app_serves_the_same_document(tmp_path: Path) -> None:
    app = maak_app(Samenstelling(Settings(state_dir=tmp_path)), verificateur("https://uitgever.example.nl/realms/casus"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://casus.test") as client:
        assert (await client.get("/openapi.json")).json() == json.loads(DOCUMENT.read_text(encoding="utf-8"))
