"""The `casus` program against the real embedded stack (`casus dev`: Temporal dev server, worker,
projection runner), every command a subprocess as a caseworker would run it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.conftest import Stack, iso, vrije_poort


def test_dev_prints_where_the_temporal_ui_is(stack: Stack) -> None:
    assert any(f"Temporal UI:      http://127.0.0.1:{stack.env['CASUS_TEMPORAL_UI_PORT']}" in r for r in stack.uitvoer)


def test_a_melding_two_actions_and_the_audit_timeline(stack: Stack) -> None:
    nu = datetime.now(UTC).replace(microsecond=0)
    ontvangen, besluit, acceptatie = nu - timedelta(hours=3), nu - timedelta(hours=2), nu - timedelta(hours=1)
    r = stack.casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "HH-e2e",
                    "--ontvangen", iso(ontvangen), "--als", "veilig-thuis", "--medewerker", "anna")  # fmt: skip
    assert r.returncode == 0, r.stderr
    casus_id = r.stdout.strip()
    uuid.UUID(casus_id)
    stack.json("beoordeling-afronden", casus_id, "--besluit", "direct-overdracht", "--team", "socius-md",
               "--als", "veilig-thuis", "--op", iso(besluit))  # fmt: skip
    stack.json("overdracht-accepteren", casus_id, "--als", "lokaal-team:socius-md", "--medewerker", "bram", "--op", iso(acceptatie))

    audit = stack.json("audit", casus_id)
    lijn = [(i["partij"], i["grond"], datetime.fromisoformat(i["van"])) for i in audit["verantwoordelijkheid"]]
    assert lijn == [
        ("melder", "melding", ontvangen),
        ("veilig-thuis", "IJM-3.1c", besluit),
        ("lokaal-team:socius-md", "IJM-3.3.1b", acceptatie),
    ]
    assert audit["verantwoordelijkheid"][-1]["tot"] is None
    assert audit["verantwoordelijkheid"][-1]["actor"] == "lokaal-team:socius-md/bram"

    op = stack.json("audit", casus_id, "--op", iso(besluit + timedelta(minutes=30)))
    assert op["houder"]["partij"] == "veilig-thuis"

    status = stack.json("status", casus_id)
    assert status["fase"] == "overgedragen"
    assert {t["soort"]: t["status"] for t in status["termijnen"]}["veiligheidsbeoordeling"] == "voldaan"


def test_a_refused_action_exits_1_naming_the_rule_and_stores_nothing(stack: Stack) -> None:
    ontvangen = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    r = stack.casus("melding", "--beleid", "ijmond-2024", "--gemeente", "beverwijk", "--huishouden", "HH-e2e-2",
                    "--ontvangen", iso(ontvangen), "--als", "veilig-thuis")  # fmt: skip
    casus_id = r.stdout.strip()
    voor = stack.events(casus_id)
    r = stack.casus("beoordeling-afronden", casus_id, "--besluit", "direct-overdracht", "--team", "cjg-kennemerland",
                    "--criteria", "letsel", "--als", "veilig-thuis")  # fmt: skip
    assert r.returncode == 1
    assert "IJM-3.3" in r.stderr and "letsel" in r.stderr
    assert stack.events(casus_id) == voor


def test_a_bad_value_exits_1_naming_the_field(stack: Stack) -> None:
    r = stack.casus("melding", "--beleid", "ijmond-2024", "--gemeente", "arnhem", "--huishouden", "HH-e2e-3", "--als", "veilig-thuis")
    assert r.returncode == 1
    assert "gemeente" in r.stderr and "velsen" in r.stderr


def test_a_usage_error_exits_2(stack: Stack) -> None:
    assert stack.casus("beoordeling-afronden").returncode == 2


def test_an_unreachable_temporal_exits_3_saying_how_to_start_it(stack: Stack) -> None:
    """An operator's command that talks to Temporal itself (`herstel`), with nothing at its address."""
    dicht = f"127.0.0.1:{vrije_poort()}"
    r = stack.casus("herstel", str(uuid.uuid4()), env=stack.env | {"CASUS_TEMPORAL_ADDRESS": dicht})
    assert r.returncode == 3, r.stderr
    assert f"Temporal is not reachable at {dicht}" in r.stderr and "make dev" in r.stderr, r.stderr


def test_an_unreachable_api_exits_3_naming_it_and_how_to_start_it(stack: Stack) -> None:
    """A caseworker's command goes to the API only: with nothing at CASUS_API_URL, whatever else
    listens on this machine (another stack on the default port included)."""
    dicht = f"http://127.0.0.1:{vrije_poort()}"
    # A token given as it is: a stored one goes only to the API it was got for (tests/cli/test_tokens.py).
    r = stack.casus("status", str(uuid.uuid4()), env=stack.client_env | {"CASUS_API_URL": dicht, "CASUS_TOKEN": "kop.inhoud.handtekening"})
    assert r.returncode == 3, r.stderr
    assert f"the casus API at {dicht} cannot be reached" in r.stderr and "make dev" in r.stderr, r.stderr


def test_the_actions_of_a_dienst_and_monitoring_from_the_command_line(stack: Stack) -> None:
    ontvangen = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    r = stack.casus("melding", "--beleid", "gelderland-midden-2019", "--gemeente", "ede", "--huishouden", "HH-e2e-4",
                    "--ontvangen", iso(ontvangen), "--als", "veilig-thuis")  # fmt: skip
    assert r.returncode == 0, r.stderr
    casus_id = r.stdout.strip()
    stack.json("beoordeling-afronden", casus_id, "--besluit", "voorwaarden-en-vervolg", "--als", "veilig-thuis")
    stack.json("dienst-afronden", casus_id, "--team", "ede", "--conclusie", "geen-oordeel",
               "--voorwaarden", "geen geweld,hulp voor vader", "--als", "veilig-thuis")  # fmt: skip
    ja = ("--voorwaarden-voldaan", "true", "--directe-veiligheid", "true", "--herstel-aandacht", "true")
    stack.json("monitoring-oordeel", casus_id, *ja, "--stabiele-veiligheid", "false", "--als", "veilig-thuis")
    fout = stack.casus("monitoring-oordeel", casus_id, *ja, "--stabiele-veiligheid", "misschien", "--als", "veilig-thuis")
    assert fout.returncode == 2 and "misschien" in fout.stderr
    status = stack.json("status", casus_id)
    assert status["houder"] == "lokaal-team:ede" and status["casusregie"] == "lokaal-team:ede"
    termijnen = {t["soort"]: t["status"] for t in status["termijnen"]}
    # GM-5.2.7d (rev. 2026-11-30): an oordeel right after the overdracht is an extra contact, before the window.
    assert termijnen["monitoring-3m"] == "open" and termijnen["monitoring-12m"] == "open"
