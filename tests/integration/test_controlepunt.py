"""Signed checkpoints anchor the log outside the database (issue 14): the chain alone passes a
stream rewritten with recomputed hashes, a dropped tail or a replaced event, the checkpoints name
each by casus and position, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from domain.stap import Regelset
from eventstore.bundel import BundelError, schrijf_bundel
from eventstore.controlepunt import (
    ControlepuntGeweigerdError,
    ControlepuntSettings,
    SleutelError,
    Uitkomst,
    controleer_streams,
    maak_controlepunt,
    maak_sleutel,
)
from eventstore.controlepuntlog import ControlepuntLog
from eventstore.keten import uitpakken, verpak
from eventstore.merkle import Boom
from eventstore.store import EventStore, lees, stream_id
from runtime.settings import Settings
from tests.integration.test_integriteit import casus, rauw


@pytest.fixture
def instellingen(tmp_path: Path) -> ControlepuntSettings:
    """The key and the checkpoint log in directories of their own, as no database role reaches them."""
    inst = ControlepuntSettings(sleutel=tmp_path / "geheim" / "controlepunt.ed25519", map=tmp_path / "controlepunten")
    maak_sleutel(inst.sleutel)
    return inst


def sid(settings: Settings, casus_id: str) -> Any:
    return stream_id(casus_id).hex if settings.eventstore == "sqlite" else stream_id(casus_id)


def posities(store: EventStore, casus_id: str) -> dict[int, int]:
    """Version → global position of a stream's events."""
    return {o.versie: o.positie for o in store.log(0, 10_000) if o.casus_id == casus_id}


def herschrijf(store: EventStore, settings: Settings, casus_id: str, vanaf: int, oud: bytes, nieuw: bytes) -> None:
    """Rewrites a stream from version `vanaf` with every hash recomputed: the chain still holds."""
    opgeslagen = store.recorder.select_events(stream_id(casus_id), gt=vanaf - 1)
    vorige = uitpakken(store.recorder.select_events(stream_id(casus_id), gt=vanaf - 2, lte=vanaf - 1)[0].state).hash
    for s in opgeslagen:
        e = uitpakken(s.state)
        tekst = e.gebeurtenis.replace(oud.decode(), nieuw.decode()) if s.originator_version == vanaf else e.gebeurtenis
        state, vorige = verpak(vorige, casus_id, s.originator_version, s.topic, tekst, e.sleutel)
        rauw(settings, "UPDATE casus_events SET state = %s WHERE originator_id = %s AND originator_version = %s",
             (state, sid(settings, casus_id), s.originator_version))  # fmt: skip


def test_an_untouched_log_is_signed_extended_and_verifies(store: EventStore, instellingen: ControlepuntSettings, ijmond: Regelset) -> None:
    eerste = casus(store, ijmond)
    uitkomst = maak_controlepunt(store, instellingen)
    assert uitkomst.punt is not None and uitkomst.nieuw == store.head() and uitkomst.bevindingen == []
    assert maak_controlepunt(store, instellingen).nieuw == 0
    casus(store, ijmond)
    tweede = maak_controlepunt(store, instellingen)
    assert tweede.punt is not None and tweede.punt.kop.grootte == store.head() and tweede.punt.consistentie
    verslag = controleer_streams(store, instellingen)
    assert verslag.bevindingen == [] and verslag.gecontroleerd == store.head() and verslag.kop == tweede.punt.kop
    assert store.verify(eerste) == []


def test_a_checkpoint_reads_only_the_events_since_the_last(store: EventStore, instellingen: ControlepuntSettings, ijmond: Regelset) -> None:
    for _ in range(3):
        casus(store, ijmond)
    gelezen: list[int] = []
    lees_log = store.log_ruw

    def bespied(na: int, limit: int = 500) -> list[tuple[int, str, object, str, bytes]]:
        gelezen.append(na)
        return lees_log(na, limit)

    store.log_ruw = bespied  # type: ignore[method-assign]
    stappen: list[Uitkomst] = []
    vorige = 0
    while not stappen or stappen[-1].nieuw:
        gelezen.clear()
        stappen.append(maak_controlepunt(store, instellingen, maximaal=7))
        assert min(gelezen) >= vorige - 1  # the last signed event again, then only what came after it
        vorige = stappen[-1].punt.kop.positie if stappen[-1].punt else 0
    assert sum(s.nieuw for s in stappen) == store.head() and max(s.nieuw for s in stappen) == 7
    laatste = stappen[-1].punt
    assert laatste is not None and laatste.kop.grootte == store.head()
    log = ControlepuntLog(instellingen.map)
    alle = Boom(b.blad_hash() for p in log.lees() for b in log.bladeren_van(p))
    assert alle.wortel().hex() == laatste.kop.wortel


