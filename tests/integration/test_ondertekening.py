"""Events attributable to the worker's key (issue 14), on SQLite and PostgreSQL: a database login
without the worker key appends chain-valid events, but `casus verifieer` names each one that is
unsigned after signing began, signed by a key not trusted, or whose signature no longer verifies;
and an audit bundle carries the signatures for `python -m casus_verify` to check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from temporalio.testing import ActivityEnvironment

from activities.eventstore import EventStoreActivities, Toevoegen
from casus_verify.controle import controleer, controleer_bestand
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.bundel import schrijf_bundel
from eventstore.controlepunt import ControlepuntSettings, maak_controlepunt, maak_sleutel
from eventstore.keten import BEGIN, Ondertekening, uitpakken, verpak
from eventstore.ondertekening import (
    Ondertekenaar,
    WorkerSleutelError,
    handtekening_klopt,
    laad_ondertekenaar,
    maak_worker_sleutel,
    vertrouwde_sleutels,
)
from eventstore.store import EventStore, stream_id
from runtime.settings import Settings
from tests.conftest import store_env
from tests.integration.test_controlepunt import rauw, sid

CASUS = str(Path(sys.executable).parent / "casus")


def nieuwe_casus(store: EventStore, ijmond: Regelset, ondertekenaar: Ondertekenaar | None) -> str:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    store.append(d.casus.casus_id, 0, d.gebeurtenissen, sleutel="melding", ondertekenaar=ondertekenaar)
    return d.casus.casus_id


def vervolg(store: EventStore, casus_id: str, ondertekenaar: Ondertekenaar | None) -> int:
    """One more chain-valid event at the end of a stream (a copy of its last one, as a forger would)."""
    laatste = store.read(casus_id)[-1]
    versie = store.version(casus_id)
    store.append(casus_id, versie, [laatste], sleutel="vals", ondertekenaar=ondertekenaar)
    return versie + 1


def publiek_pem(o: Ondertekenaar, pad: Path) -> Path:
    pad.parent.mkdir(parents=True, exist_ok=True)
    pad.write_bytes(o.publiek.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return pad


@pytest.fixture
def werker(tmp_path: Path) -> Ondertekenaar:
    maak_worker_sleutel(tmp_path / "geheim" / "worker.ed25519")
    return laad_ondertekenaar(tmp_path / "geheim" / "worker.ed25519")


@pytest.fixture
def env(store_settings: Settings, tmp_path: Path, werker: Ondertekenaar) -> dict[str, str]:
    """The verifier trusts the worker's public key only (a directory of PEM files)."""
    publiek_pem(werker, tmp_path / "vertrouwd" / "worker.pem")
    return os.environ | store_env(store_settings) | {
        "CASUS_STATE_DIR": str(tmp_path), "CASUS_WORKER_PUBLIEKE_SLEUTELS": str(tmp_path / "vertrouwd"),
    }  # fmt: skip


