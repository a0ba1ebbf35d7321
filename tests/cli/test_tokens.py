"""Which token a command sends (casus_cli/tokens.py): CASUS_TOKEN over everything; with `--als`, the
one stored for it and no other; else the last login's; none is exit 1 saying how to log in. A stored
token goes only to the API it was got for. The file is 0600 wherever it is."""

from __future__ import annotations

import base64
import json
import stat
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from casus_cli import client, tokens
from casus_cli.fouten import GEWEIGERD, NietAangemeldError, RefusedError


def jwt(**claims: Any) -> str:
    """A token-shaped string (unsigned: the CLI never checks signatures, the API does)."""

    def deel(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{deel({'alg': 'EdDSA', 'kid': 'k'})}.{deel(claims)}.c2ln"


def test_the_token_file_is_casus_token_bestand_else_under_xdg_config_home_else_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tokens.token_bestand() == tmp_path / "client" / "tokens.json"  # the fixture's CASUS_TOKEN_BESTAND
    monkeypatch.delenv("CASUS_TOKEN_BESTAND")
    assert tokens.token_bestand() == tmp_path / "config" / "casus" / "tokens.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "thuis"))
    assert tokens.token_bestand() == tmp_path / "thuis" / ".config" / "casus" / "tokens.json"


def test_a_stored_token_is_mode_0600_keyed_by_als_and_the_last_login_is_active(client_omgeving: Path) -> None:
    tokens.bewaar("veilig-thuis", jwt(sub="anna"), issuer="http://i", api="http://a")
    tokens.bewaar("auditor", jwt(sub="carla"), issuer="http://i", api="http://a")
    assert stat.S_IMODE(client_omgeving.stat().st_mode) == 0o600
    data = json.loads(client_omgeving.read_text())
    assert sorted(data["tokens"]) == ["auditor", "veilig-thuis"] and data["actief"] == "auditor"
    assert not [p for p in client_omgeving.parent.iterdir() if p.name != "tokens.json"], "no temporary file is left"


def test_als_chooses_its_stored_token_else_the_active_one_and_casus_token_overrides_both(monkeypatch: pytest.MonkeyPatch) -> None:
    vt, team = jwt(sub="anna"), jwt(sub="bram")
    tokens.bewaar("veilig-thuis", vt, issuer=None, api=None)
    tokens.bewaar("lokaal-team:socius-md", team, issuer=None, api=None)
    assert tokens.kies("veilig-thuis").token == vt
    assert tokens.kies("lokaal-team:socius-md").token == team
    assert tokens.kies(None).token == team  # the last login
    monkeypatch.setenv("CASUS_TOKEN", "ruw.token.hier")
    assert tokens.kies("veilig-thuis").token == "ruw.token.hier"
    assert tokens.kies("veilig-thuis").bron == "CASUS_TOKEN"


def test_als_without_a_token_of_its_own_sends_none_not_another_partys() -> None:
    """A caseworker logged in as Veilig Thuis who names a team with `--als` acts as nobody: the
    active token (Veilig Thuis's) must not go instead, for a read or a step."""
    tokens.bewaar("veilig-thuis", jwt(sub="anna"), issuer=None, api="http://127.0.0.1:8480")
    for als in ("lokaal-team:ander", "gemeente", "xyz"):
        with pytest.raises(NietAangemeldError) as fout:
            tokens.kies(als, api="http://127.0.0.1:8480")
        assert fout.value.tekst() == f"not logged in as {als} (stored: veilig-thuis): run `casus login --als {als}`"


def test_a_stored_token_goes_only_to_the_api_it_was_got_for() -> None:
    tokens.bewaar("veilig-thuis", jwt(sub="anna", partij="veilig-thuis"), issuer="http://127.0.0.1:8481", api="http://127.0.0.1:8480")
    assert tokens.kies("veilig-thuis", api="http://127.0.0.1:8480").token
    for elders in ("http://127.0.0.1:9999", "https://casus.example.org"):
        for als in ("veilig-thuis", None):
            with pytest.raises(NietAangemeldError, match=rf"got for the API at http://127.0.0.1:8480, not {elders}; nothing was sent"):
                tokens.kies(als, api=elders)
    tokens.bewaar("auditor", jwt(sub="carla"), issuer=None, api=None)  # a file from before the API was noted
    with pytest.raises(NietAangemeldError, match="got for the API at an unnamed API"):
        tokens.kies("auditor", api="http://127.0.0.1:8480")
    assert tokens.kies("auditor").token  # shown (`casus login --toon`), not sent


def test_no_token_is_refused_saying_how_to_log_in() -> None:
    with pytest.raises(NietAangemeldError) as fout:
        tokens.kies("veilig-thuis")
    assert fout.value.exit_code == GEWEIGERD
    assert fout.value.tekst() == "not logged in as veilig-thuis: run `casus login --als veilig-thuis`"
    with pytest.raises(NietAangemeldError, match=r"not logged in: run `casus login --als …`"):
        tokens.kies(None)


def test_an_expired_stored_token_is_refused_before_it_is_sent() -> None:
    tokens.bewaar("auditor", jwt(sub="carla", exp=int(time.time()) - 3600), issuer=None, api=None)
    with pytest.raises(NietAangemeldError, match=r"the token for auditor expired at .*casus login --als auditor"):
        tokens.kies("auditor")


def test_logout_removes_one_token_or_all_and_the_file(client_omgeving: Path) -> None:
    tokens.bewaar("veilig-thuis", jwt(sub="anna"), issuer=None, api=None)
    tokens.bewaar("auditor", jwt(sub="carla"), issuer=None, api=None)
    assert tokens.verwijder("auditor") == ["auditor"]
    assert tokens.lees()["actief"] is None and list(tokens.lees()["tokens"]) == ["veilig-thuis"]
    with pytest.raises(NietAangemeldError, match=r"no active token: give --als \(stored: veilig-thuis\)"):
        tokens.kies(None)
    assert tokens.kies("veilig-thuis").token
    assert tokens.verwijder(None) == ["veilig-thuis"]
    assert not client_omgeving.exists()


def test_a_token_file_of_something_else_is_refused_naming_it(client_omgeving: Path) -> None:
    client_omgeving.parent.mkdir(parents=True)
    client_omgeving.write_text("[1, 2]")
    with pytest.raises(Exception, match="not one `casus login` wrote"):
        tokens.kies(None)


def test_the_payload_is_shown_unverified_and_a_malformed_token_shows_nothing() -> None:
    claims = tokens.claims_van(jwt(sub="anna", partij="veilig-thuis", realm_access={"roles": ["medewerker"]}))
    assert claims["partij"] == "veilig-thuis"
    assert tokens.claims_van("geen-jwt") == {} and tokens.claims_van("a.!!!.c") == {}


@pytest.mark.parametrize(
    "claims",
    [{"partij": "lokaal-team:socius-md"}, {"extn.casusPartij": "lokaal-team:socius-md"}, {"partij": ["lokaal-team:socius-md"]}],
)
def test_the_party_a_token_names_is_read_where_the_api_reads_it(claims: dict[str, Any]) -> None:
    assert tokens.partij_van(tokens.claims_van(jwt(sub="bram", **claims))) == "lokaal-team:socius-md"


def test_the_party_claim_follows_the_apis_setting_nested_along_its_dots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASUS_OIDC_CLAIM_PARTIJ", "casus.partij")
    assert tokens.partij_van({"casus": {"partij": "gemeente"}}) == "gemeente"
    assert tokens.partij_van({"sub": "x"}) is None


@pytest.mark.parametrize("bron", ["CASUS_TOKEN", "opgeslagen"])
def test_als_naming_another_party_than_the_tokens_is_refused_before_it_is_sent(monkeypatch: pytest.MonkeyPatch, bron: str) -> None:
    """`CASUS_TOKEN=<a team's token> casus lijst --als veilig-thuis` listed the team's casussen: a read
    names no party to the API, so `--als` was silently ignored."""
    team = jwt(sub="bram", partij="lokaal-team:socius-md")
    if bron == "CASUS_TOKEN":
        monkeypatch.setenv("CASUS_TOKEN", team)
    else:
        tokens.bewaar("veilig-thuis", team, issuer=None, api="http://127.0.0.1:8480")  # a device login approved as the team
    with pytest.raises(RefusedError) as fout:
        tokens.kies("veilig-thuis", api="http://127.0.0.1:8480")
    assert (fout.value.regel, fout.value.veld) == ("partij-geweigerd", "als")
    assert "a token for lokaal-team:socius-md" in fout.value.melding and "not for veilig-thuis" in fout.value.melding
    assert tokens.kies("veilig-thuis").token == team, "shown (`casus login --toon`), not sent"


def test_a_token_goes_for_its_own_party_or_role_and_not_for_another(monkeypatch: pytest.MonkeyPatch) -> None:
    """A caseworker's token for its party (or without --als); a role's token, which names no party,
    for a role; neither for the other (a read names no party to the API, which answers for the token)."""
    api = "http://127.0.0.1:8480"
    monkeypatch.setenv("CASUS_TOKEN", jwt(sub="bram", partij="lokaal-team:socius-md"))
    for als in ("lokaal-team:socius-md", None):
        assert tokens.kies(als, api=api).bron == "CASUS_TOKEN"
    with pytest.raises(RefusedError, match=r"a token of a caseworker of lokaal-team:socius-md .*, not of the role auditor"):
        tokens.kies("auditor", api=api)
    monkeypatch.setenv("CASUS_TOKEN", jwt(sub="dirk", realm_access={"roles": ["auditor"]}))
    for als in ("auditor", None):
        assert tokens.kies(als, api=api).bron == "CASUS_TOKEN"
    with pytest.raises(RefusedError, match=r"names no party .*, not veilig-thuis; nothing was sent"):
        tokens.kies("veilig-thuis", api=api)
    monkeypatch.setenv("CASUS_TOKEN", "geen-jwt")  # nothing to read: the API judges it
    assert tokens.kies("veilig-thuis", api=api).bron == "CASUS_TOKEN"


def test_lijst_with_another_partys_casus_token_sends_nothing(casus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    verzonden: list[httpx.Request] = []

    def behandel(verzoek: httpx.Request) -> httpx.Response:
        verzonden.append(verzoek)
        return httpx.Response(200, json={"casussen": [], "caseload": [], "pagina": {"offset": 0, "limiet": 100, "totaal": 0}})

    monkeypatch.setattr(client, "TRANSPORT", httpx.MockTransport(behandel))
    monkeypatch.setenv("CASUS_TOKEN", jwt(sub="bram", partij="lokaal-team:socius-md"))
    r = casus("lijst", "--als", "veilig-thuis", "--json")
    assert r.code == 1 and json.loads(r.out)["fout"]["regel"] == "partij-geweigerd" and "lokaal-team:socius-md" in r.err
    assert verzonden == []
    assert casus("lijst", "--als", "lokaal-team:socius-md", "--json").code == 0 and len(verzonden) == 1
