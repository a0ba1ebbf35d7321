"""Late registration and the statuses of rev. 2026-11-30 in the read models, on SQLite and PostgreSQL:
the audit's timeline in effective time and as the record stood (T-5a), missed terms in `lijst`,
`termijnen` and `rapport` (T-5c, `afgelopen`, `van-rechtswege`)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.draaiboek import Draaiboek, t
from domain.stap import Regelset
from eventstore.store import EventStore
from eventstore.views import open_views
from projections import lezen
from projections.alle import alle
from projections.rapport import rapport
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import Verantwoordelijkheid, houder_op, tijdlijn

ONTVANGEN = "2027-06-07T10:00:00+02:00"  # Monday; working day 4 is Friday 11 June, day 6 starts 15 June
DAG_4, DAG_6, DAG_8 = "2027-06-11T14:00:00+02:00", "2027-06-15T00:00:00+02:00", "2027-06-17T10:00:00+02:00"


def laat_beoordeeld(ijmond: Regelset) -> Draaiboek:
    d = Draaiboek(ijmond, ONTVANGEN, "velsen")
    d.tik(DAG_6)
    d.doe(DAG_8, "beoordeling-afronden", "veilig-thuis", op=DAG_4, besluit="instelling", instelling="ggz-velsen")
    return d


@pytest.mark.parametrize("batch", [1, 500])
def test_T_5a_the_audit_shows_the_corrected_timeline_and_volgens_the_record_as_it_stood(
    store: EventStore, ijmond: Regelset, batch: int
) -> None:
    d = laat_beoordeeld(ijmond)
    cid = d.casus.casus_id
    store.append(cid, 0, d.gebeurtenissen)
    views = open_views(store.infrastructure)
    runner = ProjectionRunner(store, views, [Verantwoordelijkheid()], batch=batch)
    runner.catch_up()
    nu = tijdlijn(views, cid)
    assert [(i.partij, i.grond, i.van, i.tot) for i in nu] == [
        ("melder", "melding", t(ONTVANGEN), t(DAG_4)),
        ("veilig-thuis", "IJM-3.1c", t(DAG_4), t(DAG_4)),
        ("instelling:ggz-velsen", "IJM-3.1e", t(DAG_4), None),
    ]
    toen = tijdlijn(views, cid, volgens=t("2027-06-16T12:00:00+02:00"))
    assert [(i.partij, i.grond, i.tot) for i in toen] == [("melder", "melding", t(DAG_6)), ("veilig-thuis", "IJM-3.1d", None)]
    daarvoor = tijdlijn(views, cid, volgens=t("2027-06-14T12:00:00+02:00"))
    assert [(i.partij, i.tot) for i in daarvoor] == [("melder", None)]
    moment = t("2027-06-14T12:00:00+02:00")
    assert (houder_op(nu, moment) or pytest.fail()).partij == "instelling:ggz-velsen"
    assert (houder_op(toen, moment) or pytest.fail()).partij == "melder"
    runner.rebuild()
    assert tijdlijn(views, cid) == nu
    assert tijdlijn(views, cid, volgens=t("2027-06-16T12:00:00+02:00")) == toen


def test_T_5c_informative_terms_and_the_sixth_day_are_never_counted_as_missed(store: EventStore, ijmond: Regelset) -> None:
    acuut = Draaiboek(ijmond, ONTVANGEN, "velsen", acuut=True)
    acuut.tik("2027-06-11T00:00:00+02:00")  # crisis (72 hours) ended; the beoordeling is still open
    niemand = Draaiboek(ijmond, ONTVANGEN, "velsen")
    niemand.tik(DAG_6)  # the beoordeling is missed; the sixth-day transfer took effect by law
    laat = laat_beoordeeld(ijmond)  # met in time, recorded late
    for d in (acuut, niemand, laat):
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    views = open_views(store.infrastructure)
    ProjectionRunner(store, views, alle()).catch_up()

    gemist = lezen.termijnen(views, verstreken=True)
    assert [(r["casus_id"], r["soort"]) for r in gemist] == [(niemand.casus.casus_id, "veiligheidsbeoordeling")]
    assert [r["casus_id"] for r in lezen.lijst(views, termijn_verstreken=True)] == [niemand.casus.casus_id]
    statussen = {(r["casus_id"], r["soort"]): r["status"] for r in views.query("SELECT casus_id, soort, status FROM termijnen")}
    assert statussen[(acuut.casus.casus_id, "crisis")] == "afgelopen"
    assert statussen[(niemand.casus.casus_id, "verantwoordelijkheid-vt")] == "van-rechtswege"
    assert statussen[(laat.casus.casus_id, "verantwoordelijkheid-vt")] == "voldaan"

    per_soort = {x["soort"]: x for x in rapport(views, "ijmond-2024", date(2027, 6, 1), date(2027, 6, 30))["termijnen"]}
    assert (per_soort["crisis"]["afgelopen"], per_soort["crisis"]["beslist"]) == (1, 0)
    vt = per_soort["verantwoordelijkheid-vt"]
    assert (vt["van_rechtswege"], vt["beslist"], vt["tijdig"], vt["laat_vastgelegd"]) == (1, 1, 1, 1)
    beoordeling = per_soort["veiligheidsbeoordeling"]
    assert (beoordeling["open"], beoordeling["beslist"], beoordeling["tijdig"], beoordeling["laat_vastgelegd"]) == (1, 2, 1, 1)
