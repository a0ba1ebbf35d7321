"""A rebuild's workplace has the read models' tables without their secondary indexes (those serve the
tables' readers; the switch builds them on the fresh tables). That is only sound while every
statement the read models run while applying events finds its rows by key: a statement that scans
a table would make a rebuild grow with the square of the log. Every statement a rebuild runs in its
workplace, over casussen along many paths (late registration and superseded transfers included),
is planned here without a full scan."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import open_views
from projections import herbouw_delen
from projections.alle import alle
from projections.herbouw import Herbouw
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.integration.test_late_registratie_projecties import laat_beoordeeld
from tests.integration.test_projecties import dump, populatie, schrijf_verweven

SCHRIJVEND = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


def test_every_statement_a_rebuild_runs_in_its_workplace_finds_its_rows_by_key(
    ijmond: Regelset, gelderland: Regelset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    try:
        casussen = [*populatie(ijmond, gelderland, 12), laat_beoordeeld(ijmond), laat_beoordeeld(ijmond)]
        schrijf_verweven(store, casussen)
        views = open_views(store.infrastructure)
        ProjectionRunner(store, views, alle(), batch=7).catch_up()
        voor = dump(views)

        uitgevoerd: list[str] = []
        werkplaatsen: list[Path] = []
        maak = herbouw_delen._maak_werkplaats

        def gevolgd(pad: Path, projecties: object) -> sqlite3.Connection:
            c = maak(pad, projecties)  # type: ignore[arg-type]
            c.set_trace_callback(uitgevoerd.append)
            werkplaatsen.append(pad)
            return c

        monkeypatch.setattr(herbouw_delen, "_maak_werkplaats", gevolgd)
        Herbouw(store, views, alle(), batch=9).run()
        assert dump(views) == voor

        soorten = {s.split(maxsplit=1)[0].upper() for s in uitgevoerd}
        assert {"INSERT", "UPDATE", "SELECT"} <= soorten, soorten  # the statements were seen
        leeg = maak(tmp_path / "plan.db", alle())
        scans = {}
        for statement in dict.fromkeys(s for s in uitgevoerd if s.lstrip().upper().startswith(SCHRIJVEND)):
            plan = [str(r[3]) for r in leeg.execute(f"EXPLAIN QUERY PLAN {statement}")]
            if any(stap.startswith("SCAN ") for stap in plan):
                scans[statement] = plan
        leeg.close()
        assert not scans, scans
    finally:
        store.close()
