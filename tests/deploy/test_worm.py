"""The checkpoint log's way to the WORM bucket and back (deploy/k8s/worm-sync.sh), run with `sh`
against a stand-in for the AWS CLI that keeps objects in a directory and, as the bucket policy
demands, never overwrites one (If-None-Match: *). What an auditor fetches from the bucket is the
log the checkpointer wrote, and the store checks against it as against the original."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.controlepunt import ControlepuntSettings, controleer_streams, maak_controlepunt, maak_sleutel
from eventstore.store import EventStore
from runtime.settings import Settings
from tests.integration.test_controlepunt import herschrijf
from tests.integration.test_integriteit import casus

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "worm-sync.sh"
BUCKET = "casus-controlepunten"

# The AWS CLI's three calls the script makes, on a directory: put-object only where no object is.
NEP_AWS = f"""#!{sys.executable}
import os, shutil, sys
from pathlib import Path
wortel, a = Path(os.environ["NEP_S3"]), sys.argv[1:]
def optie(naam):
    return a[a.index(naam) + 1]
if a[:2] == ["s3api", "put-object"]:
    assert optie("--if-none-match") == "*", "every write is conditional"
    doel = wortel / optie("--bucket") / optie("--key")
    if doel.exists():
        sys.exit("An error occurred (PreconditionFailed) when calling the PutObject operation")
    doel.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(optie("--body"), doel)
elif a[:2] == ["s3api", "get-object"]:
    bron = wortel / optie("--bucket") / optie("--key")
    if not bron.exists():
        sys.exit("An error occurred (NoSuchKey) when calling the GetObject operation")
    shutil.copyfile(bron, a[-1])
elif a[:2] == ["s3", "sync"]:
    bucket, _, prefix = a[-2].removeprefix("s3://").partition("/")
    bron = wortel / bucket / prefix
    if bron.is_dir():
        shutil.copytree(bron, a[-1], dirs_exist_ok=True)
else:
    sys.exit(f"not in the stand-in: {{a}}")
