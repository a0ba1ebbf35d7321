"""The client commands against the real API (api/app.py over service/, fixture `api`): logging in at
the development issuer, choosing the token by `--als`, the auditor's reads with their reason and the
access log that records them, the operator's lists with pages, the beheerder's erasure, and what the
API refuses or cannot do (Temporal is not running here: 503, exit 3)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from casus_cli import tokens
from tests.cli.conftest import GEHEIM, Proefapi, Uitkomst, login

Casus = Callable[..., Uitkomst]


def test_login_at_the_development_issuer_stores_a_0600_token_per_party_and_role(casus: Casus, bij: Proefapi, client_omgeving: Path) -> None:
    login(casus, "veilig-thuis", "anna")
    login(casus, "auditor", "carla")
    assert stat.S_IMODE(client_omgeving.stat().st_mode) == 0o600
    opgeslagen = json.loads(client_omgeving.read_text())
    assert opgeslagen["actief"] == "auditor" and sorted(opgeslagen["tokens"]) == ["auditor", "veilig-thuis"]
    getoond = json.loads(casus("login", "--toon", "--json").out)
    assert getoond["als"] == "auditor" and getoond["rollen"] == ["auditor"] and getoond["naam"] == "carla"
    vt = json.loads(casus("login", "--toon", "--als", "veilig-thuis", "--json").out)
    assert vt["partij"] == "veilig-thuis" and vt["naam"] == "anna" and vt["verlopen"] is False
    r = casus("login", "--als", "iemand zonder partij")
    assert r.code == 1 and "geweigerd" in r.err
    assert casus("logout").code == 0 and not client_omgeving.exists()


def test_the_auditors_timeline_with_a_reason_by_the_workflow_id_and_as_a_page(casus: Casus, bij: Proefapi, tmp_path: Path) -> None:
    login(casus, "auditor")
    zonder = casus("audit", bij.casus_id, "--json")
    assert zonder.code == 1 and json.loads(zonder.out)["fout"] | {"melding": ""} == {
        "melding": "", "regel": "reden-ontbreekt", "veld": "reden", "exit_code": 1,
    }  # fmt: skip
    r = casus("audit", f"casus-{bij.casus_id}", "--reden", "klacht 12", "--op", "2027-03-31T16:00:00+02:00", "--json")
    assert r.code == 0, r.err
    audit = json.loads(r.out)
    assert [i["grond"] for i in audit["verantwoordelijkheid"]] == ["melding", "IJM-3.1c", "IJM-3.3.1b"]
    assert audit["houder"]["partij"] == "veilig-thuis"
    tekst = casus("audit", bij.casus_id, "--reden", "klacht 12", "--op", "2027-03-31T16:00:00+02:00")
    assert tekst.code == 0 and "op 2027-03-31T16:00:00+02:00: veilig-thuis" in tekst.out and "IJM-3.3.1b" in tekst.out
    pagina = tmp_path / "audit.html"
    html = casus("audit", bij.casus_id, "--reden", "klacht 12", "--html", str(pagina))
    assert html.code == 0 and html.out.strip() == f"audit page: {pagina}"
    inhoud = pagina.read_text(encoding="utf-8")
    assert 'class="lane">lokaal-team:socius-md</text>' in inhoud and "<script" not in inhoud


def test_the_dossier_opens_the_sealed_texts_and_every_read_is_in_the_access_log(casus: Casus, bij: Proefapi) -> None:
    login(casus, "auditor", "carla")
    assert casus("dossier", bij.casus_id).code == 1  # no reason: refused before anything is sent
    r = casus("dossier", bij.casus_id, "--reden", "verzoek inspectie", "--json")
    assert r.code == 0, r.err
    dossier = json.loads(r.out)
    assert dossier["huishouden"] == bij.huishouden
    assert [(t["gebeurtenis"], t["veld"], t["tekst"]) for t in dossier["teksten"]] == [("MeldingOntvangen", "inhoud", GEHEIM)]
    tekst = casus("dossier", bij.casus_id, "--reden", "verzoek inspectie")
    assert GEHEIM in tekst.out and "MeldingOntvangen.inhoud" in tekst.out
    log = json.loads(casus("inzage-log", "--casus", f"casus-{bij.casus_id}", "--json").out)
    assert {"handeling": "dossier", "reden": "verzoek inspectie", "naam": "carla", "rol": "auditor"}.items() <= log["inzagen"][-1].items()
    assert log["pagina"]["offset"] == 0
    tabel = casus("inzage-log", "--huishouden", bij.huishouden)
    assert tabel.code == 0 and "verzoek inspectie" in tabel.out


def test_the_operators_lists_come_in_pages(casus: Casus, bij: Proefapi) -> None:
    login(casus, "operator")
    alles = json.loads(casus("lijst", "--json").out)
    assert alles["pagina"]["totaal"] == 2 and {c["casus_id"] for c in alles["casussen"]} >= {bij.casus_id}
    eerste = json.loads(casus("lijst", "--limiet", "1", "--json").out)
    tweede = json.loads(casus("lijst", "--limiet", "1", "--offset", "1", "--json").out)
    assert eerste["pagina"]["volgende"] == 1 and tweede["pagina"]["volgende"] is None
    assert {eerste["casussen"][0]["casus_id"], tweede["casussen"][0]["casus_id"]} == {c["casus_id"] for c in alles["casussen"]}
    tekst = casus("lijst", "--limiet", "1")
    assert "1 of 2 casussen (next page: --offset 1)" in tekst.out
    termijnen = json.loads(casus("termijnen", "--verstreken", "--json").out)
    assert ("contact-gezin", bij.casus_id) in [(t["soort"], t["casus_id"]) for t in termijnen["termijnen"]]
    rapport = json.loads(casus("rapport", "--beleid", "ijmond-2024", "--van", "2027-03-01", "--tot", "2027-04-30", "--json").out)
    assert rapport["casussen"] == 2
    onbekend = casus("rapport", "--beleid", "nergens-2030", "--van", "2027-03-01", "--tot", "2027-04-30", "--json")
    assert onbekend.code == 1 and json.loads(onbekend.out)["fout"]["veld"] == "beleid"
    geweigerd = casus("huishouden", bij.huishouden, "--reden", "r")
    assert geweigerd.code == 1 and "rol-geweigerd" in geweigerd.err  # an operator reads no household


def test_als_chooses_the_token_and_the_api_refuses_one_of_another_party(
    casus: Casus, bij: Proefapi, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(casus, "veilig-thuis", "anna")
    login(casus, "operator")
    # No token stored for lokaal-team:elders: none goes (not the active one, the operator's).
    status = casus("huisverbod-opleggen", bij.casus_id, "--als", "lokaal-team:elders", "--json")
    assert status.code == 1 and json.loads(status.out)["fout"]["regel"] == "niet-aangemeld"
    assert "not logged in as lokaal-team:elders" in json.loads(status.out)["fout"]["melding"]
    lijst = json.loads(casus("lijst", "--als", "veilig-thuis", "--json").out)
    assert lijst["caseload"] == []  # a caseworker's list: their party's casussen, no caseload of others
    login(casus, "lokaal-team:socius-md", "bram")
    anders = casus("spoed-vastgesteld", bij.casus_id, "--als", "veilig-thuis", "--json")
    assert anders.code == 3  # anna's token passes the check; the step needs Temporal, which is not running
    # A token given as it is (CASUS_TOKEN) with another party's --als: the API refuses it.
    monkeypatch.setenv("CASUS_TOKEN", tokens.lees()["tokens"]["lokaal-team:socius-md"]["access_token"])
    fout = casus("spoed-vastgesteld", bij.casus_id, "--als", "lokaal-team:ander-team")
    assert fout.code == 1 and "geweigerd (partij-geweigerd, veld als)" in fout.err


def test_what_needs_temporal_is_exit_3_with_what_is_true_of_the_request(casus: Casus, bij: Proefapi) -> None:
    login(casus, "veilig-thuis", "anna")
    melding = casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "HH-cli-2", "--als", "veilig-thuis")
    assert melding.code == 3, melding.err
    assert "Temporal" in melding.err and bij.url in melding.err and "make dev" in melding.err and "--sleutel " in melding.err
    status = casus("status", bij.casus_id, "--json")
    assert status.code == 3 and json.loads(status.out)["fout"]["exit_code"] == 3


def test_a_raw_token_in_casus_token_overrides_the_stored_ones(casus: Casus, bij: Proefapi, monkeypatch: pytest.MonkeyPatch) -> None:
    login(casus, "auditor", "dirk")
    ruw = tokens.kies("auditor").token
    assert casus("logout").code == 0
    assert casus("inzage-log").code == 1
    monkeypatch.setenv("CASUS_TOKEN", ruw)
    assert casus("inzage-log").code == 0 and casus("inzage-log", "--als", "auditor").code == 0
    # An auditor's token names no party: not sent for --als veilig-thuis.
    assert casus("inzage-log", "--als", "veilig-thuis").code == 1
    monkeypatch.setenv("CASUS_TOKEN", ruw[:-4] + "AAAA")
    vervalst = casus("inzage-log", "--json")
    assert vervalst.code == 1 and json.loads(vervalst.out)["fout"]["regel"] == "handtekening-ongeldig"


def test_a_beheerder_forgets_a_household_and_its_texts_are_unreadable(casus: Casus, bij: Proefapi) -> None:
    """The key goes first; the erasure is then recorded in the casussen by a worker, through Temporal,
    which is not running here: exit 3, saying that asking again records it once."""
    login(casus, "auditor")
    assert casus("huishouden", bij.te_vergeten, "--vergeet", "--reden", "verzoek client", "--als", "auditor").code == 1
    radar = json.loads(casus("huishouden", bij.te_vergeten, "--reden", "nazorg", "--als", "auditor", "--json").out)
    (casus_id,) = [c["casus_id"] for c in radar["casussen"]]
    login(casus, "beheerder", "eva")
    r = casus("huishouden", bij.te_vergeten, "--vergeet", "--reden", "verzoek client")
    assert r.code == 3 and "ask again: the same erasure is recorded once" in r.err and "Temporal" in r.err
    dossier = json.loads(casus("dossier", casus_id, "--reden", "nazorg", "--als", "auditor", "--json").out)
    assert [t["tekst"] for t in dossier["teksten"]] == ["[vergeten]"]
