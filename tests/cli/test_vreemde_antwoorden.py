"""What answers at CASUS_API_URL but is not the casus API, and what cannot be asked of it: a redirect is
named with where it points (never followed); JSON of another shape is exit 3 asking whether
CASUS_API_URL is the casus API, for every client command, one JSON document with --json; a value too
long for a request's address is refused naming its option, nothing sent. The network is an
httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
import httpx
import pytest

from casus_cli import client
from tests.cli.conftest import Uitkomst, netwerk

ID = "0e0e0e0e-0000-4000-8000-000000000000"
Casus = Callable[..., Uitkomst]


@pytest.mark.parametrize(
    ("location", "voorstel"),
    [("https://casus.example.nl/casussen?offset=0", "https://casus.example.nl"), ("/v2/casussen", "{api}/v2"),
     ("https://elders.example.nl/iets", "https://elders.example.nl/iets")],
)  # fmt: skip
def test_a_redirect_says_where_it_points_that_nothing_was_followed_and_what_casus_api_url_would_reach_it(
    casus: Casus, monkeypatch: pytest.MonkeyPatch, location: str, voorstel: str
) -> None:
    verzoeken = _netwerk(monkeypatch, lambda _v: httpx.Response(307, headers={"Location": location}))
    voorstel = voorstel.format(api=client.api_url())
    r = casus("lijst", "--als", "operator")
    assert r.code == 1, r.err
    assert f"answered GET /casussen with a redirect (HTTP 307) to {httpx.URL(client.api_url()).join(location)}" in r.err, r.err
    assert "nothing was followed" in r.err and f"set CASUS_API_URL={voorstel}" in r.err
    assert len(verzoeken) == 1
    j = casus("lijst", "--als", "operator", "--json")
    assert j.code == 1 and json.loads(j.out)["fout"]["veld"] == "CASUS_API_URL"


def test_a_redirect_to_plain_http_elsewhere_says_a_token_may_not_go_there(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    _netwerk(monkeypatch, lambda _v: httpx.Response(301, headers={"Location": "http://casus.example.nl/casussen"}))
    r = casus("lijst", "--als", "operator")
    assert r.code == 1 and "set CASUS_API_URL=http://casus.example.nl (but a token may not go there" in r.err, r.err


VREEMD: list[tuple[str, Any]] = [
    ("een object van iets anders", {"detail": "Not Found", "hallo": 1}),
    ("een lijst", []),
    ("leden van een ander type", {"casussen": 5, "pagina": "nee", "caseload": None, "uitkomst": [], "issuer": None, "teksten": 3}),
    ("rijen die geen objecten zijn", {"casussen": ["x"], "pagina": {}, "meldingen": ["x"], "termijnen": ["x"]}),
]
OPDRACHTEN: list[tuple[str, ...]] = [
    ("lijst", "--als", "operator"),
    ("status", ID, "--als", "operator"),
    ("termijnen", "--als", "operator"),
    ("huishouden", "HH-1", "--als", "operator"),
    ("dossier", ID, "--reden", "r", "--als", "operator"),
    ("spoed-vastgesteld", ID, "--als", "veilig-thuis"),
    ("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "H", "--als", "veilig-thuis"),
    ("login", "--als", "veilig-thuis", "--medewerker", "anna"),
]


@pytest.mark.parametrize("opdracht", OPDRACHTEN, ids=lambda o: o[0])
@pytest.mark.parametrize(("soort", "inhoud"), VREEMD, ids=[v[0] for v in VREEMD])
def test_json_of_another_shape_is_exit_3_asking_whether_casus_api_url_is_the_casus_api(
    casus: Casus, monkeypatch: pytest.MonkeyPatch, opdracht: tuple[str, ...], soort: str, inhoud: Any
) -> None:
    """`KeyError: 'casussen'` (lijst) and `KeyError: 'issuer'` (login) were tracebacks."""
    del soort
    _netwerk(monkeypatch, lambda _v: httpx.Response(200, json=inhoud))
    r = casus(*opdracht)
    assert r.code == 3, r.err
    assert f"the server at CASUS_API_URL ({client.api_url()}) did not answer" in r.err and "is CASUS_API_URL the casus API?" in r.err
    assert "Traceback" not in r.err
    j = casus(*opdracht, "--json")
    if j.code == 0:  # --json passes on what it got where the command reads no member of it: still one document
        json.loads(j.out)
        return
    fout = json.loads(j.out)["fout"]  # exactly one document on stdout
    assert j.code == 3 and fout["exit_code"] == 3 and fout["veld"] == "CASUS_API_URL"


def test_lijst_missing_casussen_names_the_member_and_the_request(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    _netwerk(monkeypatch, lambda _v: httpx.Response(200, json={"detail": "Not Found"}))
    r = casus("lijst", "--als", "operator")
    assert r.code == 3 and "did not answer GET /casussen as the casus API does (no 'casussen' in its answer)" in r.err, r.err


def test_login_missing_issuer_is_exit_3_with_one_json_document(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    _netwerk(monkeypatch, lambda _v: httpx.Response(200, json={"status": "ok"}))
    r = casus("login", "--als", "veilig-thuis", "--json")
    fout = json.loads(r.out)["fout"]
    assert r.code == 3 and "GET /aanmelden" in fout["melding"] and "'issuer'" in fout["melding"]


@pytest.mark.parametrize(
    ("opdracht", "optie"),
    [(("lijst", "--beleid"), "beleid"), (("lijst", "--gemeente"), "gemeente"), (("inzage-log", "--huishouden"), "huishouden"),
     (("dossier", ID, "--reden"), "reden")],
)  # fmt: skip
def test_a_value_too_long_for_a_query_is_refused_naming_its_option_and_nothing_is_sent(
    casus: Casus, monkeypatch: pytest.MonkeyPatch, opdracht: tuple[str, ...], optie: str
) -> None:
    verzoeken = _netwerk(monkeypatch, lambda _v: httpx.Response(200, json={}))
    r = casus(*opdracht, "x" * 70_000, "--als", "operator")
    assert r.code == 1, r.err
    assert f"--{optie} is 70000 characters long; at most {client.MAX_WAARDE}" in r.err and "nothing was sent" in r.err
    assert "Traceback" not in r.err and verzoeken == []
    j = casus(*opdracht, "x" * 70_000, "--als", "operator", "--json")
    assert j.code == 1 and json.loads(j.out)["fout"]["veld"] == optie


def test_a_path_too_long_is_refused_and_nothing_is_sent(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    verzoeken = _netwerk(monkeypatch, lambda _v: httpx.Response(200, json={}))
    r = casus("huishouden", "H" * 70_000, "--als", "operator", "--json")
    assert r.code == 1 and "nothing was sent" in json.loads(r.out)["fout"]["melding"]
    assert verzoeken == []


def _netwerk(monkeypatch: pytest.MonkeyPatch, antwoord: Callable[[httpx.Request], httpx.Response]) -> list[httpx.Request]:
    """The network answered by `antwoord`, with tokens for a caseworker and an operator (reads and steps)."""
    return netwerk(monkeypatch, antwoord, "veilig-thuis", "operator")


def test_an_answer_nested_beyond_reading_is_not_the_casus_apis(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    diep = "[" * 100_000 + "]" * 100_000
    _netwerk(monkeypatch, lambda _v: httpx.Response(200, text=diep, headers={"Content-Type": "application/json"}))
    r = casus("lijst", "--json")
    assert r.code == 3 and "is CASUS_API_URL the casus API?" in json.loads(r.out)["fout"]["melding"], r.err


def test_an_error_of_our_own_after_an_answer_is_not_blamed_on_the_server(casus: Casus, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while printing a good answer: said as the system said it (exit 1), no traceback, and
    not 'is CASUS_API_URL the casus API?'."""
    inhoud = {"casussen": [], "caseload": [], "pagina": {"totaal": 0, "offset": 0, "limiet": 100, "volgende": None}}
    _netwerk(monkeypatch, lambda _v: httpx.Response(200, json=inhoud))
    echo = click.echo

    def vol(bericht: Any = None, *args: Any, err: bool = False, **kwargs: Any) -> None:
        if not err:
            raise OSError(28, "No space left on device")
        echo(bericht, *args, err=err, **kwargs)

    monkeypatch.setattr(click, "echo", vol)
    r = casus("lijst")
    assert r.code == 1 and r.err.strip() == "fout: No space left on device", r.err
