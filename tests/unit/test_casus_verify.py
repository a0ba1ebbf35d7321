"""The outside auditor's verifier (`python -m casus_verify FILE`): valid on a bundle as written,
and for each part of a bundle that is changed it says exactly what is wrong (exit 1). It runs on
the standard library and `cryptography` alone."""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cryptography
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from casus_verify.__main__ import main
from casus_verify.controle import CONTEXT, controleer, schakel
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.bundel import schrijf_bundel
from eventstore.controlepunt import ControlepuntSettings, maak_controlepunt, maak_sleutel
from eventstore.store import EventStore
from runtime.settings import Settings

Bundel = dict[str, Any]


@pytest.fixture
def bundel(tmp_path: Path, ijmond: Regelset) -> Bundel:
    """A bundle as `casus audit ID --bundel` writes it, from an embedded store with other casussen around it."""
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    instellingen = ControlepuntSettings(sleutel=tmp_path / "geheim" / "sleutel.ed25519", map=tmp_path / "controlepunten")
    maak_sleutel(instellingen.sleutel)
    try:
        ids = []
        for _ in range(3):
            d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
            d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
            store.append(d.casus.casus_id, 0, d.gebeurtenissen)
            ids.append(d.casus.casus_id)
            maak_controlepunt(store, instellingen)
        schrijf_bundel(store, instellingen, ids[1], tmp_path / "bundel.json")
    finally:
        store.close()
    data: Bundel = json.loads((tmp_path / "bundel.json").read_text())
    return data


def fouten(b: Bundel, vingerafdruk: str | None = None) -> list[str]:
    return controleer(b, vingerafdruk).fouten


def herteken(b: Bundel, sleutel: Ed25519PrivateKey) -> None:
    """What a forger with a key of his own can do: sign any head, and carry his key in the bundle."""
    ruw = sleutel.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    b["publieke_sleutel"], b["kop"]["sleutel"] = ruw.hex(), hashlib.sha256(ruw).hexdigest()
    b["handtekening"] = sleutel.sign(CONTEXT + json.dumps(b["kop"], sort_keys=True, separators=(",", ":")).encode()).hex()


