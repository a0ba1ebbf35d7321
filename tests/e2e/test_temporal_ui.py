"""Temporal's own UI as an operator opens it (issue 15), rendered by headless Chromium through
ChromeDriver (Debian's chromium and chromium-driver) and read as the page shows it (its text, with
the User Metadata tab's rendered Markdown frames): each deadline timer named by its deadline and rule;
the casus's summary and current details, kept up to date by the actions; each update named by its
action in the event history; the list view found by the casus's search attributes, with the saved
view's query the README gives. Screenshots are kept in $CASUS_ARTEFACTEN (default: a tmp dir)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.conftest import Stack, iso, vrije_poort

README = Path(__file__).resolve().parents[2] / "README.md"
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver key of an element reference
# The page's text and that of its frames, each after its id: the User Metadata tab renders the
# Summary and the Current Details as Markdown, each in a frame of the UI's own origin
# (user-metadata-summary, user-metadata-current-details).
TEKST = """
const delen = [document.body ? document.body.innerText : ""];
for (const frame of document.querySelectorAll("iframe")) {
  try { delen.push(`[${frame.id}] ${frame.contentDocument.body.innerText}`); } catch (e) {}
}
return delen.join("\\n");
"""
SAMENVATTING, DETAILS = "[user-metadata-summary] ", "[user-metadata-current-details] "


def _nodig(naam: str) -> str:
    pad = shutil.which(naam)
    if pad is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{naam} is not installed (make test installs Debian's chromium and chromium-driver)")
        pytest.skip(f"{naam} is not installed")
    return pad


def _toont(tekst: str, verwacht: str | re.Pattern[str]) -> bool:
    return bool(verwacht.search(tekst)) if isinstance(verwacht, re.Pattern) else verwacht in tekst


class Browser:
    """A WebDriver session (W3C protocol over HTTP) in headless Chromium, on Temporal's UI."""

    def __init__(self, http: httpx.Client, sessie: str, ui: str, artefacten: Path) -> None:
        self.http, self.sessie, self.ui, self.artefacten = http, sessie, ui, artefacten

    def _post(self, pad: str, body: dict[str, Any]) -> Any:
        antwoord = self.http.post(f"{self.sessie}{pad}", json=body)
        assert antwoord.status_code == 200, antwoord.text
        return antwoord.json()["value"]

    def open(self, pad: str) -> None:
        self._post("/url", {"url": f"{self.ui}{pad}"})

    def herlaad(self) -> None:
        self._post("/refresh", {})

    def tekst(self) -> str:
        """What the page shows, its whitespace collapsed to single spaces."""
        return " ".join(str(self._post("/execute/sync", {"script": TEKST, "args": []})).split())

    def elementen(self, xpath: str) -> list[str]:
        return [e[ELEMENT] for e in self._post("/elements", {"using": "xpath", "value": xpath})]

    def klik(self, element: str) -> None:
        """Clicks the element in the middle of the view, clear of the page's sticky header and footer."""
        self._post("/execute/sync", {"script": "arguments[0].scrollIntoView({block: 'center'})", "args": [{ELEMENT: element}]})
        self._post(f"/element/{element}/click", {})

    def toon(self, begin: str) -> None:
        """Scrolls the first element whose own text begins with `begin` into the middle of the view."""
        script = """
const [begin] = arguments;
const wandelaar = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (wandelaar.nextNode()) {
  if (wandelaar.currentNode.textContent.trim().startsWith(begin)) {
    wandelaar.currentNode.parentElement.scrollIntoView({block: "center"});
    break;
  }
}
for (const e of document.querySelectorAll("*")) { if (e.scrollLeft) e.scrollLeft = 0; }
"""
        self._post("/execute/sync", {"script": script, "args": [begin]})

    def tab(self, naam: str) -> None:
        """Opens a tab of the workflow's page (Timeline, Event History, User Metadata, …)."""
        assert naam in self.wacht_op(naam), f"the workflow's page shows no tab {naam}"
        (tab,) = self.elementen(f"//a[contains(normalize-space(), '{naam}')]")
        self.klik(tab)

    def wacht_op(self, *teksten: str | re.Pattern[str], seconden: float = 30, herladen: bool = False) -> str:
        """The page's text once it shows all of `teksten`, polled until `seconden` have passed (then
        whatever it shows, for the caller's assertion); `herladen` reloads it every few seconds."""
        begin = time.monotonic()
        einde, herladen_op, tekst = begin + seconden, begin + 5, ""
        while time.monotonic() < einde:
            tekst = self.tekst()
            if all(_toont(tekst, t) for t in teksten):
                break
            if herladen and time.monotonic() > herladen_op:
                self.herlaad()
                herladen_op = time.monotonic() + 5
            time.sleep(0.3)
        return tekst

    def screenshot(self, naam: str) -> Path:
        pad = self.artefacten / naam
        pad.write_bytes(base64.b64decode(self.http.get(f"{self.sessie}/screenshot").json()["value"]))
        assert pad.stat().st_size > 20_000, f"{naam} is blank"
        return pad


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chromium, driver = _nodig("chromium"), _nodig("chromedriver")
    stack: Stack = request.getfixturevalue("stack")  # started only when the browser is there
    artefacten = Path(os.environ.get("CASUS_ARTEFACTEN") or tmp_path_factory.mktemp("artefacten"))
    artefacten.mkdir(parents=True, exist_ok=True)
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
        profiel = tmp_path_factory.mktemp("profiel")
        opties = {"binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1400",
                                               f"--user-data-dir={profiel}"]}  # fmt: skip
        antwoord = http.post("/session", json={"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": opties}}})
        sessie = antwoord.json()["value"]["sessionId"]
        ui = f"http://127.0.0.1:{stack.env['CASUS_TEMPORAL_UI_PORT']}/namespaces/default"
        yield Browser(http, f"/session/{sessie}", ui, artefacten)
    finally:
        if sessie:
            http.delete(f"/session/{sessie}")
        http.close()
        proces.terminate()
        proces.wait(timeout=30)


