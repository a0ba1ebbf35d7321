"""What a client command sends: `@FILE` values read as UTF-8 text (a missing file refused naming the
field), Temporal's `casus-` prefix taken off a CASUS_ID and every spelling of it sent in its one
form, the fields under their contract names, the action's key, `--als` as the check, and the read
options as query parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from casus_cli import client
from casus_cli.fouten import RefusedError
from casus_cli.opties import casus_id, uit_bestand
from tests.cli.conftest import Uitkomst, bewaar_token

ID = "0e0e0e0e-0000-4000-8000-000000000000"
UITKOMST = {
    "casus_id": ID, "beleid": "ijmond-2024", "status": "open", "houder": "veilig-thuis", "fase": "dienst",
    "verantwoordelijkheid": [], "termijnen": [], "berichten": [], "fouten": [],
}  # fmt: skip
Casus = Callable[..., Uitkomst]


@pytest.fixture
def verzoeken(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    gezien: list[httpx.Request] = []

    def behandel(verzoek: httpx.Request) -> httpx.Response:
        gezien.append(verzoek)
        if verzoek.url.path.endswith("/audit") and "text/html" in verzoek.headers["Accept"]:
            return httpx.Response(200, text="<!doctype html><title>audit</title>", headers={"Content-Type": "text/html"})
        if "/acties/" in verzoek.url.path:
            return httpx.Response(200, json={"versie": 7, "gebeurtenissen": ["PlanVastgelegd"], "uitkomst": UITKOMST})
        if verzoek.url.path == "/casussen" and verzoek.method == "POST":
            return httpx.Response(201, json={"casus_id": ID, "uitkomst": UITKOMST})
        return httpx.Response(200, json=UITKOMST | {"casussen": [], "caseload": [], "termijnen": [], "inzagen": [], "pagina": {
            "totaal": 0, "offset": 0, "limiet": 100, "volgende": None}})  # fmt: skip

    monkeypatch.setattr(client, "TRANSPORT", httpx.MockTransport(behandel))
    bewaar_token("lokaal-team:socius-md", "team.token.x")
    bewaar_token("veilig-thuis", "vt.token.x")
    return gezien


def test_an_at_file_value_is_the_files_utf8_text_and_at_at_is_a_literal_at(tmp_path: Path) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text("Veiligheidsplan:\n- vader woont tijdelijk elders\n- school let op €-kosten", encoding="utf-8")
    assert uit_bestand("plan", f"@{plan}") == plan.read_text(encoding="utf-8")
    assert uit_bestand("plan", "@@handle") == "@handle"
    assert uit_bestand("plan", "gewoon") == "gewoon"
    with pytest.raises(RefusedError) as fout:
        uit_bestand("plan", f"@{tmp_path / 'weg.txt'}")
    assert fout.value.veld == "plan" and "no such file" in fout.value.melding
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(RefusedError, match="not UTF-8"):
        uit_bestand("plan", f"@{tmp_path / 'latin1.txt'}")


def test_plan_at_file_is_sent_as_the_plans_text(casus: Casus, verzoeken: list[httpx.Request], tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("Eerste regel\nTweede regel, met komma", encoding="utf-8")
    r = casus("plan-vastleggen", ID, "--plan", f"@{plan}", "--als", "lokaal-team:socius-md", "--medewerker", "bram", "--json")
    assert r.code == 0, r.err
    body = json.loads(verzoeken[0].content)
    assert body == {"velden": {"plan": "Eerste regel\nTweede regel, met komma"}, "op": None, "als": "lokaal-team:socius-md"}
    assert verzoeken[0].headers["Authorization"] == "Bearer team.token.x"
    assert json.loads(r.out)["versie"] == 7


def test_a_missing_at_file_is_refused_naming_the_field_before_anything_is_sent(casus: Casus, verzoeken: list[httpx.Request]) -> None:
    r = casus("plan-vastleggen", ID, "--plan", "@/bestaat/niet.txt", "--als", "lokaal-team:socius-md", "--json")
    assert r.code == 1 and json.loads(r.out)["fout"]["veld"] == "plan"
    r = casus("afsluiten", ID, "--reden", "@/bestaat/niet.txt", "--als", "lokaal-team:socius-md")
    assert r.code == 1 and "veld reden" in r.err and "/bestaat/niet.txt" in r.err
    assert verzoeken == []


def test_the_casus_prefix_of_a_workflow_id_is_accepted_for_every_casus_id(
    casus: Casus, verzoeken: list[httpx.Request], tmp_path: Path
) -> None:
    assert casus_id(None, None, f"casus-{ID}") == ID
    assert casus_id(None, None, (f"casus-{ID}", ID)) == (ID, ID)
    with pytest.raises(RefusedError) as fout:
        casus_id(None, None, "casus-geen-uuid")
    assert fout.value.veld == "casus_id"
    assert casus("status", f"casus-{ID}").code == 0
    assert casus("contact-gelegd", f"casus-{ID}", "--als", "lokaal-team:socius-md").code == 0
    assert casus("audit", f"casus-{ID}", "--html", str(tmp_path / "a.html"), "--reden", "r").code == 0
    assert casus("inzage-log", "--casus", f"casus-{ID}").code == 0
    paden = [v.url.path for v in verzoeken]
    assert paden == [f"/casussen/{ID}", f"/casussen/{ID}/acties/contact-gelegd", f"/casussen/{ID}/audit", "/inzage-log"]
    assert verzoeken[-1].url.params["casus_id"] == ID
    assert (tmp_path / "a.html").read_text() == "<!doctype html><title>audit</title>"


SPELLINGEN = [ID.upper(), ID.replace("-", ""), f"casus-{ID.upper()}", f"casus-{ID.replace('-', '').upper()}"]
GEEN_ID = [f"{{{ID}}}", f"urn:uuid:{ID}", f" {ID.replace('-', '')[1:]}", f"{ID.replace('-', '_')[:32]}", f"casus-casus-{ID}", f"CASUS-{ID}"]


def test_every_spelling_of_a_casus_id_is_sent_in_its_one_form(casus: Casus, verzoeken: list[httpx.Request]) -> None:
    """An upper-case or undashed id is the same casus: read, logged and filtered under the id the store
    and the workflows use, so no read escapes an auditor's filter and no second workflow starts."""
    for spelling in SPELLINGEN:
        assert casus_id(None, None, spelling) == ID
        assert casus("status", spelling).code == 0
        assert casus("dossier", spelling, "--reden", "r", "--json").code == 0
        assert casus("audit", spelling, "--reden", "r").code == 0
        assert casus("contact-gelegd", spelling, "--als", "lokaal-team:socius-md").code == 0
        assert casus("inzage-log", "--casus", spelling).code == 0
    paden = [f"/casussen/{ID}", f"/casussen/{ID}/dossier", f"/casussen/{ID}/audit", f"/casussen/{ID}/acties/contact-gelegd", "/inzage-log"]
    assert [v.url.path for v in verzoeken] == paden * len(SPELLINGEN)
    assert {v.url.params["casus_id"] for v in verzoeken if v.url.path == "/inzage-log"} == {ID}


