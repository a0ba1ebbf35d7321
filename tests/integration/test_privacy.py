"""Personal data sealed per household, on SQLite and PostgreSQL; forgetting a household makes its
texts unreadable everywhere while the responsibility record, the deadlines and the hash chain stay
intact (Wmo 2015 art. 5.3.4/5.3.5)."""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.opdrachten import PlanVastleggen
from domain.stap import Regelset
from eventstore.kluis import VERGETEN, Kluis
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import tijdlijn
from runtime.settings import Settings
from service.verzegelen import verzegel

pytestmark = pytest.mark.storing
GEHEIM = "Buurvrouw Jansen hoort dat vader de kinderen slaat"
PLAN = "Plan met moeder Fatima: oma haalt de kinderen op"


def alle_bytes(settings: Settings) -> bytes:
    """Every value of every table in the database, as someone with a copy of it would see."""
    waarden: list[Any] = []
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path) as db:
            for (tabel,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                waarden += [v for rij in db.execute(f'SELECT * FROM "{tabel}"').fetchall() for v in rij]
    else:
        with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                             dbname=settings.postgres_dbname) as db:  # fmt: skip
            tabellen = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            for (tabel,) in tabellen:
                waarden += [v for rij in db.execute(f'SELECT * FROM "{tabel}"').fetchall() for v in rij]  # type: ignore[arg-type]
    return b"\n".join(v if isinstance(v, bytes | memoryview) else str(v).encode() for v in waarden)


def test_personal_data_is_sealed_at_rest_and_forgetting_shreds_only_that(
    store: EventStore, store_settings: Settings, gelderland: Regelset
) -> None:
    views = open_views(store.infrastructure)
    kluis = Kluis(views, AESGCM.generate_key(bit_length=256))
    huishouden = f"HH-{uuid.uuid4().hex[:6]}"
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede", huishouden=huishouden, inhoud=kluis.verzegel(huishouden, GEHEIM))
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    plan = verzegel(PlanVastleggen(plan=PLAN), huishouden, kluis)
    d.doe("2028-01-20T10:00:00+01:00", "plan-vastleggen", "lokaal-team:ede", plan=plan.plan)
    ander = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede", inhoud=kluis.verzegel("HH-ander", "een andere zorg"))
    for x in (d, ander):
        store.append(x.casus.casus_id, 0, x.gebeurtenissen)
    ProjectionRunner(store, views, alle()).catch_up()

    opgeslagen = alle_bytes(store_settings)
    assert GEHEIM.encode() not in opgeslagen and PLAN.encode() not in opgeslagen
    melding = store.read(d.casus.casus_id)[0]
    assert isinstance(melding, g.MeldingOntvangen) and kluis.ontzegel(huishouden, melding.inhoud) == GEHEIM
    lijn_voor, termijnen_voor = tijdlijn(views, d.casus.casus_id), d.casus.termijnen

    assert kluis.vergeet(huishouden, "verzoek van de client (Wmo 2015 art. 5.3.5)", "veilig-thuis/anna").had_sleutel
    gelezen = store.read(d.casus.casus_id)
    melding = gelezen[0]
    assert isinstance(melding, g.MeldingOntvangen) and kluis.ontzegel(huishouden, melding.inhoud) == VERGETEN
    plan_event = next(e for e in gelezen if isinstance(e, g.PlanVastgelegd))
    assert kluis.ontzegel(huishouden, plan_event.plan) == VERGETEN
    # The pseudonymous record stands: who held it when, the deadlines, the chain.
    assert tijdlijn(views, d.casus.casus_id) == lijn_voor
    assert [t.status for t in d.casus.termijnen] == [t.status for t in termijnen_voor]
    assert store.verify(d.casus.casus_id) == []
    # Another household is untouched; what is sealed for the forgotten one now is under a new generation.
    eerste = store.read(ander.casus.casus_id)[0]
    assert isinstance(eerste, g.MeldingOntvangen) and kluis.ontzegel("HH-ander", eerste.inhoud) == "een andere zorg"
    assert kluis.verzegel(huishouden, "nieuw").startswith("vz2:")
    rij = views.query("SELECT reden, vergeten_door FROM vernietigde_sleutels WHERE huishouden = %s", (huishouden,))[0]
    assert rij["vergeten_door"] == "veilig-thuis/anna" and "5.3.5" in rij["reden"]
    sleutels = views.query("SELECT sleutel FROM huishouden_sleutels WHERE huishouden = %s AND generatie = 1", (huishouden,))
    assert sleutels[0]["sleutel"] is None
