"""Decisions carry a key that is the same on every retry (DESIGN "the event store is the system of
record"): a retried decision that built other bytes is answered with the events as stored, and a
decision that finds another one's events in its place is told to catch up, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.draaiboek import Draaiboek
from domain.gebeurtenissen import Gebeurtenis
from domain.stap import Regelset
from eventstore.store import EventStore, StreamConflictError


def casus(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    return d


def later_vastgelegd(gebeurtenissen: list[Gebeurtenis], seconden: int) -> list[Gebeurtenis]:
    """The same decision built again a little later: other `vastgelegd`, other bytes."""
    return [e.model_copy(update={"vastgelegd": e.vastgelegd + timedelta(seconds=seconden)}) for e in gebeurtenissen]


def test_a_retried_decision_with_other_bytes_gets_the_events_as_stored(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    cid, melding, besluit = d.casus.casus_id, d.gebeurtenissen[:4], d.gebeurtenissen[4:]
    store.append(cid, 0, melding, sleutel="melding:x")
    eerste = store.append(cid, 4, besluit, sleutel="actie:u1")
    opnieuw = store.append(cid, 4, later_vastgelegd(besluit, 7), sleutel="actie:u1")
    assert (eerste.nieuw, opnieuw.nieuw, opnieuw.eigen) == (len(besluit), 0, True)
    assert opnieuw.gebeurtenissen == tuple(besluit), "the caller must evolve from what the stream holds"
    assert (opnieuw.versie, opnieuw.hash) == (eerste.versie, eerste.hash)
    assert store.read(cid) == d.gebeurtenissen
    assert store.verify(cid) == []


def test_events_of_another_decision_in_place_are_returned_to_catch_up_on(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    cid = d.casus.casus_id
    store.append(cid, 0, d.gebeurtenissen[:4], sleutel="melding:x")
    store.append(cid, 4, d.gebeurtenissen[4:], sleutel="actie:eerste")
    inhalen = store.append(cid, 4, later_vastgelegd(d.gebeurtenissen[4:5], 3), sleutel="actie:tweede")
    assert not inhalen.eigen and inhalen.nieuw == 0
    assert inhalen.gebeurtenissen == tuple(d.gebeurtenissen[4:])
    assert inhalen.sleutels == ("actie:eerste",) * len(d.gebeurtenissen[4:])
    assert inhalen.versie == len(d.gebeurtenissen)
    assert store.read(cid) == d.gebeurtenissen, "nothing of the second decision is stored"


def test_without_a_key_other_events_in_place_are_still_a_conflict(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    store.append(d.casus.casus_id, 0, d.gebeurtenissen[:3], sleutel="melding:x")
    with pytest.raises(StreamConflictError):
        store.append(d.casus.casus_id, 0, later_vastgelegd(d.gebeurtenissen[:3], 1))


def test_each_event_keeps_the_key_of_its_decision(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    cid = d.casus.casus_id
    store.append(cid, 0, d.gebeurtenissen[:4], sleutel="melding:x")
    store.append(cid, 4, d.gebeurtenissen[4:])
    sleutels = [s for _, s in store.read_met_sleutels(cid)]
    assert sleutels == ["melding:x"] * 4 + [None] * (len(d.gebeurtenissen) - 4)


def test_an_append_after_a_gap_is_refused_even_with_the_previous_hash_in_hand(store: EventStore, ijmond: Regelset) -> None:
    """A workflow ahead of its record (the database restored to an earlier point) leaves no hole."""
    d = casus(ijmond)
    cid = d.casus.casus_id
    eerste = store.append(cid, 0, d.gebeurtenissen[:4], sleutel="melding:x")
    with pytest.raises(StreamConflictError):
        store.append(cid, 6, d.gebeurtenissen[4:], vorige_hash=eerste.hash, sleutel="actie:later")
    assert store.read(cid) == d.gebeurtenissen[:4]
    assert store.verify(cid) == []
