"""`casus audit --html`: the page rendered by headless Chromium (Debian's chromium), as an auditor
opens it, with its content read back from the rendered DOM and a screenshot taken."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.voordeur import voordeur


def chromium() -> str:
    pad = shutil.which("chromium") or shutil.which("chromium-browser")
    if pad is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("chromium is not installed (make test installs Debian's chromium package)")
        pytest.skip("chromium is not installed")
    return pad


def render(browser: str, pagina: Path, png: Path, profiel: Path) -> str:
    vlaggen = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={profiel}", "--window-size=1200,1400",
    ]  # fmt: skip
    subprocess.run([browser, *vlaggen, f"--screenshot={png}", pagina.as_uri()], check=True, capture_output=True, timeout=120)
    dom = subprocess.run([browser, *vlaggen, "--dump-dom", pagina.as_uri()], check=True, capture_output=True, text=True, timeout=120)
    return dom.stdout


def test_the_audit_page_shows_lanes_transfers_deadlines_and_events(tmp_path: Path, ijmond: Regelset) -> None:
    browser = chromium()
    settings = Settings(state_dir=tmp_path, eventstore="sqlite")
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    d.tik("2027-04-20T00:00:00+02:00")
    store = EventStore.open(settings)
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    ProjectionRunner(store, open_views(store.infrastructure), alle()).catch_up()
    store.close()

    pagina, png = tmp_path / "audit.html", tmp_path / "audit.png"
    # The page as the API serves it (`Accept: text/html`) to an auditor, through the CLI.
    with voordeur(os.environ | {"CASUS_STATE_DIR": str(tmp_path), "CASUS_EVENTSTORE": "sqlite"}, tmp_path / "api") as deur:
        r = deur.casus("audit", d.casus.casus_id, "--html", str(pagina), "--reden", "steekproef", "--als", "auditor")
    assert r.returncode == 0, r.stderr
    assert "<script" not in pagina.read_text(encoding="utf-8") and "http" not in pagina.read_text(encoding="utf-8").replace(
        "http://www.w3.org/2000/svg", ""
    ), "the page is self-contained"

    dom = render(browser, pagina, png, tmp_path / "profiel")
    for lane in ("melder", "veilig-thuis", "lokaal-team:socius-md"):
        assert f'class="lane">{lane}</text>' in dom
    for regel in ("IJM-3.1c", "IJM-3.3.1b"):
        assert f'class="regel">{regel}</text>' in dom
    assert '<b id="status">open</b>' in dom
    assert "contact-gezin" in dom and "verstreken" in dom and "voldaan" in dom
    assert dom.count("<tr>") >= len(d.gebeurtenissen) + 3
    assert png.exists() and png.stat().st_size > 20_000
