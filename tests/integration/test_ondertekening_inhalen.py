"""A decision that finds another decision's events in its place believes them only when a trusted
worker key signed them (with the worker's key configured), on SQLite and PostgreSQL. The insider with
the `casus_worker` login can insert a chain-valid event, but not sign it: the next decision's append
refuses it as it refuses a chain that does not verify, so the workflow never evolves from it.

The rule for history from before workers signed is `casus verifieer`'s: an unsigned event is
believed only when it was stored before the log's first signed event."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.eventstore import CONFLICT, EventStoreActivities, Toevoegen
from domain.draaiboek import Draaiboek
from domain.partijen import Actor
from domain.stap import Regelset
from eventstore.keten import Ondertekenaar as Tekenaar
from eventstore.keten import uitpakken, verpak
from eventstore.ondertekening import Keurmeester, Ondertekenaar, maak_worker_sleutel, overzicht
from eventstore.store import EventStore, NietOndertekendError, StreamConflictError, Toevoeging, stream_id
from eventstore.vergeten import leg_vast
from eventstore.vergeten import sleutel as vergeet_sleutel
from runtime.settings import Settings
from service.herstel import Herstel, _geverifieerde_stream
from tests.integration.test_integriteit import rauw, sleutel
from worker import werkersleutel


@pytest.fixture
def ander() -> Ondertekenaar:
    """Another worker's key, trusted (CASUS_WORKER_PUBLIEKE_SLEUTELS)."""
    return Ondertekenaar(Ed25519PrivateKey.generate())


@pytest.fixture
def werker(ander: Ondertekenaar) -> Ondertekenaar:
    return Ondertekenaar(Ed25519PrivateKey.generate(), {ander.vingerafdruk: ander.publiek})


def nieuwe_casus(store: EventStore, ijmond: Regelset, ondertekenaar: Ondertekenaar | None) -> tuple[str, int]:
    """A casus appended by a worker (signing with `ondertekenaar`, or from before workers signed)."""
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    toevoeging = store.append(d.casus.casus_id, 0, d.gebeurtenissen, sleutel="melding", ondertekenaar=ondertekenaar)
    return d.casus.casus_id, toevoeging.versie


def schrijf_rij(
    store: EventStore, settings: Settings, casus_id: str, ondertekenaar: Tekenaar | None, besluit: str = "actie:insider"
) -> int:
    """A chain-valid event at the end of the stream (a copy of its last one), INSERTed past the
    application as a database login can; signed by `ondertekenaar` when given. Its version."""
    laatste = store.recorder.select_events(stream_id(casus_id), desc=True, limit=1)[0]
    e, versie = store.read(casus_id)[-1], laatste.originator_version + 1
    state, _ = verpak(uitpakken(laatste.state).hash, str(stream_id(casus_id)), versie, e.type, e.model_dump_json(), besluit, ondertekenaar)
    rauw(settings, "INSERT INTO casus_events (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)",
         (sleutel(settings, casus_id), versie, e.type, state))  # fmt: skip
    assert store.verify(casus_id) == [], "the chain alone passes it"
    return versie


def volgende_besluit(store: EventStore, casus_id: str, verwacht: int, ondertekenaar: Ondertekenaar | None) -> Toevoeging:
    """The workflow's next decision, appended where it believes the stream ends."""
    return store.append(casus_id, verwacht, [store.read(casus_id)[verwacht - 1]], sleutel="actie:volgende", ondertekenaar=ondertekenaar)


class _Vals:
    """A key that signs with a signature that does not verify (the table owner editing one)."""

    def __init__(self, echt: Ondertekenaar) -> None:
        self.vingerafdruk = echt.vingerafdruk
        self._echt = echt

    def teken(self, hash: str) -> str:
        h = self._echt.teken(hash)
        return ("0" if h[0] != "0" else "1") + h[1:]