def verifieer(env: dict[str, str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    r = subprocess.run([CASUS, "verifieer", *args, "--json"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.stdout, r.stderr
    return r.returncode, json.loads(r.stdout)["afwijkingen"]


def test_a_signed_envelope_is_the_json_of_its_fields_and_its_signature_covers_the_hash(werker: Ondertekenaar) -> None:
    state, eigen = verpak(BEGIN, "c", 1, "PlanVastgelegd", '{"plan":"ü \\"x\\""}', "actie:1", werker)
    o = uitpakken(state).ondertekening
    assert o is not None and o.sleutel == werker.vingerafdruk
    velden = {"vorige": BEGIN, "hash": eigen, "sleutel": "actie:1", "ondertekening": {"sleutel": o.sleutel, "handtekening": o.handtekening},
              "gebeurtenis": '{"plan":"ü \\"x\\""}'}  # fmt: skip
    assert state == json.dumps(velden, separators=(",", ":")).encode()
    assert handtekening_klopt(werker.publiek, eigen, o.handtekening)
    assert not handtekening_klopt(werker.publiek, "0" * 64, o.handtekening)
    assert verpak(BEGIN, "c", 1, "PlanVastgelegd", "{}", None, werker) == verpak(BEGIN, "c", 1, "PlanVastgelegd", "{}", None, werker)
    assert uitpakken(verpak(BEGIN, "c", 1, "T", "{}")[0]).ondertekening is None


def test_a_worker_key_readable_by_others_or_missing_is_refused(tmp_path: Path) -> None:
    pad = tmp_path / "worker.ed25519"
    with pytest.raises(WorkerSleutelError):
        laad_ondertekenaar(pad)
    maak_worker_sleutel(pad)
    pad.chmod(0o644)
    with pytest.raises(WorkerSleutelError, match="readable by others"):
        laad_ondertekenaar(pad)
    with pytest.raises(FileExistsError):
        maak_worker_sleutel(pad)


def test_trusted_keys_come_from_files_and_directories_or_from_the_own_key(tmp_path: Path, werker: Ondertekenaar) -> None:
    ander = Ondertekenaar(Ed25519PrivateKey.generate())
    een, twee = publiek_pem(werker, tmp_path / "a" / "w.pem"), publiek_pem(ander, tmp_path / "b.pem")
    assert set(vertrouwde_sleutels(f"{een.parent}, {twee}") or {}) == {werker.vingerafdruk, ander.vingerafdruk}
    assert set(vertrouwde_sleutels(None, tmp_path / "geheim" / "worker.ed25519") or {}) == {werker.vingerafdruk}
    assert vertrouwde_sleutels(None, None) is None
    with pytest.raises(WorkerSleutelError):
        vertrouwde_sleutels(str(tmp_path / "geheim" / "worker.ed25519"))  # a private key is no trusted public key


def test_the_append_activity_signs_with_the_worker_key_and_a_retry_stores_nothing_new(
    store: EventStore, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """Ed25519 is deterministic: a retry after a lost reply writes the very bytes, recognised as its own."""
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    invoer = Toevoegen(casus_id=d.casus.casus_id, verwacht=0, gebeurtenissen=tuple(d.gebeurtenissen))
    activiteit = EventStoreActivities(store, None, werker)
    eerste, tweede = (ActivityEnvironment().run(activiteit.voeg_toe, invoer) for _ in range(2))
    assert (eerste.nieuw, tweede.nieuw) == (len(d.gebeurtenissen), 0)
    enveloppen = [uitpakken(r.state) for r in store.recorder.select_events(stream_id(d.casus.casus_id))]
    assert all(e.ondertekening and handtekening_klopt(werker.publiek, e.hash, e.ondertekening.handtekening) for e in enveloppen)


def test_a_stream_signed_by_the_worker_verifies(store: EventStore, env: dict[str, str], werker: Ondertekenaar, ijmond: Regelset) -> None:
    oud = nieuwe_casus(store, ijmond, None)  # from before workers signed: verifies by its chain
    casus_id = nieuwe_casus(store, ijmond, werker)
    vervolg(store, casus_id, werker)
    assert verifieer(env, "--alle") == (0, [])
    r = subprocess.run([CASUS, "verifieer", oud, casus_id], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0 and "checked against 1 trusted worker key(s)" in r.stdout, r.stdout + r.stderr


@pytest.mark.storing
def test_a_chain_valid_event_appended_without_the_worker_key_is_named(
    store: EventStore, env: dict[str, str], werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """The insider with `casus_worker`'s login: the chain holds, the signature is missing. Also in
    a stream that began before signing did: what counts is the log's first signed event."""
    oud = nieuwe_casus(store, ijmond, None)
    casus_id = nieuwe_casus(store, ijmond, werker)
    vals, ook_vals = vervolg(store, casus_id, None), vervolg(store, oud, None)
    assert store.verify(casus_id) == [] and store.verify(oud) == [], "the chain alone passes it"
    code, afwijkingen = verifieer(env, "--alle")
    assert code == 1
    gevonden = {(a["casus_id"], a["versie"], a["soort"]) for a in afwijkingen}
    assert gevonden == {(casus_id, vals, "ondertekening:ontbreekt"), (oud, ook_vals, "ondertekening:ontbreekt")}
    assert verifieer(env, casus_id)[1] == [a for a in afwijkingen if a["casus_id"] == casus_id]


@pytest.mark.storing
def test_an_event_signed_by_a_key_not_trusted_is_named(
    store: EventStore, env: dict[str, str], werker: Ondertekenaar, ijmond: Regelset
) -> None:
    casus_id = nieuwe_casus(store, ijmond, werker)
    vals = vervolg(store, casus_id, Ondertekenaar(Ed25519PrivateKey.generate()))
    code, afwijkingen = verifieer(env, casus_id)
    assert code == 1 and [(a["versie"], a["soort"]) for a in afwijkingen] == [(vals, "ondertekening:onbekend")]


@pytest.mark.storing
def test_a_signature_changed_in_the_table_is_named(
    store: EventStore, store_settings: Settings, env: dict[str, str], werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """The table owner moves a valid signature onto another event: it no longer verifies."""
    casus_id = nieuwe_casus(store, ijmond, werker)
    rijen = store.recorder.select_events(stream_id(casus_id))
    o3, o4 = (uitpakken(r.state).ondertekening for r in rijen[2:4])
    assert isinstance(o3, Ondertekening) and isinstance(o4, Ondertekening)
    vervalst = bytes(rijen[3].state).replace(o4.handtekening.encode(), o3.handtekening.encode())
    rauw(store_settings, "UPDATE casus_events SET state = %s WHERE originator_id = %s AND originator_version = 4",
         (vervalst, sid(store_settings, casus_id)))  # fmt: skip
    assert store.verify(casus_id) == []
    code, afwijkingen = verifieer(env, casus_id)
    assert code == 1 and [(a["versie"], a["soort"]) for a in afwijkingen] == [(4, "ondertekening:ongeldig")]


def test_a_bundle_carries_the_signatures_and_a_tampered_one_is_named(
    store: EventStore, werker: Ondertekenaar, ijmond: Regelset, tmp_path: Path
) -> None:
    casus_id = nieuwe_casus(store, ijmond, werker)
    inst = ControlepuntSettings(sleutel=tmp_path / "geheim" / "controlepunt.ed25519", map=tmp_path / "controlepunten")
    maak_sleutel(inst.sleutel)
    maak_controlepunt(store, inst)
    pad = tmp_path / "bundel.json"
    schrijf_bundel(store, inst, casus_id, pad, {werker.vingerafdruk: werker.publiek})
    uitslag = controleer_bestand(pad)
    assert uitslag.fouten == [] and f"signed by worker key(s) {werker.vingerafdruk}" in uitslag.samenvatting
    r = subprocess.run([sys.executable, "-m", "casus_verify", str(pad)], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and r.stdout.startswith("valid"), r.stdout + r.stderr
    bundel = json.loads(pad.read_text(encoding="utf-8"))
    assert set(bundel["worker_sleutels"]) == {werker.vingerafdruk}

    getekend = json.loads(pad.read_text(encoding="utf-8"))
    h = getekend["gebeurtenissen"][2]["ondertekening"]["handtekening"]
    getekend["gebeurtenissen"][2]["ondertekening"]["handtekening"] = ("0" if h[0] != "0" else "1") + h[1:]
    assert [f for f in controleer(getekend).fouten if "event 3" in f and "worker signature does not verify" in f]

    vreemd = json.loads(pad.read_text(encoding="utf-8"))
    vreemd["worker_sleutels"] = {(o := Ondertekenaar(Ed25519PrivateKey.generate())).vingerafdruk: o.publiek.public_bytes(
        Encoding.Raw, PublicFormat.Raw).hex()}  # fmt: skip
    assert len([f for f in controleer(vreemd).fouten if "not among the bundle's worker keys" in f]) == len(vreemd["gebeurtenissen"])

    weg = json.loads(pad.read_text(encoding="utf-8"))
    del weg["gebeurtenissen"][3]["ondertekening"]
    assert [f for f in controleer(weg).fouten if f.startswith("event 4") and "unsigned" in f]

    zonder = json.loads(pad.read_text(encoding="utf-8"))
    zonder["worker_sleutels"] = {"ab" * 32: "00" * 32}
    assert [f for f in controleer(zonder).fouten if "whose SHA-256 is its name" in f]
