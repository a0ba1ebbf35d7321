"""`casus audit --html`: the page rendered by headless Chromium (Debian's chromium), as an auditor
opens it, with its content read back from the rendered DOM and a screenshot taken. `meet` and
`schermafdruk` serve tests/e2e/test_audit_schalen.py too: the page's geometry as Chromium drew it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

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


VLAGGEN = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
)  # fmt: skip

# Injected into a copy of the page only: what the browser drew, measured where it drew it (CSS px).
MEETSCRIPT = """<script>
(function () {
  const vak = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const alle = (s) => Array.from(document.querySelectorAll(s));
  const een = (s) => document.querySelector(s);
  const cellen = (s) => alle(s + " tr").slice(1).map((tr) => Array.from(tr.cells).map((c) => c.textContent));
  const einde = een("#tijdlijn .einde-lijn").getBoundingClientRect();
  const maten = {
    svg: vak(een("#tijdlijn")),
    strepen: alle("#tijdlijn .streep").map((e) => ({ t: e.dataset.t, x: vak(e)[0] })),
    tikken: alle("#tijdlijn .tik").map((e) => ({ t: e.dataset.t, tekst: e.textContent, vak: vak(e) })),
    regels: alle("#tijdlijn .regel").map((e) => ({ tekst: e.textContent, vak: vak(e) })),
    merken: alle("#tijdlijn .merk").map((e) => ({
      status: e.dataset.status, nummer: e.dataset.nummer, tekst: e.querySelector(".nummer").textContent, vak: vak(e),
    })),
    intervallen: alle("#tijdlijn .interval").map(vak),
    as: vak(een("#tijdlijn .as-lijn")),
    einde: { t: een("#tijdlijn .as-einde").dataset.t, x: (einde.left + einde.right) / 2, vak: vak(een("#tijdlijn .as-einde")) },
    begin: { vak: vak(een("#tijdlijn .as-begin")) },
    legenda: alle("#legenda [data-legenda]").map((e) => e.dataset.legenda),
    termijnen: cellen("#termijnen"),
    gebeurtenissen: cellen("#gebeurtenissen"),
    hoogte: document.documentElement.scrollHeight,
  };
  const pre = document.createElement("pre");
  pre.id = "maten";
  pre.textContent = JSON.stringify(maten);
  document.body.appendChild(pre);
})();
</script>"""


def _chromium(browser: str, profiel: Path, breedte: int, hoogte: int, *args: str) -> str:
    vlaggen = [*VLAGGEN, f"--user-data-dir={profiel}", f"--window-size={breedte},{hoogte}", *args]
    return subprocess.run([browser, *vlaggen], check=True, capture_output=True, text=True, timeout=120).stdout


def render(browser: str, pagina: Path, png: Path, profiel: Path) -> str:
    _chromium(browser, profiel, 1200, 1400, f"--screenshot={png}", pagina.as_uri())
    return _chromium(browser, profiel, 1200, 1400, "--dump-dom", pagina.as_uri())


def meet(browser: str, pagina: Path, profiel: Path) -> dict[str, Any]:
    """The page's geometry and tables as Chromium rendered them, from a copy with `MEETSCRIPT`."""
    kopie = pagina.with_name(pagina.stem + "-gemeten.html")
    kopie.write_text(pagina.read_text(encoding="utf-8").replace("</body>", MEETSCRIPT + "</body>"), encoding="utf-8")
    dom = _chromium(browser, profiel, 1200, 1400, "--dump-dom", kopie.as_uri())
    gevonden = re.search(r'<pre id="maten">(.*?)</pre>', dom, re.S)
    assert gevonden is not None, "the measuring script did not run"
    maten: dict[str, Any] = json.loads(unescape(gevonden.group(1)))
    return maten


def schermafdruk(browser: str, pagina: Path, png: Path, profiel: Path, hoogte: int) -> None:
    """A screenshot of the whole page (`hoogte`: its height in px)."""
    _chromium(browser, profiel, 1200, hoogte, f"--screenshot={png}", pagina.as_uri())


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
    # Each fact with what it records; the melding's free text stays sealed.
    assert "gemeente: velsen" in dom and "acuut: nee" in dom and "inhoud: (verzegeld)" in dom
    assert "besluit: direct-overdracht" in dom and "van: veilig-thuis · naar: lokaal-team:socius-md" in dom
    assert "termijn: contact-gezin-1" in dom
    assert png.exists() and png.stat().st_size > 20_000
