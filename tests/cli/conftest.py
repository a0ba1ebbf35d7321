"""The CLI's own tests: each runs `casus` in this process (`_draai`, output from capsys) with a token
file of its own and no server settings, or as a subprocess where startup itself is what is tested.

`api` is the real API (api/app.py over service/) served by uvicorn on 127.0.0.1 in this process,
with the development issuer, an event store holding two casussen written by the domain's decider,
and the read models caught up. Temporal is not running: what needs it answers 503 (exit 3)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import maak_app
from api.server import verificateur
from api.uitgever import DraaiendeUitgever, start_uitgever
from bench.poorten import vrije_poort
from casus_cli import client, tokens
from casus_cli.main import _draai
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.kluis import Kluis, meester_sleutel
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from service.samenstelling import Samenstelling

GEHEIM = "Buurvrouw hoort 's nachts geschreeuw; kinderen 4 en 7."


@dataclass
class Proefapi:
    url: str
    casus_id: str
    huishouden: str
    te_vergeten: str
    """A household of its own for the erasure test, so the other tests read intact texts."""
    state_dir: Path


@dataclass
class Uitkomst:
    code: int
    out: str
    err: str


@pytest.fixture
def casus(capsys: pytest.CaptureFixture[str]) -> object:
    """`casus(*args)`: runs one command in this process; its exit code, stdout and stderr."""

    def draai(*args: str) -> Uitkomst:
        capsys.readouterr()
        code = _draai("--json" in args, list(args))
        uit = capsys.readouterr()
        return Uitkomst(code, uit.out, uit.err)

    return draai


@pytest.fixture(autouse=True)
def client_omgeving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A client's environment: a token file of its own, no server setting, no user's config."""
    for naam in [n for n in os.environ if n.startswith("CASUS_")]:
        monkeypatch.delenv(naam)
    bestand = tmp_path / "client" / "tokens.json"
    monkeypatch.setenv("CASUS_TOKEN_BESTAND", str(bestand))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("CASUS_API_URL", f"http://127.0.0.1:{vrije_poort()}")  # nothing listens unless a test says so
    return bestand


def _schrijf_casussen(settings: Settings, ijmond: Regelset, huishouden: str, te_vergeten: str) -> str:
    store = EventStore.open(settings)
    try:
        kluis = Kluis(open_views(store.infrastructure), meester_sleutel(settings))
        d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen", huishouden=huishouden, inhoud=kluis.verzegel(huishouden, GEHEIM))
        d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
        d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
        d.tik("2027-04-20T00:00:00+02:00")  # contact-gezin lapsed
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
        ander = Draaiboek(ijmond, "2027-04-02T10:00:00+02:00", "beverwijk", huishouden=te_vergeten, inhoud=kluis.verzegel(te_vergeten, "x"))
        store.append(ander.casus.casus_id, 0, ander.gebeurtenissen)
        # A closed casus, years after the others (outside every report's range the tests ask for).
        gesloten = Draaiboek(ijmond, "2029-03-26T10:00:00+02:00", "velsen", huishouden="HH-cli-gesloten")
        gesloten.doe("2029-03-28T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
        gesloten.doe("2029-03-29T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
        gesloten.doe("2029-03-30T11:00:00+02:00", "afsluiten", "lokaal-team:socius-md", reden="geen-contact-geen-zorgen")
        store.append(gesloten.casus.casus_id, 0, gesloten.gebeurtenissen)
        ProjectionRunner(store, open_views(store.infrastructure), alle()).catch_up()
        return d.casus.casus_id
    finally:
        store.close()


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory, ijmond: Regelset) -> Iterator[Proefapi]:
    state_dir = tmp_path_factory.mktemp("api")
    settings = Settings(
        state_dir=state_dir, eventstore="sqlite", temporal_address=f"127.0.0.1:{vrije_poort()}", master_key="", worker_sleutel=None
    )
    casus_id = _schrijf_casussen(settings, ijmond, "HH-cli-1", "HH-cli-vergeet")
    uitgever: DraaiendeUitgever = start_uitgever(state_dir / "uitgever")
    poort = vrije_poort()
    app = maak_app(Samenstelling(settings), verificateur(uitgever.url), ontwikkeling=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=poort, log_level="warning", lifespan="on"))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    einde = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < einde and draad.is_alive(), "the API did not start"
        time.sleep(0.02)
    try:
        yield Proefapi(f"http://127.0.0.1:{poort}", casus_id, "HH-cli-1", "HH-cli-vergeet", state_dir)
    finally:
        server.should_exit = True
        draad.join(timeout=30)
        uitgever.stop()


@pytest.fixture
def bij(api: Proefapi, monkeypatch: pytest.MonkeyPatch) -> Proefapi:
    """The CLI pointed at the in-process API."""
    monkeypatch.setenv("CASUS_API_URL", api.url)
    return api


def login(casus: Callable[..., Uitkomst], als: str, medewerker: str | None = None) -> None:
    r = casus("login", "--als", als, *(["--medewerker", medewerker] if medewerker else []))
    assert r.code == 0, r.err


def bewaar_token(als: str, token: str) -> None:
    """A token stored as `casus login` stores it: for the API the CLI is pointed at (CASUS_API_URL)."""
    tokens.bewaar(als, token, issuer=None, api=client.Api().basis)


def netwerk(monkeypatch: pytest.MonkeyPatch, antwoord: Callable[[httpx.Request], httpx.Response], *partijen: str) -> list[httpx.Request]:
    """The CLI's requests answered by `antwoord` instead of a network (collected in the list
    returned), with a token stored for each of `partijen` (Veilig Thuis's by default)."""
    verzoeken: list[httpx.Request] = []

    def behandel(verzoek: httpx.Request) -> httpx.Response:
        verzoeken.append(verzoek)
        return antwoord(verzoek)

    monkeypatch.setattr(client, "TRANSPORT", httpx.MockTransport(behandel))
    for als in partijen or ("veilig-thuis",):
        bewaar_token(als, "kop.inhoud.handtekening")
    return verzoeken
