"""Attacks on the rebuild beside the running system (projections/herbouw.py, issue 15) through the
runner that keeps running beside it: a rebuild of some read models after a repair, runners that
miss the switch (at its own position, between batches) or whose batch straddles it.
tests/faults/test_aanval_herbouw_sloten.py and tests/faults/test_aanval_herbouw_opslag.py hold the
other attacks.

Each test's docstring names the attack and what should happen. The ones that fail show a defect."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import pytest

from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.keten import verpak
from eventstore.store import EventStore, stream_id
from eventstore.views import open_views
from projections import wissel as wissel_module
from projections.alle import alle
from projections.herbouw import Herbouw
from projections.quarantaine import in_quarantaine
from projections.runner import ProjectionRunner
from projections.termijnen import Termijnen
from runtime.settings import Settings
from tests.faults.herbouw_hulp import fouten, gebeurt_binnen, op_de_achtergrond, pg
from tests.integration.test_projecties import populatie, schrijf_verweven
from tests.integration.test_quarantaine import casus, laatste, voeg_rauw_toe

pytestmark = pytest.mark.storing


def _herstel_rij(settings: Settings, casus_id: str, versie: int, state: bytes) -> None:
    """The owner repairs a row of the event table in place (PostgreSQL: no guard without `casus migreer`)."""
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path) as db:
            db.execute(
                "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                (state, stream_id(casus_id).hex, versie),
            )
        return
    with pg(settings) as db:
        db.execute(
            "UPDATE casus_events SET state = %s WHERE originator_id = %s AND originator_version = %s", (state, stream_id(casus_id), versie)
        )


def _vergiftigd_en_hersteld(
    store: EventStore, settings: Settings, ijmond: Regelset, gelderland: Regelset, runner: ProjectionRunner
) -> tuple[str, list[Any]]:
    """Casus X whose version 2 an insider wrote as garbage (set aside, X held back), then repaired
    in place by the owner with the event that belongs there; X's later events not yet appended."""
    views = runner.views
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    x, gebeurtenissen = d.casus.casus_id, d.gebeurtenissen
    store.append(x, 0, gebeurtenissen[:1])
    _, h, _ = laatste(store, x)
    tweede = gebeurtenissen[1]
    voeg_rauw_toe(settings, x, 2, tweede.type, b"\x00 not an envelope")  # the insider's row, where version 2 goes
    schrijf_verweven(store, populatie(ijmond, gelderland, 3))
    runner.catch_up()
    assert [q.soort for q in in_quarantaine(views, x)] == ["onleesbaar"]
    _herstel_rij(settings, x, 2, verpak(h, x, 2, tweede.type, tweede.model_dump_json())[0])
    return x, list(gebeurtenissen[2:])


def _volg_en_meld(runner: ProjectionRunner) -> Exception | None:
    try:
        runner.catch_up()
    except Exception as e:  # the runner stopping is a way of failing too
        return e
    return None