def _melding(stack: Stack, gemeente: str, huishouden: str, *extra: str) -> str:
    r = stack.casus(
        "melding", "--beleid", "ijmond-2024", "--gemeente", gemeente, "--huishouden", huishouden, *extra, "--als", "veilig-thuis"
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _stand(stack: Stack, casus_id: str) -> str:
    """The current details the UI should show, from the casus's status through the API."""
    status = stack.json("status", casus_id)
    open_ = sorted((t for t in status["termijnen"] if t["status"] == "open"), key=lambda t: (t["uiterlijk"], t["soort"]))
    volgende = f"{open_[0]['soort']} uiterlijk {open_[0]['uiterlijk']} ({open_[0]['regel']})" if open_ else "geen"
    return f"{DETAILS}houder {status['houder']} fase {status['fase']} volgende termijn {volgende}"


def _ontbreekt(tekst: str, *verwacht: str | re.Pattern[str]) -> str:
    weg = [v.pattern if isinstance(v, re.Pattern) else v for v in verwacht if not _toont(tekst, v)]
    return f"not shown: {weg}; the page shows: {tekst[:3000]}"


def test_the_casus_page_in_temporals_ui_names_each_timer_by_its_deadline_and_rule(browser: Browser, stack: Stack) -> None:
    casus_id = _melding(stack, "velsen", "HH-UI-1")
    browser.open(f"/workflows/casus-{casus_id}")
    verwacht = (f"casus-{casus_id}", "veiligheidsbeoordeling uiterlijk", "(IJM-3.3.1a)", "verantwoordelijkheid-vt uiterlijk", "(IJM-3.1d)")
    tekst = browser.wacht_op(*verwacht)
    browser.screenshot("temporal-ui-casus.png")
    assert all(_toont(tekst, v) for v in verwacht), _ontbreekt(tekst, *verwacht)


def test_the_casus_page_shows_its_summary_and_current_details_kept_up_to_date_and_each_update_by_its_action(
    browser: Browser, stack: Stack
) -> None:
    casus_id = _melding(stack, "velsen", "HH-UI-2")
    browser.open(f"/workflows/casus-{casus_id}")
    browser.tab("User Metadata")
    samenvatting, stand = f"{SAMENVATTING}ijmond-2024 · velsen · HH-UI-2", _stand(stack, casus_id)
    assert stand.startswith(f"{DETAILS}houder melder fase beoordeling volgende termijn veiligheidsbeoordeling uiterlijk ")
    assert stand.endswith(" (IJM-3.3.1a)")
    tekst = browser.wacht_op(samenvatting, "Current Details", stand)
    assert samenvatting in tekst and stand in tekst, _ontbreekt(tekst, samenvatting, stand)

    stack.json("beoordeling-afronden", casus_id, "--besluit", "direct-overdracht", "--team", "socius-md", "--als", "veilig-thuis")
    browser.herlaad()
    stand = _stand(stack, casus_id)
    assert stand == f"{DETAILS}houder veilig-thuis fase overdracht-aangeboden volgende termijn geen"
    tekst = browser.wacht_op(samenvatting, stand, herladen=True)
    assert samenvatting in tekst and stand in tekst, _ontbreekt(tekst, samenvatting, stand)

    stack.json("overdracht-accepteren", casus_id, "--als", "lokaal-team:socius-md")
    browser.herlaad()
    stand = _stand(stack, casus_id)
    assert stand.startswith(f"{DETAILS}houder lokaal-team:socius-md fase overgedragen volgende termijn contact-gezin uiterlijk ")
    tekst = browser.wacht_op(samenvatting, stand, herladen=True)
    browser.screenshot("temporal-ui-details.png")
    assert samenvatting in tekst and stand in tekst, _ontbreekt(tekst, samenvatting, stand)
    assert "No details available" in tekst  # the static details: the summary says it all

    # The event history: each update's id names its action (service/sturen.py), shown when its
    # Update Accepted event is opened; the timer set after the overdracht names its deadline and rule.
    browser.tab("Event History")
    volgende_termijn = stand.split("volgende termijn ", 1)[1]
    browser.wacht_op("Workflow Execution Update Accepted", "Timer Started", volgende_termijn)
    # The melding's update and the two actions'.
    acties = "//tr[@data-testid='event-summary-row'][contains(., 'Workflow Execution Update Accepted')]"
    rijen = browser.elementen(acties)
    assert len(rijen) == 3, "the updates of the melding and the two actions"
    for rij in rijen:
        browser.klik(rij)
    updates = (
        re.compile(r"Update ID melding-" + re.escape(casus_id) + " "),
        re.compile(r"Update ID beoordeling-afronden-[0-9a-f-]{36}\.[0-9a-f]+ "),
        re.compile(r"Update ID overdracht-accepteren-[0-9a-f-]{36}\.[0-9a-f]+ "),
        re.compile(r"Timer Started .*Summary " + re.escape(volgende_termijn)),
    )
    tekst = browser.wacht_op(*updates)
    browser.toon("beoordeling-afronden-")
    browser.screenshot("temporal-ui-geschiedenis.png")
    assert all(_toont(tekst, u) for u in updates), _ontbreekt(tekst, *updates)


def _lijst(browser: Browser, query: str, verwacht: str, niet: str) -> str:
    browser.open(f"/workflows?query={quote(query)}")
    tekst = browser.wacht_op(verwacht, herladen=True)
    assert verwacht in tekst, _ontbreekt(tekst, verwacht)
    assert niet not in tekst, f"{niet} is listed by {query}"
    return tekst


def test_the_list_view_finds_a_casus_by_its_search_attributes_with_the_readmes_saved_view(browser: Browser, stack: Stack) -> None:
    nu = datetime.now(UTC).replace(microsecond=0)
    later = _melding(stack, "heemskerk", "HH-UI-3")  # its first deadline is days away
    # Acute, received 50 hours ago: the crisis deadline (72 hours, IJM-3.1b) is its next, within 24 hours.
    binnenkort = _melding(stack, "heemskerk", "HH-UI-4", "--acuut", "--ontvangen", iso(nu - timedelta(hours=50)))

    query = (
        "WorkflowType = 'Casus' AND CasusBeleid = 'ijmond-2024' AND CasusGemeente = 'heemskerk' AND CasusHouder = 'melder'"
        " AND CasusFase = 'beoordeling' AND CasusMonitoringBesluitNodig = false"
    )
    _lijst(browser, query, f"casus-{later}", niet=f"casus-{binnenkort}")

    bewaard = re.search(r"^WorkflowType = 'Casus' AND .*CasusGemeente = .*CasusVolgendeTermijn < .*$", README.read_text(), re.M)
    assert bewaard, "the README shows no saved view of a gemeente's casussen with a deadline within 24 hours"
    query = re.sub(r"CasusGemeente = '[^']*'", "CasusGemeente = 'heemskerk'", bewaard.group())
    query = re.sub(r"CasusVolgendeTermijn < '[^']*'", f"CasusVolgendeTermijn < '{(nu + timedelta(hours=24)):%Y-%m-%dT%H:%M:%SZ}'", query)
    tekst = _lijst(browser, query, f"casus-{binnenkort}", niet=f"casus-{later}")
    browser.screenshot("temporal-ui-lijst.png")
    assert "CasusVolgendeTermijn before" in tekst, "the UI did not take the query into its filter"
