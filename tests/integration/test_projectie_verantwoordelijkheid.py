"""The `verantwoordelijkheid` read model on SQLite and PostgreSQL: tracked, resumable, bitemporal."""

from __future__ import annotations

from domain.draaiboek import Draaiboek, t
from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import ViewStore, open_views
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import NAME, Verantwoordelijkheid, houder_op, tijdlijn


def overgedragen(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    return d


def runner(store: EventStore, batch: int = 500) -> tuple[ProjectionRunner, ViewStore]:
    views = open_views(store.infrastructure)
    return ProjectionRunner(store, views, [Verantwoordelijkheid()], batch=batch), views


def test_the_timeline_answers_who_held_the_responsibility_at_a_moment(store: EventStore, ijmond: Regelset) -> None:
    d = overgedragen(ijmond)
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    r, views = runner(store)
    r.catch_up()
    lijn = tijdlijn(views, d.casus.casus_id)
    assert [(i.partij, i.grond) for i in lijn] == d.houders()
    houder = houder_op(lijn, t("2027-03-31T16:00:00+02:00"))
    assert houder is not None and houder.partij == "veilig-thuis"
    assert houder_op(lijn, t("2027-03-25T09:00:00+01:00")) is None


def test_a_new_runner_resumes_from_the_tracked_position_without_gap_or_duplicate(store: EventStore, ijmond: Regelset) -> None:
    eerste, tweede = overgedragen(ijmond), overgedragen(ijmond)
    store.append(eerste.casus.casus_id, 0, eerste.gebeurtenissen)
    r, views = runner(store, batch=4)
    assert r.step() == 4
    positie = views.position(NAME)
    store.append(tweede.casus.casus_id, 0, tweede.gebeurtenissen)
    opnieuw, views = runner(store, batch=4)  # a restarted runner
    assert views.position(NAME) == positie
    opnieuw.catch_up()
    assert views.position(NAME) == store.head()
    for d in (eerste, tweede):
        assert [(i.partij, i.grond) for i in tijdlijn(views, d.casus.casus_id)] == d.houders()
    assert opnieuw.lag() == 0


def test_the_audit_can_say_what_the_record_said_at_an_earlier_moment(store: EventStore, ijmond: Regelset) -> None:
    d = overgedragen(ijmond)
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    r, views = runner(store)
    r.catch_up()
    toen = tijdlijn(views, d.casus.casus_id, volgens=t("2027-03-31T18:00:00+02:00"))
    assert [(i.partij, i.tot) for i in toen] == [("melder", t("2027-03-31T15:00:00+02:00")), ("veilig-thuis", None)]