def test_a_rebuild_of_termijnen_alone_keeps_the_quarantine_of_the_read_models_it_did_not_rebuild(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: an insider's row poisons casus X (version 2); the runner sets it aside and holds X back
    in every read model. The owner repairs the row and, after a release, rebuilds only `termijnen`
    (`--naam termijnen`, as docs/OPERATIONS.md asks after the T-5a release). That rebuild also replaces
    the quarantine table, which is caseload's (`Caseload.tables`) and every read model's: X's record
    is gone although `caseload` never applied X's version 2. The runner restarts (a deploy) and loads
    its verdicts from the table: it believes X again and applies X's next events to caseload on top
    of the state it held back: the row is silently wrong, with nothing in quarantine to tell.
    Should: a rebuild of some read models leaves the others, and the quarantine they depend on,
    untouched: X stays held back for caseload until caseload itself is rebuilt."""
    views = open_views(store.infrastructure)
    x, rest = _vergiftigd_en_hersteld(store, store_settings, ijmond, gelderland, ProjectionRunner(store, views, alle()))
    Herbouw(store, views, [Termijnen()]).run()
    runner = ProjectionRunner(store, views, alle())  # restarted
    runner.catch_up()
    store.append(x, 2, rest)
    fout = _volg_en_meld(runner)
    rij = views.query("SELECT versie FROM caseload WHERE casus_id = %s", (x,))[0]
    assert in_quarantaine(views, x) or (rij["versie"] == store.version(x) and fout is None), (
        f"casus {x} is out of quarantine, yet caseload holds version {rij['versie']} of {store.version(x)}"
        f" (it never applied version 2); the runner: {fout!r}"
    )


def test_a_running_runner_takes_the_verdicts_of_a_rebuild_that_ended_at_its_own_position(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: the documented way out of quarantine ("until its rows are repaired and the read models
    rebuilt"): the owner repairs X's poison row and rebuilds every read model while the runner runs,
    caught up and idle (a quiet hour: nothing appended during the rebuild, so the rebuild's head is
    the runner's position). The runner notices a switch only when a position differs from the one it
    read, so it never reloads its verdicts: it still holds X "in quarantine since event 2" and sets
    aside every later event of X (`achtergehouden`) in read models that the rebuild made with X
    believed; those events are then behind every position, so even a restart does not bring them
    back. Should: after the switch the runner judges by the new tables' quarantine: X's next events
    reach the read models and X is in quarantine no more."""
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    x, rest = _vergiftigd_en_hersteld(store, store_settings, ijmond, gelderland, runner)
    Herbouw(store, views, alle()).run()
    assert in_quarantaine(views, x) == []  # the rebuild believes the repaired row
    store.append(x, 2, rest)
    fout = _volg_en_meld(runner)
    rij = views.query("SELECT versie FROM caseload WHERE casus_id = %s", (x,))[0]
    apart = [(q.versie, q.soort) for q in in_quarantaine(views, x)]
    assert fout is None and not apart and rij["versie"] == store.version(x), (
        f"after repair and rebuild casus {x} is held back again: {apart}; caseload at version {rij['versie']} of"
        f" {store.version(x)}; the runner: {fout!r}"
    )


def test_a_runner_between_batches_takes_the_verdicts_of_a_rebuild_that_passed_it(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset
) -> None:
    """Attack: the runner is between two batches (it waits out a transient database error, with
    backoff) while an insider writes a poison row into casus Y and a sound-looking event after it,
    and a rebuild passes both: it sets them aside and holds Y back. The runner's next step reads the
    new positions before it writes, finds them as read, and so never reloads its verdicts: it does
    not know Y is held back. The insider's next event of Y, chained to the one before, passes its
    check and is applied to read models that hold Y back. Should: the event is held back
    (`achtergehouden`), as the rebuild and a runner from scratch hold it back."""
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, alle())
    schrijf_verweven(store, populatie(ijmond, gelderland, 3))
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    y, gebeurtenissen = d.casus.casus_id, d.gebeurtenissen
    store.append(y, 0, gebeurtenissen[:4])
    runner.catch_up()

    def rauw(versie: int, topic: str, inhoud: str) -> None:
        _, h, _ = laatste(store, y)
        voeg_rauw_toe(store_settings, y, versie, topic, verpak(h, y, versie, topic, inhoud)[0])

    rauw(5, gebeurtenissen[4].type, '{"type": "Onzin"}')  # poison: its hash is right, its event is none
    rauw(6, gebeurtenissen[4].type, gebeurtenissen[4].model_dump_json())  # chained to it, as a trusting writer would
    Herbouw(store, views, alle()).run()
    assert [(q.versie, q.soort) for q in in_quarantaine(views, y)] == [(5, "ongeldig"), (6, "achtergehouden")]
    rauw(7, gebeurtenissen[5].type, gebeurtenissen[5].model_dump_json())
    fout = _volg_en_meld(runner)
    apart = [(q.versie, q.soort) for q in in_quarantaine(views, y)]
    caseload = views.query("SELECT versie, toestand FROM caseload WHERE casus_id = %s", (y,))[0]
    assert fout is None and (7, "achtergehouden") in apart, (
        f"version 7 of casus {y}, after its poison row, reached the read models: quarantine {apart}; caseload's"
        f" state has {caseload['versie']} events applied, held back after version 4; the runner: {fout!r}"
    )


def test_a_runner_batch_straddling_the_switch_reports_each_poison_event_once(
    store: EventStore, store_settings: Settings, ijmond: Regelset, gelderland: Regelset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attack: the runner runs ahead of the rebuild's head H and sets aside a poison row after H
    (reported: an error line, `casus_quarantaine_total` +1, the melder). Its next batch begins before
    the switch and finds the position changed inside it (`_na_wissel`), which forgets which events
    it reported; following on from H it reads the poison row again and reports it a second time: the
    counter "events set aside since it started" counts one event twice, and an alert on it fires
    again for nothing new. Should: each poison event reported once per runner (a rebuild does not
    change an event's place in the log)."""
    postgres = store_settings.eventstore == "postgres"
    views = open_views(store.infrastructure)
    gemeld: list[int] = []
    runner = ProjectionRunner(store, views, alle(), melder=lambda v: gemeld.append(v.positie))
    schrijf_verweven(store, populatie(ijmond, gelderland, 4))
    runner.catch_up()
    onderweg: list[tuple[threading.Thread, list[object]]] = []
    echte_punt = wissel_module.punt

    def punt(naam: str) -> None:
        if naam == "herbouw-gevolgd":  # the log's head H is followed; the runner goes on past it
            ziek = casus(store, ijmond)
            v, h, topic = laatste(store, ziek)
            voeg_rauw_toe(store_settings, ziek, v + 1, topic, verpak(h, ziek, v + 1, topic, '{"type": "Onzin"}')[0])
            runner.catch_up()
            casus(store, ijmond)  # the runner's next batch
        elif naam == "herbouw-gewisseld":  # switched, not committed: a batch begins and waits for the switch
            onderweg.append(op_de_achtergrond(runner.step))
            if postgres:
                with pg(store_settings) as kijker:
                    vraag = "SELECT 1 FROM pg_locks WHERE NOT granted"  # the batch waits for the switch's row
                    assert gebeurt_binnen(lambda: kijker.execute(vraag).fetchone() is not None)
            else:
                time.sleep(1.0)  # the batch waits for the write lock (busy timeout 10 s)
        echte_punt(naam)

    monkeypatch.setattr(wissel_module, "punt", punt)
    Herbouw(store, views, alle()).run()
    (draad, uitkomst) = onderweg[0]
    draad.join(60)
    assert uitkomst and not fouten(uitkomst), uitkomst
    runner.catch_up()
    assert len(gemeld) == 1 and len(in_quarantaine(views)) == 1, f"one poison event, reported at positions {gemeld}"