@pytest.mark.storing
def test_a_stream_rewritten_with_recomputed_hashes_is_named_and_gets_no_signature(
    store: EventStore, store_settings: Settings, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    vervalst, daarna = casus(store, ijmond), casus(store, ijmond)
    maak_controlepunt(store, instellingen)
    herschrijf(store, store_settings, vervalst, 7, b"IJM-3.1c", b"IJM-3.1d")
    assert (
        store.verify(vervalst) == []
        and "IJM-3.1d" in lees(store.recorder.select_events(stream_id(vervalst), gt=6, lte=7)[0].state).model_dump_json()
    )
    plek = posities(store, vervalst)
    bevindingen = controleer_streams(store, instellingen).bevindingen
    assert {(b.soort, b.casus_id, b.versie, b.positie) for b in bevindingen} == {
        ("herschreven", vervalst, v, plek[v]) for v in plek if v >= 7
    }
    assert daarna not in {b.casus_id for b in bevindingen}
    with pytest.raises(ControlepuntGeweigerdError) as geweigerd:
        maak_controlepunt(store, instellingen, volledig=True)
    assert f"casus {vervalst} version 7 at position {plek[7]}" in str(geweigerd.value)


@pytest.mark.storing
def test_a_rewrite_of_the_last_signed_event_is_refused_by_the_cheap_guard(
    store: EventStore, store_settings: Settings, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    casus_id = casus(store, ijmond)
    maak_controlepunt(store, instellingen)
    herschrijf(store, store_settings, casus_id, 7, b"IJM-3.1c", b"IJM-3.1d")
    casus(store, ijmond)
    with pytest.raises(ControlepuntGeweigerdError) as geweigerd:
        maak_controlepunt(store, instellingen)
    assert {b.versie for b in geweigerd.value.bevindingen if b.casus_id == casus_id} >= {7}


@pytest.mark.storing
def test_a_dropped_tail_is_named_and_gets_no_signature(
    store: EventStore, store_settings: Settings, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    casus_id = casus(store, ijmond)
    casus(store, ijmond)
    maak_controlepunt(store, instellingen)
    plek, laatste = posities(store, casus_id), store.version(casus_id)
    rauw(store_settings, "DELETE FROM casus_events WHERE originator_id = %s AND originator_version >= %s",
         (sid(store_settings, casus_id), laatste - 1))  # fmt: skip
    assert store.verify(casus_id) == []  # the chain cannot see its own end go
    verwacht = {("verdwenen", casus_id, v, plek[v]) for v in (laatste - 1, laatste)}
    assert {(b.soort, b.casus_id, b.versie, b.positie) for b in controleer_streams(store, instellingen).bevindingen} == verwacht
    with pytest.raises(ControlepuntGeweigerdError) as geweigerd:
        maak_controlepunt(store, instellingen)
    assert {(b.soort, b.casus_id, b.versie, b.positie) for b in geweigerd.value.bevindingen} == verwacht


@pytest.mark.storing
def test_a_chain_valid_forgery_appended_after_a_checkpoint_is_caught_at_the_next(
    store: EventStore, store_settings: Settings, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    casus_id = casus(store, ijmond)
    casus(store, ijmond)  # the forgery gets a new position (SQLite reuses the highest rowid)
    maak_controlepunt(store, instellingen)
    laatste, plek = store.version(casus_id), posities(store, casus_id)
    echt = store.read(casus_id)[-1]
    rauw(store_settings, "DELETE FROM casus_events WHERE originator_id = %s AND originator_version = %s",
         (sid(store_settings, casus_id), laatste))  # fmt: skip
    store.append(casus_id, laatste - 1, [echt.model_copy(update={"regel": "IJM-3.1d"}) if hasattr(echt, "regel") else echt])
    assert store.verify(casus_id) == [] and store.version(casus_id) == laatste
    nieuw = posities(store, casus_id)[laatste]
    bevindingen = {(b.soort, b.casus_id, b.versie, b.positie) for b in controleer_streams(store, instellingen).bevindingen}
    assert bevindingen == {("verdwenen", casus_id, laatste, plek[laatste]), ("vervalst", casus_id, laatste, nieuw)}
    with pytest.raises(ControlepuntGeweigerdError) as geweigerd:
        maak_controlepunt(store, instellingen)
    assert f"casus {casus_id} version {laatste} at position {plek[laatste]}" in str(geweigerd.value)


@pytest.mark.storing
def test_an_event_altered_before_its_first_checkpoint_is_reported_when_signed(
    store: EventStore, store_settings: Settings, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    maak_controlepunt(store, instellingen)
    casus_id = casus(store, ijmond)
    state = bytes(store.recorder.select_events(stream_id(casus_id), gt=6, lte=7)[0].state)
    rauw(store_settings, "UPDATE casus_events SET state = %s WHERE originator_id = %s AND originator_version = 7",
         (state.replace(b"IJM-3.1c", b"IJM-3.1d"), sid(store_settings, casus_id)))  # fmt: skip
    uitkomst = maak_controlepunt(store, instellingen)
    assert [(b.soort, b.casus_id, b.versie) for b in uitkomst.bevindingen] == [("gewijzigd", casus_id, 7)]


def test_a_bundle_is_written_only_for_what_was_signed(
    store: EventStore, store_settings: Settings, instellingen: ControlepuntSettings, ijmond: Regelset, tmp_path: Path
) -> None:
    casus_id = casus(store, ijmond)
    with pytest.raises(BundelError, match="no signed checkpoint"):
        schrijf_bundel(store, instellingen, casus_id, tmp_path / "bundel.json")
    maak_controlepunt(store, instellingen)
    store.append(casus_id, store.version(casus_id), store.read(casus_id)[-1:])
    verslag = schrijf_bundel(store, instellingen, casus_id, tmp_path / "bundel.json")
    assert (verslag.gebeurtenissen, verslag.niet_gedekt) == (store.version(casus_id) - 1, 1)
    herschrijf(store, store_settings, casus_id, 7, b"IJM-3.1c", b"IJM-3.1d")
    with pytest.raises(BundelError, match=f"casus {casus_id} version 7 at position"):
        schrijf_bundel(store, instellingen, casus_id, tmp_path / "ander.json")


def test_the_key_is_the_checkpointers_alone(store: EventStore, instellingen: ControlepuntSettings, tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        maak_sleutel(instellingen.sleutel)
    os.chmod(instellingen.sleutel, 0o644)
    with pytest.raises(SleutelError, match="readable by others"):
        maak_controlepunt(store, instellingen)
    os.chmod(instellingen.sleutel, 0o600)
    maak_controlepunt(store, instellingen)
    ander = instellingen.model_copy(update={"sleutel": tmp_path / "ander.ed25519"})
    maak_sleutel(ander.sleutel)
    with pytest.raises(ControlepuntGeweigerdError, match="not signed by"):
        maak_controlepunt(store, ander)


@pytest.mark.storing
def test_a_leaf_file_changed_in_the_checkpoint_log_is_found(
    store: EventStore, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    casus(store, ijmond)
    punt = maak_controlepunt(store, instellingen).punt
    assert punt is not None
    pad = instellingen.map / punt.bladeren
    pad.write_text(pad.read_text().replace('"versie": 2,', '"versie": 3,', 1))
    assert [b.soort for b in controleer_streams(store, instellingen).bevindingen] == ["controlepunt"]


def test_a_head_cut_short_by_a_crash_is_left_out_and_the_log_goes_on(
    store: EventStore, instellingen: ControlepuntSettings, ijmond: Regelset
) -> None:
    casus(store, ijmond)
    maak_controlepunt(store, instellingen)
    with (instellingen.map / "koppen.jsonl").open("a") as f:
        f.write('{"kop": {"grootte": 9')
    casus(store, ijmond)
    assert maak_controlepunt(store, instellingen).nieuw > 0
    verslag = controleer_streams(store, instellingen)
    assert verslag.bevindingen == [] and verslag.overgeslagen == [2] and verslag.gecontroleerd == store.head()


def test_checkpointers_running_at_once_do_not_fork_the_log(store: EventStore, instellingen: ControlepuntSettings, ijmond: Regelset) -> None:
    for _ in range(4):
        casus(store, ijmond)
    with ThreadPoolExecutor(4) as pool:
        uitkomsten = list(pool.map(lambda _: maak_controlepunt(store, instellingen, maximaal=5), range(16)))
    assert sum(u.nieuw for u in uitkomsten) == store.head()
    punten = ControlepuntLog(instellingen.map).lees()
    assert [p.kop.grootte for p in punten] == sorted({p.kop.grootte for p in punten})
    assert controleer_streams(store, instellingen).bevindingen == []