@pytest.mark.parametrize("waarde", GEEN_ID)
def test_a_casus_id_is_hex_digits_and_dashes_only(casus: Casus, verzoeken: list[httpx.Request], waarde: str) -> None:
    with pytest.raises(RefusedError):
        casus_id(None, None, waarde)
    assert casus("status", waarde).code == 1 and verzoeken == []


def test_fields_go_under_their_contract_names_lists_split_and_the_key_as_idempotency_key(
    casus: Casus, verzoeken: list[httpx.Request]
) -> None:
    r = casus("beoordeling-afronden", ID, "--besluit", "direct-overdracht", "--team", "socius-md", "--criteria", "letsel, stalking",
              "--als", "veilig-thuis", "--op", "2027-03-31T15:00:00", "--sleutel", "REG-12")  # fmt: skip
    assert r.code == 0, r.err
    body = json.loads(verzoeken[0].content)
    assert body["velden"] == {"besluit": "direct-overdracht", "team": "socius-md", "criteria": ["letsel", "stalking"]}
    assert body["op"] == "2027-03-31T15:00:00+02:00" and body["als"] == "veilig-thuis"
    assert verzoeken[0].headers["Idempotency-Key"] == "REG-12"
    casus("contact-vastgelegd", ID, "--met", "gi", "--gezin-contacteren", "false", "--als", "veilig-thuis")
    assert json.loads(verzoeken[1].content)["velden"] == {"met": "gi", "gezin-contacteren": False}
    assert verzoeken[1].headers["Idempotency-Key"] != verzoeken[0].headers["Idempotency-Key"]


