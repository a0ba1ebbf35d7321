"""Attack (issue 11): the quarantine checks a row's hash over its own stream id, but not that the
event inside belongs to that stream. An insider with insert rights writes, under a NEW casus id,
version 1 with a correctly computed hash whose event is another casus's melding (copied from its
row). The row "verifies", passes the quarantine, and the caseload read model, which keys its rows
by the event's casus id, overwrites the real casus with its state as of its melding (version 1,
houder and phase reset). `casus herstel --alle` would also start a workflow for the new id that
appends to the other casus's stream (CasusStart.melding.casus_id).

Fails now; passes once the Keuring (and the catch-up and `herstel`) refuse an event whose casus id
is not its stream's."""

from __future__ import annotations

import uuid

import pytest

from domain.stap import Regelset
from eventstore.keten import BEGIN, verpak
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.quarantaine import in_quarantaine
from projections.runner import ProjectionRunner
from runtime.settings import Settings
from tests.integration.test_quarantaine import casus, voeg_rauw_toe

pytestmark = pytest.mark.storing


def test_an_event_copied_into_another_stream_with_a_valid_hash_is_quarantined(tmp_path, ijmond: Regelset) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(state_dir=tmp_path, eventstore="sqlite")
    store = EventStore.open(settings)
    try:
        views = open_views(store.infrastructure)
        runner = ProjectionRunner(store, views, alle())
        echt = casus(store, ijmond)
        runner.catch_up()
        voor = views.query("SELECT versie, houder, fase FROM caseload WHERE casus_id = %s", (echt,))[0]
        assert voor["versie"] == store.version(echt) > 1

        melding = store.read(echt)[0]
        nieuw = str(uuid.uuid4())
        state, _ = verpak(BEGIN, nieuw, 1, melding.type, melding.model_dump_json())
        voeg_rauw_toe(settings, nieuw, 1, melding.type, state)
        assert store.verify(nieuw) == []  # the chain of the new stream is "intact"
        runner.catch_up()

        na = views.query("SELECT versie, houder, fase FROM caseload WHERE casus_id = %s", (echt,))[0]
        assert dict(na) == dict(voor), f"casus {echt}'s read model was overwritten by a row of stream {nieuw}: {dict(na)}"
        assert [v.casus_id for v in in_quarantaine(views)] == [nieuw]
    finally:
        store.close()


def test_a_verifying_row_no_read_model_can_apply_stops_only_its_own_casus(tmp_path, ijmond: Regelset) -> None:  # type: ignore[no-untyped-def]
    """Version 1 of a new stream, hash computed right, holding a sound event that is no melding (an
    event copied from another casus). It decodes and verifies, so the Keuring passes it; the caseload
    raises 'the log is read out of order' and the whole runner stops: `casus dev` restarts it with
    backoff forever, and the read models of every casus stand still, not those of this one alone."""
    settings = Settings(state_dir=tmp_path, eventstore="sqlite")
    store = EventStore.open(settings)
    try:
        views = open_views(store.infrastructure)
        runner = ProjectionRunner(store, views, alle())
        bron = casus(store, ijmond)
        tweede = store.read(bron)[1]
        assert tweede.type != "MeldingOntvangen"
        nieuw = str(uuid.uuid4())
        voeg_rauw_toe(settings, nieuw, 1, tweede.type, verpak(BEGIN, nieuw, 1, tweede.type, tweede.model_dump_json())[0])
        assert store.verify(nieuw) == []
        gezond = casus(store, ijmond)  # stored after the row

        try:
            runner.catch_up()
        except Exception as e:
            pytest.fail(f"the projection runner stopped for every casus on one row of stream {nieuw}: {type(e).__name__}: {e}")
        rij = views.query("SELECT versie FROM caseload WHERE casus_id = %s", (gezond,))
        assert rij and rij[0]["versie"] == store.version(gezond)
    finally:
        store.close()
