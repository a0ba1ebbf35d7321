"""Attacks on the rebuild beside the running system (projections/herbouw.py, issue 15) through
what it stores outside the live tables: a rebuild killed after it filled its workplace, a full disk
at the switch, a view over a read model. tests/faults/test_aanval_herbouw_sloten.py and
tests/faults/test_aanval_herbouw_runner.py hold the other attacks.

Each test's docstring names the attack and what should happen. The ones that fail show a defect."""

from __future__ import annotations

import os
import resource
import subprocess
from pathlib import Path

import pytest

from domain.stap import Regelset
from eventstore.store import EventStore
from projections import wissel as wissel_module
from projections.alle import alle
from projections.herbouw import Herbouw, HerbouwMisluktError
from runtime.settings import Settings
from tests.conftest import store_env
from tests.faults.herbouw_hulp import CASUS, bijgewerkt, verse_tabellen
from tests.integration.test_projecties import dump, populatie

pytestmark = pytest.mark.storing


def test_a_killed_rebuild_leaves_no_workplace_in_the_temporary_directory(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset, tmp_path: Path
) -> None:
    """Attack: the rebuild is killed (SIGKILL at its commit point `herbouw-gekopieerd`, as the OOM
    killer or a supervisor's timeout would) after it filled its workplaces. The live tables are as
    they were, but the workplaces (`casus-herbouw-*/werkplaats-*.db` in TMPDIR: a full copy of every
    read model, households and casus states included) stay behind, never removed: each killed
    rebuild leaves another read models' worth of personal data and disk, and the next rebuild needs
    the space again. Should: no workplace outlives its rebuild (e.g. a fixed directory per database
    that a rebuild clears under its lock before it starts)."""
    postgres = store_settings.eventstore == "postgres"
    views = bijgewerkt(store, populatie(ijmond, gelderland, 20))
    voor = dump(views)
    tijdelijk = tmp_path / "tmp"
    tijdelijk.mkdir()
    env = os.environ | store_env(store_settings) | {
        "CASUS_STATE_DIR": str(tmp_path), "CASUS_STORINGSPUNT": "herbouw-gekopieerd:", "CASUS_STORINGSPUNT_MERK": str(tmp_path / "merk"),
        "TMPDIR": str(tijdelijk),
    }  # fmt: skip
    werkplaatsen = lambda: sorted(  # noqa: E731 - where a workplace may be: TMPDIR, or beside the SQLite file
        str(p) for p in [*tijdelijk.glob("casus-herbouw-*"), *tmp_path.rglob("*.herbouw.d")]
    )
    for _ in range(2):  # killed twice: the second clears what the first left
        (tmp_path / "merk").unlink(missing_ok=True)
        r = subprocess.run([CASUS, "projecties", "herbouw", "--json"], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert (tmp_path / "merk").exists() and r.returncode == -9, (r.returncode, r.stderr[-800:])
        assert dump(views) == voor and not verse_tabellen(views, postgres)
        assert len(werkplaatsen()) <= 1, f"killed rebuilds leave a workplace each: {werkplaatsen()}"
    zonder = {k: v for k, v in env.items() if "STORINGSPUNT" not in k}
    r = subprocess.run([CASUS, "projecties", "herbouw", "--json"], env=zonder, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr[-800:]
    assert not werkplaatsen(), f"the next rebuild left a workplace behind: {werkplaatsen()}"


def test_a_switch_that_runs_out_of_disk_on_sqlite_says_so(
    tmp_path: Path, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: a store whose read models are large: the workplace fits in TMPDIR, but the switch
    copies a second set of every read model into the live database (its WAL), and the disk holding
    it fills up (here: a file size limit set once the workplace is full, so writes fail as on a full
    disk). SQLite rolls the transaction back itself on that I/O error; `_SQLiteDoel.wissel` then
    runs ROLLBACK, which raises "cannot rollback - no transaction is active" and hides the cause.
    Should: the error that stops the rebuild names the full disk (and the live tables are as they
    were; docs/OPERATIONS.md should mention the second copy the switch needs beside the live tables)."""
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    try:
        views = bijgewerkt(store, populatie(ijmond, gelderland, 20))
        voor = dump(views)
        zacht, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        echte_punt = wissel_module.punt

        def punt(naam: str) -> None:
            if naam == "herbouw-gevolgd":  # the workplace is written: from here the disk is full
                resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
            echte_punt(naam)

        monkeypatch.setattr(wissel_module, "punt", punt)
        try:
            with pytest.raises(HerbouwMisluktError) as fout:
                Herbouw(store, views, alle()).run()
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (zacht, hard))
        assert dump(views) == voor
        assert "disk I/O error" in str(fout.value) and "cannot rollback" not in str(fout.value), fout.value
    finally:
        store.close()


def test_a_view_over_a_read_model_does_not_make_every_rebuild_fail(store: EventStore, ijmond: Regelset, gelderland: Regelset) -> None:
    """Attack: a reporting view over a read model (a dashboard's `open_per_gemeente` over `caseload`,
    made by an operator; a rebuild from zero by emptying the tables never minded it). The switch drops
    the live table: PostgreSQL refuses (the view depends on it), SQLite refuses the rename after it
    ("error in view ...: no such table"); either only after the whole log was followed, and every
    rebuild after that fails the same way. Should: the rebuild switches and the view answers from the
    new table (its definition carried over, as grants and indexes are), or it is refused up front."""
    views = bijgewerkt(store, populatie(ijmond, gelderland, 4))
    views.create(["CREATE VIEW open_per_gemeente AS SELECT gemeente, count(*) AS n FROM caseload WHERE status = 'open' GROUP BY gemeente"])
    voor, rijen = sorted(tuple(r.values()) for r in views.query("SELECT gemeente, n FROM open_per_gemeente")), dump(views)
    gelezen: list[int] = []
    origineel, origineel_deel = store.log_ruw, store.log_ruw_deel
    store.log_ruw = lambda *a, **k: gelezen.append(1) or origineel(*a, **k)  # type: ignore[method-assign]
    store.log_ruw_deel = lambda *a, **k: gelezen.append(1) or origineel_deel(*a, **k)  # type: ignore[method-assign]
    with pytest.raises(HerbouwMisluktError, match="open_per_gemeente"):  # refused up front, naming the view
        Herbouw(store, views, alle()).run()
    assert not gelezen, "the refusal came only after the log was followed"
    assert dump(views) == rijen
    assert sorted(tuple(r.values()) for r in views.query("SELECT gemeente, n FROM open_per_gemeente")) == voor