def test_a_bundle_as_written_is_valid(bundel: Bundel, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fouten(bundel) == []
    assert fouten(bundel, bundel["kop"]["sleutel"]) == []
    assert len(bundel["gebeurtenissen"]) > 5 and bundel["kop"]["grootte"] > len(bundel["gebeurtenissen"])
    pad = tmp_path / "b.json"
    pad.write_text(json.dumps(bundel))
    assert main([str(pad), "--vingerafdruk", bundel["kop"]["sleutel"]]) == 0
    assert capsys.readouterr().out.startswith("valid: casus ")


def _inhoud(b: Bundel) -> None:
    b["gebeurtenissen"][2]["gebeurtenis"] = b["gebeurtenissen"][2]["gebeurtenis"].replace("veilig-thuis", "politie", 1)


def _inhoud_met_nieuwe_keten(b: Bundel) -> None:
    _inhoud(b)
    vorige = b["gebeurtenissen"][1]["hash"]
    for e in b["gebeurtenissen"][2:]:
        e["vorige"] = vorige
        e["hash"] = vorige = schakel(vorige, b["casus_id"], e["versie"], e["topic"], e["gebeurtenis"])


def _volgorde(b: Bundel) -> None:
    g = b["gebeurtenissen"]
    g[2], g[3] = g[3], g[2]


def _weggelaten(b: Bundel) -> None:
    del b["gebeurtenissen"][1]


def _keten(b: Bundel) -> None:
    b["gebeurtenissen"][3]["vorige"] = b["gebeurtenissen"][1]["hash"]


def _bewijs(b: Bundel) -> None:
    p = b["gebeurtenissen"][4]["bewijs"]
    p[0] = ("0" if p[0][0] != "0" else "1") + p[0][1:]


def _index(b: Bundel) -> None:
    b["gebeurtenissen"][4]["index"] += 1


def _positie(b: Bundel) -> None:
    b["gebeurtenissen"][4]["positie"] += 1


def _wortel(b: Bundel) -> None:
    b["kop"]["wortel"] = ("0" if b["kop"]["wortel"][0] != "0" else "1") + b["kop"]["wortel"][1:]


def _grootte(b: Bundel) -> None:
    b["kop"]["grootte"] += 1


def _tijd(b: Bundel) -> None:
    b["kop"]["tijd"] = "2030-01-01T00:00:00+00:00"


def _handtekening(b: Bundel) -> None:
    b["handtekening"] = ("0" if b["handtekening"][0] != "0" else "1") + b["handtekening"][1:]


def _sleutel(b: Bundel) -> None:
    b["publieke_sleutel"] = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


WIJZIGINGEN: dict[str, tuple[Callable[[Bundel], None], str]] = {
    "an event's bytes": (_inhoud, "event 3 (version 3, position"),
    "an event's bytes with the chain recomputed": (_inhoud_met_nieuwe_keten, "event 3 (version 3, position"),
    "the order of two events": (_volgorde, "events are out of order"),
    "an event left out": (_weggelaten, "events are out of order, or one is missing"),
    "the chain": (_keten, "chain link does not name the hash of the event before it"),
    "an inclusion proof": (_bewijs, "event 5 (version 5, position"),
    "a leaf index": (_index, "event 5 (version 5, position"),
    "an event's position": (_positie, "its inclusion proof does not lead to the signed root"),
    "the signed root": (_wortel, "signature on the head does not verify"),
    "the signed tree size": (_grootte, "signature on the head does not verify"),
    "the signed time": (_tijd, "signature on the head does not verify"),
    "the signature": (_handtekening, "signature on the head does not verify"),
    "the public key": (_sleutel, "the signed head names key"),
}


@pytest.mark.parametrize("wat", list(WIJZIGINGEN))
def test_each_changed_part_of_a_bundle_is_named(bundel: Bundel, wat: str) -> None:
    wijzig, verwacht = WIJZIGINGEN[wat]
    b = copy.deepcopy(bundel)
    wijzig(b)
    gevonden = fouten(b)
    assert gevonden and any(verwacht in f for f in gevonden), gevonden


def test_an_event_recomputed_with_its_chain_is_not_the_one_in_the_signed_log(bundel: Bundel) -> None:
    b = copy.deepcopy(bundel)
    _inhoud_met_nieuwe_keten(b)
    assert all("inclusion proof does not lead to the signed root" in f for f in fouten(b))
    assert {f.split(" ")[1] for f in fouten(b)} == {str(n) for n in range(3, len(b["gebeurtenissen"]) + 1)}


def test_a_bundle_signed_with_another_key_is_refused_against_the_published_key(bundel: Bundel) -> None:
    echt = bundel["kop"]["sleutel"]
    b = copy.deepcopy(bundel)
    _inhoud(b)  # the forger changes an event, recomputes everything and signs with his own key
    _inhoud_met_nieuwe_keten(b)
    herteken(b, Ed25519PrivateKey.generate())
    assert any("not the published checkpoint key" in f for f in fouten(b, echt))
    zonder = controleer(copy.deepcopy(bundel))
    assert "compare that fingerprint with the published checkpoint key" in zonder.samenvatting


@pytest.mark.parametrize(
    ("inhoud", "verwacht"),
    [
        ("niet json", "cannot be read as JSON"),
        ("[]", "not a JSON object"),
        ('{"formaat": "iets anders"}', "format"),
        (
            '{"formaat": "casus-bundel/1", "casus_id": "x", "publieke_sleutel": "00", "handtekening": "", "kop": {}, "gebeurtenissen": []}',
            "'grootte' is missing",
        ),
    ],
)
def test_a_malformed_bundle_says_what_is_missing(tmp_path: Path, inhoud: str, verwacht: str, capsys: pytest.CaptureFixture[str]) -> None:
    pad = tmp_path / "b.json"
    pad.write_text(inhoud)
    assert main([str(pad)]) == 1
    assert verwacht in capsys.readouterr().out


def test_the_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    pakket = Path(__file__).resolve().parents[2] / "casus_verify"
    for pad in pakket.glob("*.py"):
        for knoop in ast.walk(ast.parse(pad.read_text())):
            namen = [a.name for a in knoop.names] if isinstance(knoop, ast.Import) else []
            if isinstance(knoop, ast.ImportFrom) and knoop.level == 0 and knoop.module:
                namen = [knoop.module]
            for naam in namen:
                wortel = naam.split(".")[0]
                assert wortel in sys.stdlib_module_names or wortel in ("cryptography", "casus_verify", "__future__"), f"{pad.name}: {naam}"


def test_the_verifier_runs_alone_from_a_copy_without_this_project(bundel: Bundel, tmp_path: Path) -> None:
    """Without the site module (so without this project's editable install), with only the
    directory that holds `cryptography` on the path."""
    kopie = tmp_path / "auditor"
    shutil.copytree(Path(__file__).resolve().parents[2] / "casus_verify", kopie / "casus_verify")
    pad = kopie / "bundel.json"
    pad.write_text(json.dumps(bundel))
    env = {"PYTHONPATH": str(Path(cryptography.__file__).parents[1])}
    goed = subprocess.run(
        [sys.executable, "-S", "-m", "casus_verify", "bundel.json"],
        cwd=kopie,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert goed.returncode == 0 and goed.stdout.startswith("valid"), goed.stderr
    _volgorde(bundel)
    pad.write_text(json.dumps(bundel))
    fout = subprocess.run(
        [sys.executable, "-S", "-m", "casus_verify", "bundel.json"],
        cwd=kopie,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fout.returncode == 1 and "out of order" in fout.stdout