@pytest.mark.storing
def test_an_unsigned_event_inserted_after_signed_ones_is_refused_on_the_next_append(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    vals = schrijf_rij(store, store_settings, casus_id, None)
    with pytest.raises(NietOndertekendError, match=rf"version {vals}: unsigned, though stored after the log's first signed event"):
        volgende_besluit(store, casus_id, versie, werker)
    assert store.version(casus_id) == vals, "nothing of the next decision is stored"
    # What the append refuses is what `casus verifieer` reports.
    assert [(a.versie, a.soort) for a in overzicht(store, werker.vertrouwd).afwijkingen[casus_id]] == [(vals, "ondertekening:ontbreekt")]


def test_without_a_worker_key_the_chain_alone_decides_as_before(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    schrijf_rij(store, store_settings, casus_id, None)
    inhalen = store.append(casus_id, versie, [store.read(casus_id)[-1]], sleutel="actie:volgende")
    assert not inhalen.eigen and inhalen.sleutels == ("actie:insider",)


def test_the_append_activity_refuses_it_as_a_stream_conflict(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    vals = schrijf_rij(store, store_settings, casus_id, None)
    invoer = Toevoegen(casus_id=casus_id, verwacht=versie, gebeurtenissen=(store.read(casus_id)[-1],), sleutel="actie:volgende")
    with pytest.raises(ApplicationError) as fout:
        ActivityEnvironment().run(EventStoreActivities(store, None, werker).voeg_toe, invoer)
    assert fout.value.type == CONFLICT and fout.value.non_retryable
    assert f"version {vals}: unsigned" in fout.value.message


@pytest.mark.storing
@pytest.mark.parametrize("wie", ["onbekend", "vals"])
def test_an_event_signed_by_a_key_not_trusted_or_with_a_signature_that_does_not_verify_is_refused(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset, wie: str
) -> None:
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    tekenaar = Ondertekenaar(Ed25519PrivateKey.generate()) if wie == "onbekend" else _Vals(werker)
    vals = schrijf_rij(store, store_settings, casus_id, tekenaar)
    reden = "no trusted worker key" if wie == "onbekend" else "does not verify"
    with pytest.raises(StreamConflictError, match=rf"version {vals}: .*{reden}"):
        volgende_besluit(store, casus_id, versie, werker)


@pytest.mark.parametrize("wie", ["eigen", "ander"])
def test_an_event_signed_by_a_trusted_worker_key_is_caught_up_on(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ander: Ondertekenaar, ijmond: Regelset, wie: str
) -> None:
    """Another decision of this worker, or of another worker whose public key it trusts."""
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    echt = schrijf_rij(store, store_settings, casus_id, werker if wie == "eigen" else ander, besluit="actie:eerder")
    inhalen = volgende_besluit(store, casus_id, versie, werker)
    assert inhalen.eigen is False and inhalen.versie == echt
    assert inhalen.gebeurtenissen == (store.read(casus_id)[-1],)
    assert inhalen.sleutels == ("actie:eerder",)


def test_a_retried_decision_finds_its_own_signed_events(store: EventStore, werker: Ondertekenaar, ijmond: Regelset) -> None:
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    e = store.read(casus_id)[-1]
    eerste = store.append(casus_id, versie, [e], sleutel="actie:u1", ondertekenaar=werker)
    later = e.model_copy(update={"vastgelegd": e.vastgelegd.replace(second=(e.vastgelegd.second + 7) % 60)})
    opnieuw = store.append(casus_id, versie, [later], sleutel="actie:u1", ondertekenaar=werker)
    assert (opnieuw.eigen, opnieuw.nieuw, opnieuw.versie, opnieuw.gebeurtenissen) == (True, 0, eerste.versie, (e,))


@pytest.mark.storing
def test_events_stored_before_signing_began_are_believed_and_later_unsigned_ones_are_not(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """A casus from before workers signed, still open when they began: its unsigned events, another
    decision's among them, are believed; an unsigned event inserted after the log's first signed
    event is not, also in that stream (where its own events are all unsigned)."""
    oud, versie = nieuwe_casus(store, ijmond, None)
    eerder = store.append(oud, versie, [store.read(oud)[-1]], sleutel="actie:eerder").versie  # an unsigned worker's decision

    # Nothing in the log is signed yet: the first worker with a key believes what it finds.
    assert volgende_besluit(store, oud, versie, werker).sleutels == ("actie:eerder",)
    assert store.eerste_ondertekend() is None

    nieuwe_casus(store, ijmond, werker)  # signing began
    assert store.eerste_ondertekend() is not None
    inhalen = volgende_besluit(store, oud, versie, werker)
    assert inhalen.sleutels == ("actie:eerder",) and inhalen.versie == eerder

    vals = schrijf_rij(store, store_settings, oud, None)
    with pytest.raises(NietOndertekendError, match=rf"version {vals}: unsigned"):
        volgende_besluit(store, oud, eerder, werker)
    with pytest.raises(NietOndertekendError, match=rf"version {vals}: unsigned"):
        volgende_besluit(store, oud, versie, werker)  # the tail it would catch up on holds it too
    assert [(a.versie, a.soort) for a in overzicht(store, werker.vertrouwd).afwijkingen[oud]] == [(vals, "ondertekening:ontbreekt")]


@pytest.mark.storing
def test_an_unsigned_event_after_signed_ones_in_the_tail_itself_is_refused(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """The decision finds a signed event and, after it, an unsigned one: neither is believed."""
    casus_id, versie = nieuwe_casus(store, ijmond, werker)
    schrijf_rij(store, store_settings, casus_id, werker, besluit="actie:eerder")
    vals = schrijf_rij(store, store_settings, casus_id, None)
    with pytest.raises(NietOndertekendError, match=rf"version {vals}: unsigned"):
        volgende_besluit(store, casus_id, versie, werker)


def test_the_worker_trusts_its_own_key_and_those_of_casus_worker_publieke_sleutels(tmp_path: Path, ander: Ondertekenaar) -> None:
    assert werkersleutel(Settings(state_dir=tmp_path, worker_sleutel=None)) is None
    maak_worker_sleutel(tmp_path / "geheim" / "worker.ed25519")
    (tmp_path / "publiek").mkdir()
    (tmp_path / "publiek" / "ander.pem").write_bytes(ander.publiek.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    eigen = werkersleutel(Settings(state_dir=tmp_path, worker_sleutel=tmp_path / "geheim" / "worker.ed25519"))
    assert eigen is not None and set(eigen.vertrouwd) == {eigen.vingerafdruk}
    sleutel = tmp_path / "geheim" / "worker.ed25519"
    beide = werkersleutel(Settings(state_dir=tmp_path, worker_sleutel=sleutel, worker_publieke_sleutels=str(tmp_path / "publiek")))
    assert beide is not None and set(beide.vertrouwd) == {beide.vingerafdruk, ander.vingerafdruk}


@pytest.mark.storing
def test_a_restore_starts_from_no_event_a_worker_did_not_sign(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """`casus herstel` rebuilds a workflow from its stream: with the trusted worker keys it refuses a
    stream holding an event no worker signed, as the worker refuses to catch up on one."""
    casus_id, _ = nieuwe_casus(store, ijmond, werker)
    keurder = Keurmeester(werker.vertrouwd)
    assert not isinstance(_geverifieerde_stream(store, casus_id, keurder), Herstel)
    vals = schrijf_rij(store, store_settings, casus_id, None)
    geweigerd = _geverifieerde_stream(store, casus_id, keurder)
    assert isinstance(geweigerd, Herstel) and geweigerd.uitkomst == "geweigerd"
    assert f"version {vals}: unsigned" in geweigerd.toelichting
    assert not isinstance(_geverifieerde_stream(store, casus_id), Herstel), "without trusted keys the chain alone decides"


@pytest.mark.storing
def test_an_erasure_forged_into_a_stream_is_not_taken_as_recorded(
    store: EventStore, store_settings: Settings, werker: Ondertekenaar, ijmond: Regelset
) -> None:
    """A database login writes a row under the erasure's key, so that the real erasure would be
    skipped as done: the worker believes it only if a worker signed it, and says where it failed."""
    casus_id, _ = nieuwe_casus(store, ijmond, werker)
    huishouden = store.read(casus_id)[0].huishouden  # type: ignore[attr-defined]
    schrijf_rij(store, store_settings, casus_id, None, besluit=vergeet_sleutel(huishouden, 1))
    uitslag = leg_vast(store, huishouden, 1, "bewaartermijn", Actor(partij="veilig-thuis", medewerker="dirk"), ondertekenaar=werker)
    assert casus_id in uitslag.mislukt and "unsigned" in uitslag.mislukt[casus_id]
    assert uitslag.al == []
