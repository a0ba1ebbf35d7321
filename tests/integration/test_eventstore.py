"""The event store on SQLite and PostgreSQL: append-only streams, idempotent appends."""

from __future__ import annotations

import pytest
from temporalio.testing import ActivityEnvironment

from activities.eventstore import EventStoreActivities, Toevoegen
from domain.draaiboek import Draaiboek
from domain.stap import Regelset
from eventstore.store import EventStore, StreamConflictError


def casus(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    return d


def test_events_read_back_equal_to_what_was_appended(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    assert store.append(d.casus.casus_id, 0, d.gebeurtenissen).versie == len(d.gebeurtenissen)
    assert store.read(d.casus.casus_id) == d.gebeurtenissen
    assert store.version(d.casus.casus_id) == len(d.gebeurtenissen)


def test_appending_the_same_events_twice_stores_one_copy(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    assert store.append(d.casus.casus_id, 0, d.gebeurtenissen).nieuw == len(d.gebeurtenissen)
    herhaald = store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    assert (herhaald.versie, herhaald.nieuw) == (len(d.gebeurtenissen), 0)
    assert store.read(d.casus.casus_id) == d.gebeurtenissen
    assert len(store.log(0)) == len(d.gebeurtenissen)


def test_other_events_at_taken_positions_are_a_conflict_and_store_nothing(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    store.append(d.casus.casus_id, 0, d.gebeurtenissen[:3])
    with pytest.raises(StreamConflictError):
        store.append(d.casus.casus_id, 0, d.gebeurtenissen[3:6])
    assert store.read(d.casus.casus_id) == d.gebeurtenissen[:3]


@pytest.mark.storing
def test_the_append_activity_retried_after_a_lost_reply_stores_nothing_new(store: EventStore, ijmond: Regelset) -> None:
    d = casus(ijmond)
    invoer = Toevoegen(casus_id=d.casus.casus_id, verwacht=0, gebeurtenissen=tuple(d.gebeurtenissen))
    activity = EventStoreActivities(store)
    eerste = ActivityEnvironment().run(activity.voeg_toe, invoer)
    tweede = ActivityEnvironment().run(activity.voeg_toe, invoer)
    assert (eerste.versie, eerste.nieuw) == (len(d.gebeurtenissen), len(d.gebeurtenissen))
    assert (tweede.versie, tweede.nieuw) == (len(d.gebeurtenissen), 0)
    assert store.read(d.casus.casus_id) == d.gebeurtenissen


def test_the_global_log_keeps_the_order_of_appends_across_casussen(store: EventStore, ijmond: Regelset) -> None:
    a, b = casus(ijmond), casus(ijmond)
    store.append(a.casus.casus_id, 0, a.gebeurtenissen[:2])
    store.append(b.casus.casus_id, 0, b.gebeurtenissen)
    store.append(a.casus.casus_id, 2, a.gebeurtenissen[2:])
    log = store.log(0)
    assert [x.casus_id for x in log] == [a.casus.casus_id] * 2 + [b.casus.casus_id] * len(b.gebeurtenissen) + [a.casus.casus_id] * (
        len(a.gebeurtenissen) - 2
    )
    assert [x.positie for x in log] == sorted(x.positie for x in log)
    assert store.head() == log[-1].positie
