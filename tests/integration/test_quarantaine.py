"""Poison events on SQLite and PostgreSQL: rows written into the event table past the application
(by its owner) that do not decode or do not verify are quarantined by the projection runner; the
read models stop for those casussen only, and `casus verifieer` reports them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.keten import BEGIN, uitpakken, verpak
from eventstore.store import EventStore, stream_id
from eventstore.views import ViewStore, open_views
from projections.alle import alle
from projections.quarantaine import in_quarantaine
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.conftest import store_env

pytestmark = pytest.mark.storing

CASUS = str(Path(sys.executable).parent / "casus")


def casus(store: EventStore, ijmond: Regelset) -> str:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    return d.casus.casus_id


def voeg_rauw_toe(settings: Settings, casus_id: str, versie: int, topic: str, state: bytes) -> None:
    """An INSERT into the event table as its owner, past the application."""
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path) as db:
            db.execute("INSERT INTO stored_events VALUES (?, ?, ?, ?)", (stream_id(casus_id).hex, versie, topic, state))
        return
    with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                         dbname=settings.postgres_dbname, autocommit=True) as db:  # fmt: skip
        db.execute(
            "INSERT INTO casus_events (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
            (stream_id(casus_id), versie, topic, state),
        )


def laatste(store: EventStore, casus_id: str) -> tuple[int, str, str]:
    s = store.recorder.select_events(stream_id(casus_id), desc=True, limit=1)[0]
    return s.originator_version, uitpakken(s.state).hash, s.topic


def vergiftig(settings: Settings, store: EventStore, ijmond: Regelset) -> dict[str, str]:
    """Four casussen each given one bad row (and one of them a sound-looking row after it)."""
    ids = {soort: casus(store, ijmond) for soort in ("onleesbaar", "ongeldig", "gewijzigd", "volgorde")}
    v, h, topic = laatste(store, ids["onleesbaar"])
    voeg_rauw_toe(settings, ids["onleesbaar"], v + 1, topic, b"\x00 not an envelope")
    volgende, _ = verpak(BEGIN, ids["onleesbaar"], v + 2, topic, "{}")
    voeg_rauw_toe(settings, ids["onleesbaar"], v + 2, topic, volgende)
    v, h, topic = laatste(store, ids["ongeldig"])  # the hash is right, the event is not one
    voeg_rauw_toe(settings, ids["ongeldig"], v + 1, topic, verpak(h, ids["ongeldig"], v + 1, topic, '{"type": "Onzin"}')[0])
    v, h, topic = laatste(store, ids["gewijzigd"])
    echt = json.loads(verpak(h, ids["gewijzigd"], v + 1, topic, '{"type": "Onzin"}')[0])
    voeg_rauw_toe(settings, ids["gewijzigd"], v + 1, topic, json.dumps(echt | {"gebeurtenis": '{"type": "Anders"}'}).encode())
    v, h, topic = laatste(store, ids["volgorde"])  # its own hash matches, but it skips the event before it
    voeg_rauw_toe(settings, ids["volgorde"], v + 1, topic, verpak(BEGIN, ids["volgorde"], v + 1, topic, '{"type": "Onzin"}')[0])
    return ids


def quarantaine(views: ViewStore) -> list[tuple[str, int | None, str]]:
    return [(v.casus_id, v.versie, v.soort) for v in in_quarantaine(views)]


def test_poison_rows_are_quarantined_and_only_their_casussen_stop(store: EventStore, store_settings: Settings, ijmond: Regelset) -> None:
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle(), batch=7)
    ids = vergiftig(store_settings, store, ijmond)
    gezond = casus(store, ijmond)  # stored after every bad row

    runner.catch_up()

    assert all(views.position(p.name) == store.head() for p in alle())
    versies = {r["casus_id"]: r["versie"] for r in views.query("SELECT casus_id, versie FROM caseload")}
    assert versies[gezond] == store.version(gezond)
    for casus_id in ids.values():
        assert versies[casus_id] == store.version(casus_id) - (2 if casus_id == ids["onleesbaar"] else 1)
    v = store.version(ids["ongeldig"])
    assert sorted(quarantaine(views)) == sorted(
        [(ids["onleesbaar"], v, "onleesbaar"), (ids["onleesbaar"], v + 1, "achtergehouden"), (ids["ongeldig"], v, "ongeldig"),
         (ids["gewijzigd"], v, "gewijzigd"), (ids["volgorde"], v, "volgorde")]
    )  # fmt: skip

    # A restarted runner neither stops at the rows nor records them again; a rebuild finds the same.
    opnieuw = ProjectionRunner(store, views, alle())
    assert opnieuw.catch_up() == 0
    voor = quarantaine(views)
    opnieuw.rebuild()
    assert quarantaine(views) == voor and len(voor) == 5


def test_later_events_of_a_quarantined_casus_are_held_back_while_others_flow(
    store: EventStore, store_settings: Settings, ijmond: Regelset
) -> None:
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    ziek = casus(store, ijmond)
    v, h, topic = laatste(store, ziek)
    runner.catch_up()
    voeg_rauw_toe(store_settings, ziek, v + 1, topic, verpak(h, ziek, v + 1, topic, '{"type": "Onzin"}')[0])
    runner.catch_up()
    # A sound event after the poison one, chained to it as a writer that trusts the row would.
    _, h2, _ = laatste(store, ziek)
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    volgende = d.gebeurtenissen[0]
    voeg_rauw_toe(store_settings, ziek, v + 2, volgende.type, verpak(h2, ziek, v + 2, volgende.type, volgende.model_dump_json())[0])
    ander = casus(store, ijmond)
    ProjectionRunner(store, views, alle()).catch_up()  # a fresh runner: what it holds back comes from the table

    assert [(x.versie, x.soort) for x in in_quarantaine(views, ziek)] == [(v + 1, "ongeldig"), (v + 2, "achtergehouden")]
    assert in_quarantaine(views, ander) == []
    assert views.query("SELECT versie FROM caseload WHERE casus_id = %s", (ander,))[0]["versie"] == store.version(ander)


def test_verifieer_reports_a_quarantined_casus_and_passes_the_others(store: EventStore, store_settings: Settings, ijmond: Regelset) -> None:
    ziek, gezond = casus(store, ijmond), casus(store, ijmond)
    v, h, topic = laatste(store, ziek)
    voeg_rauw_toe(store_settings, ziek, v + 1, topic, verpak(h, ziek, v + 1, topic, '{"type": "Onzin"}')[0])
    ProjectionRunner(store, open_views(store.infrastructure), alle()).catch_up()
    env = os.environ | store_env(store_settings)

    def verifieer(*args: str) -> tuple[int, Any]:
        r = subprocess.run([CASUS, "verifieer", *args, "--json"], env=env, capture_output=True, text=True, timeout=60, check=False)
        return r.returncode, json.JSONDecoder().raw_decode(r.stdout)[0]  # on a refusal the error follows

    code, uit = verifieer(ziek)
    # The chain itself is intact (the hash was computed right): only the quarantine tells.
    assert code == 1 and uit["quarantaine"] == 1
    assert [(a["casus_id"], a["versie"], a["soort"]) for a in uit["afwijkingen"]] == [(ziek, v + 1, "quarantaine:ongeldig")]
    code, uit = verifieer(gezond)
    assert code == 0 and uit == {"geverifieerd": 1, "intact": 1, "quarantaine": 0, "afwijkingen": []}
