"""Operators' and auditors' commands against the running dev stack: lijst, huishouden, termijnen,
rapport, projecties herbouw, audit --volgens and --html, and the worker's Prometheus metrics."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain import gebeurtenissen as g
from eventstore.kluis import VERGETEN, Kluis, meester_sleutel
from eventstore.store import EventStore
from eventstore.views import open_views
from runtime.settings import Settings
from tests.e2e.conftest import Stack, iso


@pytest.fixture(scope="module")
def casussen(stack: Stack) -> dict[str, str]:
    """Two casussen of one household and one other, a few days old, each a step further."""
    nu = datetime.now(UTC).replace(microsecond=0)
    huishouden = f"HH-radar-{uuid.uuid4().hex[:6]}"
    ids: dict[str, str] = {"huishouden": huishouden}
    # Registered late (T-5): in Gelderland-Midden Veilig Thuis holds it from receipt, so the steps
    # entered afterwards can take effect on the days they happened.
    for naam, beleid, gemeente, hh, dagen in (
        ("eerste", "gelderland-midden-2019", "ede", huishouden, 20),
        ("tweede", "ijmond-2024", "beverwijk", huishouden, 3),
        ("derde", "ijmond-2024", "velsen", "HH-x", 1),
    ):
        r = stack.casus("melding", "--beleid", beleid, "--gemeente", gemeente, "--huishouden", hh,
                        "--ontvangen", iso(nu - timedelta(days=dagen)), "--als", "veilig-thuis")  # fmt: skip
        assert r.returncode == 0, r.stderr
        ids[naam] = r.stdout.strip()
    time.sleep(1.1)  # the record's resolution is a second: keep what was known then apart from what came after
    stack.json("beoordeling-afronden", ids["eerste"], "--besluit", "direct-overdracht", "--team", "ede", "--als", "veilig-thuis",
               "--op", iso(nu - timedelta(days=19)))  # fmt: skip
    stack.json("overdracht-accepteren", ids["eerste"], "--als", "lokaal-team:ede", "--op", iso(nu - timedelta(days=18)))
    weigering = stack.casus("overdracht-accepteren", ids["tweede"], "--als", "lokaal-team:socius-md")
    assert weigering.returncode == 1
    return ids


def test_lijst_filters_by_party_policy_and_lapsed_deadline(stack: Stack, casussen: dict[str, str]) -> None:
    bij_team = stack.json("lijst", "--partij", "lokaal-team:ede", "--beleid", "gelderland-midden-2019")
    assert casussen["eerste"] in [c["casus_id"] for c in bij_team["casussen"]]
    assert all(c["houder"] == "lokaal-team:ede" for c in bij_team["casussen"])
    verlopen = stack.json("lijst", "--termijn-verstreken")
    assert casussen["eerste"] in [c["casus_id"] for c in verlopen["casussen"]]  # contact-gezin lapsed after 14 days
    assert casussen["derde"] not in [c["casus_id"] for c in verlopen["casussen"]]
    assert [p["partij"] for p in bij_team["caseload"]] == ["lokaal-team:ede"]  # the summary of what it lists
    assert bij_team["caseload"][0]["open"] == len(bij_team["casussen"])
    tekst = stack.casus("lijst", "--gemeente", "velsen")
    assert tekst.returncode == 0 and casussen["derde"] in tekst.stdout


def test_huishouden_shows_every_melding_and_casus_of_the_household(stack: Stack, casussen: dict[str, str]) -> None:
    radar = stack.json("huishouden", casussen["huishouden"])
    assert sorted(c["casus_id"] for c in radar["casussen"]) == sorted([casussen["eerste"], casussen["tweede"]])
    assert [m["aanleiding"] for m in radar["meldingen"]] == ["melding", "melding"]


def test_termijnen_lists_what_lapsed_and_what_is_due(stack: Stack, casussen: dict[str, str]) -> None:
    verstreken = stack.json("termijnen", "--verstreken")["termijnen"]
    assert ("contact-gezin", casussen["eerste"]) in [(t["soort"], t["casus_id"]) for t in verstreken]
    binnenkort = stack.json("termijnen", "--binnen", "10")["termijnen"]
    assert ("veiligheidsbeoordeling", casussen["derde"]) in [(t["soort"], t["casus_id"]) for t in binnenkort]
    assert all(t["status"] == "open" for t in binnenkort)
    # IJM-3.1c: the melder holds the third casus, Veilig Thuis must finish its beoordeling.
    derde = next(t for t in binnenkort if t["casus_id"] == casussen["derde"] and t["soort"] == "veiligheidsbeoordeling")
    assert (derde["houder"], derde["aan_zet"], derde["cyclus"]) == ("melder", ["veilig-thuis"], 1)


def test_rapport_gives_the_figures_of_a_policy_and_period(stack: Stack, casussen: dict[str, str]) -> None:
    vandaag = datetime.now(UTC).date()
    van, tot = (vandaag - timedelta(days=30)).isoformat(), vandaag.isoformat()
    r = stack.json("rapport", "--beleid", "gelderland-midden-2019", "--van", van, "--tot", tot)
    assert r["casussen"] >= 1
    soorten = {t["soort"]: t for t in r["termijnen"]}
    assert soorten["veiligheidsbeoordeling"]["tijdig"] >= 1 and soorten["contact-gezin"]["beslist"] >= 1
    assert r["aandeel_direct"] is not None and r["percentage_direct"] is not None
    assert soorten["veiligheidsbeoordeling"]["eenheid"] == "werkdagen"
    tekst = stack.casus("rapport", "--beleid", "ijmond-2024", "--van", van, "--tot", tot)
    assert tekst.returncode == 0 and "veiligheidsbeoordeling" in tekst.stdout and "GM-1" not in tekst.stdout
    als_csv = stack.casus("rapport", "--beleid", "gelderland-midden-2019", "--van", van, "--tot", tot, "--csv")
    assert als_csv.returncode == 0 and als_csv.stdout.startswith("beleid,van,tot,soort,")


def test_projecties_herbouw_prints_one_document_and_its_progress_apart(stack: Stack, casussen: dict[str, str]) -> None:
    r = stack.casus("projecties", "herbouw", "--naam", "termijnen", "--json")
    assert r.returncode == 0, r.stderr
    klaar = json.loads(r.stdout)  # exactly one document: a second would not parse
    assert klaar["klaar"] is True and klaar["projecties"] == ["termijnen"]
    assert "termijnen" in klaar["tabellen"] and klaar["positie"] == klaar["gebeurtenissen"] > 0
    voortgang = [json.loads(x) for x in r.stderr.splitlines() if x.startswith('{"positie"')]
    assert voortgang and voortgang[-1]["positie"] == voortgang[-1]["totaal"] == klaar["positie"]
    assert len({v["positie"] for v in voortgang}) == len(voortgang), voortgang  # each position told once
    assert stack.json("termijnen", "--verstreken")["termijnen"]
    assert stack.casus("projecties", "herbouw", "--naam", "onbekend").returncode == 2


def test_audit_as_the_record_stood_and_as_a_page(stack: Stack, casussen: dict[str, str], tmp_path: Path) -> None:
    datetime.now(UTC)
    volledig = stack.json("audit", casussen["eerste"])
    assert [i["grond"] for i in volledig["verantwoordelijkheid"]] == ["GM-2", "GM-5.1.5"]
    gemeld = volledig["verantwoordelijkheid"][0]["vastgelegd"]
    voor_de_acties = stack.json("audit", casussen["eerste"], "--volgens", gemeld)
    assert [i["grond"] for i in voor_de_acties["verantwoordelijkheid"]] == ["GM-2"]
    assert voor_de_acties["verantwoordelijkheid"][0]["tot"] is None
    pagina = tmp_path / "audit.html"
    r = stack.casus("audit", casussen["eerste"], "--html", str(pagina))
    assert r.returncode == 0 and "GM-5.1.5" in pagina.read_text(encoding="utf-8")


def test_the_worker_serves_prometheus_metrics(stack: Stack, casussen: dict[str, str]) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{stack.env['CASUS_METRICS_PORT']}/metrics", timeout=10) as antwoord:
        metrics = antwoord.read().decode()
    for naam in ("casus_acties", "casus_weigeringen", "casus_gebeurtenissen_toegevoegd", "temporal_workflow_task_execution_latency"):
        assert naam in metrics, naam
    assert 'regel="IJM-3.3.1b"' in metrics  # the refused acceptance of the second casus


def test_an_operator_filters_casussen_in_temporal_by_holder_and_phase(stack: Stack, casussen: dict[str, str]) -> None:
    temporal = str(Path(sys.executable).parent / "temporal")
    query = "CasusHouder='lokaal-team:ede' AND CasusFase='overgedragen' AND CasusBeleid='gelderland-midden-2019'"
    gevonden: list[str] = []
    for _ in range(100):
        r = subprocess.run(
            [temporal, "workflow", "list", "--address", stack.env["CASUS_TEMPORAL_ADDRESS"], "--query", query, "--output", "json"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        gevonden = [w["execution"]["workflowId"] for w in json.loads(r.stdout or "[]")]
        if f"casus-{casussen['eerste']}" in gevonden:
            break
        time.sleep(0.1)
    assert f"casus-{casussen['eerste']}" in gevonden
    assert f"casus-{casussen['derde']}" not in gevonden


def test_zoekattributen_registers_the_search_attributes_in_a_new_namespace(stack: Stack) -> None:
    """A production cluster starts without them; the one-off command adds them, and again changes nothing."""
    temporal = str(Path(sys.executable).parent / "temporal")
    adres, namespace = stack.env["CASUS_TEMPORAL_ADDRESS"], f"productie-{uuid.uuid4().hex[:6]}"
    subprocess.run([temporal, "operator", "namespace", "create", "--address", adres, "--namespace", namespace],
                   capture_output=True, text=True, timeout=60, check=True)  # fmt: skip

    def lijst() -> set[str]:
        r = subprocess.run([temporal, "operator", "search-attribute", "list", "--address", adres, "--namespace", namespace,
                            "--output", "json"], capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
        return set(json.loads(r.stdout).get("customAttributes", {}))

    assert "CasusHouder" not in lijst()
    env = stack.env | {"CASUS_TEMPORAL_NAMESPACE": namespace}
    for _ in range(2):
        r = stack.casus("zoekattributen", "--json", env=env)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["namespace"] == namespace
    assert {"CasusBeleid", "CasusGemeente", "CasusHouder", "CasusFase", "CasusVolgendeTermijn", "CasusMonitoringBesluitNodig"} <= lijst()


def test_forgetting_a_household_makes_its_texts_unreadable_and_keeps_the_record(stack: Stack) -> None:
    geheim = f"Melder noemt de naam van het kind {uuid.uuid4().hex[:6]}"
    hh = f"HH-vergeet-{uuid.uuid4().hex[:6]}"
    r = stack.casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", hh, "--inhoud", geheim,
                    "--als", "veilig-thuis")  # fmt: skip
    casus_id = r.stdout.strip()
    assert geheim.encode() not in (stack.state_dir / "events.db").read_bytes()
    geweigerd = stack.casus("huishouden", hh, "--vergeet", "--als", "veilig-thuis")
    assert geweigerd.returncode == 1 and "reden" in geweigerd.stderr
    vergeten = stack.json("huishouden", hh, "--vergeet", "--reden", "verzoek client", "--als", "veilig-thuis", "--medewerker", "anna")
    assert vergeten["had_persoonsgegevens"] is True
    settings = Settings(state_dir=stack.state_dir, eventstore="sqlite")
    store = EventStore.open(settings)
    try:
        melding = store.read(casus_id)[0]
        kluis = Kluis(open_views(store.infrastructure), meester_sleutel(settings))
        assert isinstance(melding, g.MeldingOntvangen) and kluis.ontzegel(hh, melding.inhoud) == VERGETEN
    finally:
        store.close()
    assert stack.casus("verifieer", casus_id).returncode == 0
    assert stack.json("audit", casus_id)["verantwoordelijkheid"][0]["partij"] == "melder"
    # The erasure is a fact of the casus's record; what comes after is sealed under a new key generation.
    assert vergeten["generatie"] == 1 and vergeten["casussen"] == [casus_id]
    nieuw = stack.casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", hh, "--inhoud", "nog iets",
                        "--aparte-casus", "een andere zorg", "--als", "veilig-thuis")  # fmt: skip
    assert nieuw.returncode == 0, nieuw.stderr
    store = EventStore.open(settings)
    try:
        assert any(isinstance(e, g.HuishoudenVergeten) and e.actor.medewerker == "anna" for e in store.read(casus_id))
        opnieuw = store.read(nieuw.stdout.strip())[0]
        kluis = Kluis(open_views(store.infrastructure), meester_sleutel(settings))
        assert isinstance(opnieuw, g.MeldingOntvangen) and opnieuw.inhoud.startswith("vz2:")
        assert kluis.ontzegel(hh, opnieuw.inhoud) == "nog iets"
    finally:
        store.close()