def test_a_melding_sends_the_melding_with_its_key_and_prints_its_id(casus: Casus, verzoeken: list[httpx.Request], tmp_path: Path) -> None:
    inhoud = tmp_path / "melding.txt"
    inhoud.write_text("Buurvrouw hoort geschreeuw.", encoding="utf-8")
    r = casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "HH-1", "--acuut", "--inhoud", f"@{inhoud}",
              "--als", "veilig-thuis", "--medewerker", "anna", "--sleutel", "VT-2027-1")  # fmt: skip
    assert r.code == 0 and r.out.strip() == ID
    body = json.loads(verzoeken[0].content)
    assert body == {
        "beleid": "ijmond-2024", "gemeente": "velsen", "huishouden": "HH-1", "acuut": True, "melder_soort": "professional",
        "melder_anoniem": False, "ontvangen": None, "inhoud": "Buurvrouw hoort geschreeuw.", "aparte_casus": None, "als": "veilig-thuis",
    }  # fmt: skip
    assert verzoeken[0].headers["Idempotency-Key"] == "VT-2027-1" and verzoeken[0].headers["Authorization"] == "Bearer vt.token.x"


def test_read_options_become_query_parameters(casus: Casus, verzoeken: list[httpx.Request]) -> None:
    casus("lijst", "--partij", "lokaal-team:ede", "--termijn-verstreken", "--offset", "20", "--limiet", "10", "--als", "veilig-thuis")
    casus("termijnen", "--verstreken", "--binnen", "14")
    casus("rapport", "--beleid", "ijmond-2024", "--van", "2027-01-01", "--tot", "2027-03-31", "--json")
    casus("huishouden", "HH 1/2", "--reden", "signaal", "--json")
    casus("audit", ID, "--op", "2027-04-01T12:00:00+02:00", "--volgens", "2027-04-02T00:00:00+02:00", "--reden", "klacht", "--json")
    casus("dossier", ID, "--reden", "klacht", "--json")
    lijst, termijnen, rapport, huishouden, audit, dossier = verzoeken
    assert dict(lijst.url.params) == {"partij": "lokaal-team:ede", "termijn_verstreken": "true", "offset": "20", "limiet": "10"}
    assert dict(termijnen.url.params) == {"verstreken": "true", "binnen_dagen": "14", "offset": "0", "limiet": "100"}
    assert rapport.url.path == "/rapporten/ijmond-2024" and dict(rapport.url.params) == {"van": "2027-01-01", "tot": "2027-03-31"}
    assert huishouden.url.raw_path.decode() == "/huishoudens/HH%201%2F2?reden=signaal"
    assert dict(audit.url.params) == {"op": "2027-04-01T12:00:00+02:00", "volgens": "2027-04-02T00:00:00+02:00", "reden": "klacht"}
    assert dossier.url.path == f"/casussen/{ID}/dossier" and dossier.url.params["reden"] == "klacht"
    assert lijst.headers["Authorization"] == "Bearer vt.token.x"


def test_refusals_the_cli_can_see_itself_send_nothing(casus: Casus, verzoeken: list[httpx.Request]) -> None:
    assert casus("dossier", ID).code == 1
    assert casus("huishouden", "HH-1", "--vergeet").code == 1
    assert casus("rapport", "--beleid", "ijmond-2024", "--van", "2027-05-01", "--tot", "2027-04-01").code == 1
    assert casus("melding", "--beleid", "ijmond-2024", "--gemeente", "g" * 201, "--huishouden", "H", "--als", "veilig-thuis").code == 1
    assert casus("spoed-vastgesteld", ID, "--als", "veilig-thuis", "--medewerker", "").code == 1
    assert verzoeken == []


def test_a_yes_or_no_takes_true_false_ja_nee_and_a_missing_field_is_named_as_its_option(
    casus: Casus, verzoeken: list[httpx.Request]
) -> None:
    for waarde, bedoeld in (("ja", True), ("nee", False), ("TRUE", True), ("false", False)):
        r = casus("contact-vastgelegd", ID, "--met", "gi", "--gezin-contacteren", waarde, "--als", "veilig-thuis")
        assert r.code == 0, r.err
        assert json.loads(verzoeken[-1].content)["velden"]["gezin-contacteren"] is bedoeld
    gezonden = len(verzoeken)
    r = casus("contact-vastgelegd", ID, "--met", "gi", "--gezin-contacteren", "misschien", "--als", "veilig-thuis")
    assert r.code == 2 and "'misschien' is neither true nor false (accepted: true, false, ja, nee)" in r.err, r.err
    r = casus("incident", ID, "--als", "lokaal-team:socius-md", "--json")  # left out: a usage error, as click's own
    assert r.code == 2 and json.loads(r.out)["fout"] == {"melding": "--omschrijving is required", "veld": "omschrijving", "exit_code": 2}
    r = casus("incident", ID, "--omschrijving", "", "--als", "lokaal-team:socius-md")  # a bad value: refused
    assert r.code == 1 and r.err.startswith("geweigerd (veld omschrijving): --omschrijving: ") and "Value error" not in r.err, r.err
    assert len(verzoeken) == gezonden  # nothing sent for either