"""


@pytest.fixture
def omgeving(tmp_path: Path) -> dict[str, str]:
    if shutil.which("sh") is None:
        pytest.skip("no sh")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "aws").write_text(NEP_AWS)
    (bin_ / "aws").chmod(0o755)
    return {
        "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}",
        "NEP_S3": str(tmp_path / "s3"),
        "WORM_BUCKET": BUCKET,
        "CASUS_CONTROLEPUNT_MAP": str(tmp_path / "casus" / "controlepunten"),
        "WORM_STAAT": str(tmp_path / "casus" / "worm.staat"),
    }


def sync(omgeving: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(SCRIPT), *args], env=omgeving | extra, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path, eventstore="sqlite")


@pytest.fixture
def store(settings: Settings) -> EventStore:
    return EventStore.open(settings)


def casus_erbij(store: EventStore, regelset: Regelset) -> None:
    d = Draaiboek(regelset, "2027-03-25T10:00:00+01:00", "velsen")
    store.append(d.casus.casus_id, 0, d.gebeurtenissen, sleutel="melding")


@pytest.fixture
def instellingen(tmp_path: Path, omgeving: dict[str, str]) -> ControlepuntSettings:
    inst = ControlepuntSettings(sleutel=tmp_path / "geheim" / "controlepunt.ed25519", map=Path(omgeving["CASUS_CONTROLEPUNT_MAP"]))
    publiek = maak_sleutel(inst.sleutel)
    pem = tmp_path / "controlepunt.pub.pem"
    pem.write_bytes(publiek.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return inst.model_copy(update={"publiek": pem})


def objecten(omgeving: dict[str, str]) -> list[str]:
    wortel = Path(omgeving["NEP_S3"]) / BUCKET
    return sorted(str(p.relative_to(wortel)) for p in wortel.rglob("*") if p.is_file())


def test_the_script_is_posix_shell() -> None:
    for shell in ("sh", "dash", "bash"):
        if programma := shutil.which(shell):
            r = subprocess.run([programma, "-n", str(SCRIPT)], capture_output=True, text=True, check=False)
            assert r.returncode == 0, f"{shell}: {r.stderr}"


def test_each_head_goes_to_the_bucket_once_after_its_leaves_and_comes_back_whole(
    store: EventStore, instellingen: ControlepuntSettings, omgeving: dict[str, str], ijmond: Regelset, tmp_path: Path
) -> None:
    casus_erbij(store, ijmond)
    maak_controlepunt(store, instellingen)
    casus_erbij(store, ijmond)
    maak_controlepunt(store, instellingen)
    assert sync(omgeving, "eenmaal").returncode == 0
    koppen = [o for o in objecten(omgeving) if "/koppen/" in o]
    assert koppen == [f"controlepunten/koppen/{n:012d}.jsonl" for n in (4, 8)], "named by the tree size their head signs"
    assert {o for o in objecten(omgeving) if "/bladeren/" in o} == {
        f"controlepunten/{p.relative_to(instellingen.map)}" for p in (instellingen.map / "bladeren").iterdir()
    }
    assert Path(omgeving["WORM_STAAT"]).read_text().split() == [str((instellingen.map / "koppen.jsonl").stat().st_size), "2"]

    # A line cut short by a crash is no head and is not sent; the checkpointer's next head follows it
    # on a line of its own, and the next round sends only that.
    with (instellingen.map / "koppen.jsonl").open("a") as f:
        f.write('{"kop":{"groo')
    casus_erbij(store, ijmond)
    maak_controlepunt(store, instellingen)
    r = sync(omgeving, "eenmaal")
    assert r.returncode == 0 and "line 3 of koppen.jsonl is no head" in r.stderr, r.stderr
    assert len([o for o in objecten(omgeving) if "/koppen/" in o]) == 3
    # A head being written (no newline yet) waits.
    with (instellingen.map / "koppen.jsonl").open("a") as f:
        f.write('{"kop":{"grootte":99,')
    assert sync(omgeving, "eenmaal").returncode == 0
    assert len([o for o in objecten(omgeving) if "/koppen/" in o]) == 3

    # The state lost (a new volume for it): what was sent is recognised by its bytes.
    Path(omgeving["WORM_STAAT"]).unlink()
    assert sync(omgeving, "eenmaal").returncode == 0

    # What the auditor fetches: the log as written, against which the store checks as before.
    audit = tmp_path / "audit"
    r = sync(omgeving, "haal", str(audit))
    assert r.returncode == 0, r.stderr
    regels = (instellingen.map / "koppen.jsonl").read_text().split("\n")
    assert (audit / "koppen.jsonl").read_text() == "".join(f"{r}\n" for r in regels[:2] + regels[3:4])
    verslag = controleer_streams(store, instellingen.model_copy(update={"map": audit}))
    assert verslag.bevindingen == [] and verslag.kop is not None and verslag.kop.grootte == 3 * 4
    assert sync(omgeving, "haal", str(audit)).returncode == 0, "again, over the heads fetched before"


def test_a_new_volume_is_filled_from_the_bucket_before_the_checkpointer_starts(
    store: EventStore, instellingen: ControlepuntSettings, omgeving: dict[str, str], ijmond: Regelset
) -> None:
    casus_erbij(store, ijmond)
    maak_controlepunt(store, instellingen)
    assert sync(omgeving, "eenmaal").returncode == 0
    origineel = (instellingen.map / "koppen.jsonl").read_bytes()
    shutil.rmtree(instellingen.map)
    Path(omgeving["WORM_STAAT"]).unlink()

    r = sync(omgeving, "herstel")
    assert r.returncode == 0 and "restored 1 heads" in r.stderr, r.stderr
    assert (instellingen.map / "koppen.jsonl").read_bytes() == origineel
    casus_erbij(store, ijmond)
    uitkomst = maak_controlepunt(store, instellingen)  # continues the restored log
    assert uitkomst.nieuw == 4 and uitkomst.bevindingen == []
    assert sync(omgeving, "eenmaal").returncode == 0
    assert len([o for o in objecten(omgeving) if "/koppen/" in o]) == 2
    assert "nothing restored" in sync(omgeving, "herstel").stderr


def test_other_bytes_under_a_head_s_name_stop_the_sync_and_a_head_missing_is_found_by_the_check(
    store: EventStore, instellingen: ControlepuntSettings, omgeving: dict[str, str], ijmond: Regelset, tmp_path: Path
) -> None:
    for _ in range(3):
        casus_erbij(store, ijmond)
        maak_controlepunt(store, instellingen)
    assert sync(omgeving, "eenmaal").returncode == 0
    tweede = Path(omgeving["NEP_S3"]) / BUCKET / "controlepunten" / "koppen" / f"{8:012d}.jsonl"
    tweede.write_text(tweede.read_text().replace('"grootte":', '"grootte": '))
    Path(omgeving["WORM_STAAT"]).unlink()
    r = sync(omgeving, "eenmaal")
    assert r.returncode == 3 and "holds other bytes" in r.stderr, r.stderr

    # A head the bucket lacks (never sent): the heads after it do not extend what came before.
    tweede.unlink()
    audit = tmp_path / "audit"
    assert sync(omgeving, "haal", str(audit)).returncode == 0
    verslag = controleer_streams(store, instellingen.model_copy(update={"map": audit}))
    assert [b.soort for b in verslag.bevindingen] == ["controlepunt"]


@pytest.mark.storing
def test_a_history_rewritten_and_signed_again_with_the_checkpoint_key_is_caught_against_the_worm_bucket(
    store: EventStore, settings: Settings, instellingen: ControlepuntSettings, omgeving: dict[str, str], ijmond: Regelset,
    tmp_path: Path,
) -> None:  # fmt: skip
    """The table owner who also holds the checkpoint key rewrites a stream with its chain recomputed,
    throws the checkpoint log away and signs the rewritten log afresh: here it all holds together,
    but the heads in the bucket were there first and cannot be replaced."""
    vervalst = casus(store, ijmond)
    maak_controlepunt(store, instellingen)
    casus(store, ijmond)
    maak_controlepunt(store, instellingen)
    assert sync(omgeving, "eenmaal").returncode == 0

    herschrijf(store, settings, vervalst, 7, b"IJM-3.1c", b"IJM-3.1d")
    shutil.rmtree(instellingen.map)
    Path(omgeving["WORM_STAAT"]).unlink()
    while maak_controlepunt(store, instellingen).nieuw:
        pass
    assert controleer_streams(store, instellingen).bevindingen == [], "against its own new log the rewrite passes"

    r = sync(omgeving, "eenmaal")
    assert r.returncode == 3 and "holds other bytes" in r.stderr, "the new heads cannot take the old ones' place"
    audit = tmp_path / "audit"
    assert sync(omgeving, "haal", str(audit)).returncode == 0
    bevindingen = controleer_streams(store, instellingen.model_copy(update={"map": audit})).bevindingen
    assert {(b.soort, b.casus_id, b.versie) for b in bevindingen} >= {("herschreven", vervalst, 7)}, bevindingen
