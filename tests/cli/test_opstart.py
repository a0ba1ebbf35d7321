"""`casus` starts fast and imports only what the command needs: `--help` click alone, a client command
httpx and the domain's models but nothing of the server side (no database, master key or Temporal)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from casus_cli.main import ACTIES, COMMANDOS, cli
from domain.opdrachten import OPDRACHTEN

CASUS = str(Path(sys.executable).parent / "casus")
SERVERKANT = {"service", "eventstore", "projections", "workflows", "activities", "temporalio", "psycopg", "api", "worker", "eventsourcing"}


def omgeving(tmp_path: Path) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CASUS_")} | {
        "CASUS_TOKEN_BESTAND": str(tmp_path / "tokens.json"),
        "CASUS_API_URL": "http://127.0.0.1:9",
    }


def test_casus_help_runs_in_under_0_3_s_best_of_5(tmp_path: Path) -> None:
    tijden = []
    for _ in range(5):
        begin = time.perf_counter()
        r = subprocess.run([CASUS, "--help"], env=omgeving(tmp_path), capture_output=True, text=True, check=False, timeout=30)
        tijden.append(time.perf_counter() - begin)
        assert r.returncode == 0, r.stderr
    assert min(tijden) < 0.3, tijden
    for naam in ("melding", "audit", "dossier", "inzage-log", "login", "verifieer", "beoordeling-afronden"):
        assert naam in r.stdout
    assert "_CASUS_COMPLETE=bash_source casus" in r.stdout


def test_casus_version_prints_the_installed_version(tmp_path: Path) -> None:
    r = subprocess.run([CASUS, "--version"], env=omgeving(tmp_path), capture_output=True, text=True, check=False, timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == f"casus {version('casus')}"


def _modules_na(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    """Runs one command in a fresh interpreter; its exit code and the top-level packages it imported."""
    code = (
        "import json, sys\n"
        "from casus_cli.main import _draai\n"
        f"code = _draai(False, {list(args)!r})\n"
        "print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules})]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], env=omgeving(tmp_path), capture_output=True, text=True, check=False, timeout=60)
    uitkomst, modules = json.loads(r.stdout.strip().splitlines()[-1])
    return uitkomst, set(modules)


def test_help_imports_neither_pydantic_nor_temporalio_nor_the_domain(tmp_path: Path) -> None:
    code, modules = _modules_na(tmp_path, "--help")
    assert code == 0
    assert not modules & {"pydantic", "temporalio", "domain", "httpx", "yaml", *SERVERKANT}, sorted(modules)


def test_client_commands_import_nothing_of_the_server_side(tmp_path: Path) -> None:
    id_ = "0e0e0e0e-0000-4000-8000-000000000000"
    token = {"access_token": "a.b.c", "api": "http://127.0.0.1:9"}  # got for the API at CASUS_API_URL
    (tmp_path / "tokens.json").write_text(json.dumps({"actief": "x", "tokens": {"x": token, "veilig-thuis": token}}))
    for args in (
        ["status", id_],
        ["audit", id_, "--reden", "r"],
        ["lijst"],
        ["melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "H", "--als", "veilig-thuis"],
        ["beoordeling-afronden", id_, "--besluit", "onderzoek", "--als", "veilig-thuis"],
        ["huishouden", "H", "--vergeet", "--reden", "r"],
    ):
        code, modules = _modules_na(tmp_path, *args)
        assert code == 3, args  # nothing listens at CASUS_API_URL: the request was built and tried
        assert not modules & SERVERKANT, (args, sorted(modules & SERVERKANT))


def test_the_static_command_table_matches_the_contracts_actions_and_the_modules() -> None:
    assert list(ACTIES) == sorted(OPDRACHTEN)
    for naam, plek in COMMANDOS.items():  # imported, not loaded: loading an admin command sets up its runtime
        assert getattr(importlib.import_module(plek.module), plek.naam).name == naam
    assert sorted(cli.commands) == sorted([*COMMANDOS, *ACTIES])
    assert cli.commands["nieuwe-melding"].name == "nieuwe-melding"


def test_an_actions_help_lists_the_choices_its_policies_allow(tmp_path: Path) -> None:
    r = subprocess.run([CASUS, "beoordeling-afronden", "--help"], env=omgeving(tmp_path), capture_output=True, text=True, check=False)
    tekst = " ".join(r.stdout.split())
    assert r.returncode == 0
    for keuze in ("direct-overdracht", "voorwaarden-en-vervolg", "socius-md", "letsel", "ijmond-2024:", "gelderland-midden-2019:"):
        assert keuze in tekst, keuze
    r = subprocess.run([CASUS, "dienst-afronden", "--help"], env=omgeving(tmp_path), capture_output=True, text=True, check=False)
    assert "niet-vastgesteld" in r.stdout and "wageningen" in r.stdout
    r = subprocess.run([CASUS, "melding", "--help"], env=omgeving(tmp_path), capture_output=True, text=True, check=False)
    assert "gelderland-midden-2019" in r.stdout and "beverwijk" in r.stdout and "ignored" in r.stdout


def test_shell_completion_completes_command_names(tmp_path: Path) -> None:
    bron = subprocess.run([CASUS], env=omgeving(tmp_path) | {"_CASUS_COMPLETE": "bash_source"}, capture_output=True, text=True, check=False)
    assert "_casus_completion" in bron.stdout
    env = omgeving(tmp_path) | {"_CASUS_COMPLETE": "bash_complete", "COMP_WORDS": "casus beoordeling-af", "COMP_CWORD": "1"}
    r = subprocess.run([CASUS], env=env, capture_output=True, text=True, check=False)
    assert "beoordeling-afronden" in r.stdout
