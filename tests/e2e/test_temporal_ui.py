"""Temporal's own UI as an operator opens it (issue 15), rendered by headless Chromium through
ChromeDriver (Debian's chromium and chromium-driver): the casus's page shows each deadline timer by
its deadline and rule. A screenshot is kept in $CASUS_ARTEFACTEN (default: the test's tmp dir)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Stack, vrije_poort


def _nodig(naam: str) -> str:
    pad = shutil.which(naam)
    if pad is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{naam} is not installed (make test installs Debian's chromium and chromium-driver)")
        pytest.skip(f"{naam} is not installed")
    return pad


@pytest.fixture
def webdriver(tmp_path: Path) -> Iterator[tuple[httpx.Client, str]]:
    """A WebDriver session (W3C protocol over HTTP) in headless Chromium."""
    browser, driver = _nodig("chromium"), _nodig("chromedriver")
    poort = vrije_poort()
    proces = subprocess.Popen([driver, f"--port={poort}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    http = httpx.Client(base_url=f"http://127.0.0.1:{poort}", timeout=60)
    sessie = ""
    try:
        einde = time.monotonic() + 30
        while True:
            try:
                http.get("/status")
                break
            except httpx.TransportError:
                assert time.monotonic() < einde, "chromedriver did not start"
                time.sleep(0.1)
        opties = {"binary": browser, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1400",
                                              f"--user-data-dir={tmp_path / 'profiel'}"]}  # fmt: skip
        antwoord = http.post("/session", json={"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": opties}}})
        sessie = antwoord.json()["value"]["sessionId"]
        yield http, f"/session/{sessie}"
    finally:
        if sessie:
            http.delete(f"/session/{sessie}")
        http.close()
        proces.terminate()
        proces.wait(timeout=30)


def test_the_casus_page_in_temporals_ui_names_each_timer_by_its_deadline_and_rule(
    stack: Stack, webdriver: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    http, sessie = webdriver
    r = stack.casus("melding", "--beleid", "ijmond-2024", "--gemeente", "velsen", "--huishouden", "HH-UI-1", "--als", "veilig-thuis")
    assert r.returncode == 0, r.stderr
    casus_id = r.stdout.strip()
    ui = f"http://127.0.0.1:{stack.env['CASUS_TEMPORAL_UI_PORT']}/namespaces/default/workflows/casus-{casus_id}"
    http.post(f"{sessie}/url", json={"url": ui})
    einde, dom = time.monotonic() + 60, ""
    while time.monotonic() < einde:
        dom = http.get(f"{sessie}/source").json()["value"]
        if "(IJM-3.3.1a)" in dom:
            break
        time.sleep(0.5)
    artefacten = Path(os.environ.get("CASUS_ARTEFACTEN") or tmp_path)
    artefacten.mkdir(parents=True, exist_ok=True)
    (artefacten / "temporal-ui-casus.png").write_bytes(base64.b64decode(http.get(f"{sessie}/screenshot").json()["value"]))
    assert f"casus-{casus_id}" in dom, "the casus's page did not render"
    assert "veiligheidsbeoordeling uiterlijk" in dom and "(IJM-3.3.1a)" in dom, "the timer is not named by its deadline and rule"
    assert "verantwoordelijkheid-vt uiterlijk" in dom and "(IJM-3.1d)" in dom
    assert (artefacten / "temporal-ui-casus.png").stat().st_size > 20_000
