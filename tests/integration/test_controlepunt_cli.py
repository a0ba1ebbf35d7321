"""The checkpoints through the `casus` program, on SQLite and PostgreSQL: `controlepunt maak`
signs, `verifieer --alle` checks every stream against the signed head and names a stream its owner
rewrote with recomputed hashes, and `audit --bundel` writes what `python -m casus_verify` accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from runtime.settings import Settings
from tests.conftest import store_env
from tests.integration.test_controlepunt import casus, herschrijf

CASUS = str(Path(sys.executable).parent / "casus")


def casus_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CASUS, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def env(store_settings: Settings, tmp_path: Path) -> dict[str, str]:
    return os.environ | store_env(store_settings) | {
        "CASUS_STATE_DIR": str(tmp_path), "CASUS_CONTROLEPUNT_SLEUTEL": str(tmp_path / "geheim" / "controlepunt.ed25519"),
    }  # fmt: skip


@pytest.mark.storing
def test_verifieer_names_a_stream_rewritten_with_recomputed_hashes_after_a_checkpoint(
    store: EventStore, store_settings: Settings, env: dict[str, str], ijmond: Regelset
) -> None:
    vervalst, intact = casus(store, ijmond), casus(store, ijmond)
    assert casus_cli(env, "controlepunt", "sleutel").returncode == 0
    gemaakt = casus_cli(env, "controlepunt", "maak", "--json")
    assert json.loads(gemaakt.stdout) == {"getekend": len(store.read(vervalst)) + len(store.read(intact))}, gemaakt.stderr
    voor = casus_cli(env, "verifieer", "--alle")
    assert voor.returncode == 0 and "checked against the signed head" in voor.stdout, voor.stdout + voor.stderr
    herschrijf(store, store_settings, vervalst, 7, b"IJM-3.1c", b"IJM-3.1d")
    assert store.verify(vervalst) == [], "the chain alone no longer shows it"
    na = casus_cli(env, "verifieer", "--alle", "--json")
    assert na.returncode == 1
    afwijkingen = json.loads(na.stdout)["afwijkingen"]
    assert {a["casus_id"] for a in afwijkingen} == {vervalst}
    assert {a["soort"] for a in afwijkingen} == {"controlepunt:herschreven"}


def test_an_audit_bundle_is_valid_for_an_outside_verifier(store: EventStore, env: dict[str, str], ijmond: Regelset, tmp_path: Path) -> None:
    casus_id = casus(store, ijmond)
    casus_cli(env, "controlepunt", "sleutel")
    casus_cli(env, "controlepunt", "maak")
    bundel = tmp_path / "bundel.json"
    geschreven = casus_cli(env, "audit", casus_id, "--bundel", str(bundel), "--json")
    assert geschreven.returncode == 0, geschreven.stderr
    assert json.loads(geschreven.stdout)["gebeurtenissen"] == len(store.read(casus_id))
    gecontroleerd = subprocess.run([sys.executable, "-m", "casus_verify", str(bundel)], capture_output=True, text=True, check=False)
    assert gecontroleerd.returncode == 0 and gecontroleerd.stdout.startswith("valid"), gecontroleerd.stdout + gecontroleerd.stderr
