"""Erasure that stays erased (issue 14), each insider attack tried on SQLite and PostgreSQL: on
PostgreSQL as the caseworkers' role `casus_medewerker` (the one that keeps the household keys), on
SQLite as anyone holding the file. Forgetting is recorded in every casus of the household."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import psycopg
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain import gebeurtenissen as g
from domain.draaiboek import Draaiboek
from domain.evolueren import evolve, herbouw
from domain.partijen import Actor
from domain.stap import Regelset
from eventstore import vergeten
from eventstore.keten import uitpakken
from eventstore.kluis import VERGETEN, VOORVOEGSEL, Kluis, _versleutel
from eventstore.store import EventStore, stream_id
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import tijdlijn
from runtime.settings import Settings
from service.audit_html import pagina
from service.migratie import migreer
from tests.integration.test_alleen_toevoegen import als_rol

pytestmark = pytest.mark.storing
GEHEIM = "Buurvrouw Jansen hoort dat vader de kinderen slaat"
REDEN = "verzoek betrokkene (Wmo 2015 art. 5.3.5)"
ANNA = Actor(partij="veilig-thuis", medewerker="anna")
GEWEIGERD = (psycopg.errors.InsufficientPrivilege, sqlite3.IntegrityError)
Sql = Callable[[str], list[tuple[object, ...]]]


@pytest.fixture
def sleutelhouder(store_settings: Settings) -> Settings:
    """Who seals and forgets: on PostgreSQL a login of the caseworkers' role, as production connects."""
    if store_settings.eventstore == "postgres":
        return als_rol(store_settings, "casus_medewerker")
    return store_settings


@contextmanager
def kluis_van(settings: Settings, meester: bytes) -> Iterator[tuple[EventStore, Kluis]]:
    store = EventStore.open(settings)
    try:
        yield store, Kluis(open_views(store.infrastructure), meester)
    finally:
        store.close()


@contextmanager
def rauw(settings: Settings) -> Iterator[Sql]:
    """Statements straight at the database with the settings' login, past the application."""
    if settings.eventstore == "sqlite":
        with sqlite3.connect(settings.events_path, isolation_level=None) as bestand:
            yield lambda statement: bestand.execute(statement).fetchall()
        return
    with psycopg.connect(host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user,
                         dbname=settings.postgres_dbname, autocommit=True) as db:  # fmt: skip

        def uitvoeren(statement: str) -> list[tuple[object, ...]]:
            cursor = db.execute(statement.encode())
            return cursor.fetchall() if cursor.description else []

        yield uitvoeren


def test_a_household_key_cannot_be_nulled_or_removed_without_a_record(sleutelhouder: Settings) -> None:
    with kluis_van(sleutelhouder, AESGCM.generate_key(bit_length=256)) as (_, kluis):
        verzegeld = kluis.verzegel("HH-stil", GEHEIM)
        with rauw(sleutelhouder) as sql:
            for aanval in (
                "UPDATE huishouden_sleutels SET sleutel = NULL WHERE huishouden = 'HH-stil'",
                "UPDATE huishouden_sleutels SET generatie = 2 WHERE huishouden = 'HH-stil'",
                "DELETE FROM huishouden_sleutels WHERE huishouden = 'HH-stil'",
            ):
                with pytest.raises(GEWEIGERD):
                    sql(aanval)
        assert kluis.ontzegel("HH-stil", verzegeld) == GEHEIM
        # The only way to destroy a key is to record it first: then it is traced, and the trace stays.
        with rauw(sleutelhouder) as sql:
            sql("INSERT INTO vernietigde_sleutels VALUES ('HH-stil', 1, '2028-01-01T00:00:00.000000Z', 'insider', 'geen')")
            sql("UPDATE huishouden_sleutels SET sleutel = NULL WHERE huishouden = 'HH-stil'")
            for aanval in ("UPDATE vernietigde_sleutels SET vergeten_door = 'niemand'", "DELETE FROM vernietigde_sleutels"):
                with pytest.raises(GEWEIGERD):
                    sql(aanval)
            assert sql("SELECT vergeten_door FROM vernietigde_sleutels WHERE huishouden = 'HH-stil'") == [("insider",)]
        assert kluis.ontzegel("HH-stil", verzegeld) == VERGETEN


def test_a_key_copied_before_forgetting_cannot_be_put_back(sleutelhouder: Settings) -> None:
    with kluis_van(sleutelhouder, AESGCM.generate_key(bit_length=256)) as (_, kluis):
        verzegeld = kluis.verzegel("HH-kopie", GEHEIM)
        with rauw(sleutelhouder) as sql:
            ((kopie, aangemaakt),) = sql("SELECT sleutel, aangemaakt FROM huishouden_sleutels WHERE huishouden = 'HH-kopie'")
        assert kluis.vergeet("HH-kopie", REDEN, "veilig-thuis/anna").had_sleutel
        with rauw(sleutelhouder) as sql:
            for aanval in (
                f"UPDATE huishouden_sleutels SET sleutel = '{kopie}' WHERE huishouden = 'HH-kopie'",
                f"INSERT INTO huishouden_sleutels VALUES ('HH-kopie', 1, '{kopie}', '{aangemaakt}')",
                f"INSERT INTO huishouden_sleutels VALUES ('HH-kopie', 0, '{kopie}', '{aangemaakt}')",
                "DELETE FROM vernietigde_sleutels WHERE huishouden = 'HH-kopie'",
            ):
                with pytest.raises(GEWEIGERD, match=r"destroyed key generation|only destroyed|append-only|permission denied"):
                    sql(aanval)
            # A later generation may be made, but a key copied from generation 1 does not open as it.
            sql(f"INSERT INTO huishouden_sleutels VALUES ('HH-kopie', 7, '{kopie}', '{aangemaakt}')")
        assert kluis.ontzegel("HH-kopie", verzegeld) == VERGETEN
        with pytest.raises(PermissionError, match="does not open with this master key"):
            kluis.verzegel("HH-kopie", "nieuw")


def test_the_unsealer_refuses_a_destroyed_generation_even_when_its_bytes_reappear(store_settings: Settings) -> None:
    """The table owner drops the triggers (or an old backup is restored next to the new record): the
    key row is back, byte for byte, and the texts still do not open."""
    if store_settings.eventstore == "postgres":
        migreer(store_settings, alle())
    with kluis_van(store_settings, AESGCM.generate_key(bit_length=256)) as (_, kluis):
        verzegeld = kluis.verzegel("HH-terug", GEHEIM)
        with rauw(store_settings) as sql:
            ((kopie,),) = sql("SELECT sleutel FROM huishouden_sleutels WHERE huishouden = 'HH-terug'")
            assert kluis.vergeet("HH-terug", REDEN, "veilig-thuis/anna").opgeruimd  # the owner: VACUUM ran
            if store_settings.eventstore == "postgres":
                sql("ALTER TABLE huishouden_sleutels DISABLE TRIGGER USER")
            else:
                sql("DROP TRIGGER sleutel_alleen_vernietigen")
            sql(f"UPDATE huishouden_sleutels SET sleutel = '{kopie}' WHERE huishouden = 'HH-terug'")
            assert sql("SELECT sleutel FROM huishouden_sleutels WHERE huishouden = 'HH-terug'") == [(kopie,)]
        assert kluis.ontzegel("HH-terug", verzegeld) == VERGETEN
        # Sealing again does not take the restored key either: it makes the next generation.
        nieuw = kluis.verzegel("HH-terug", "nieuw")
        assert nieuw.startswith("vz2:") and kluis.ontzegel("HH-terug", nieuw) == "nieuw"


def test_the_sqlite_file_no_longer_holds_the_wrapped_key_after_forgetting(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = Settings(state_dir=tmp_path_factory.mktemp("vergeten"), eventstore="sqlite")

    def bestanden() -> bytes:
        return b"".join(p.read_bytes() for p in settings.events_path.parent.glob(settings.events_path.name + "*"))

    with kluis_van(settings, AESGCM.generate_key(bit_length=256)) as (_, kluis):
        for n in range(20):  # other households' keys on the same page, as in a real file
            kluis.verzegel(f"HH-buur-{n}", "buren")
        kluis.verzegel("HH-bestand", GEHEIM)
        gewikkeld: str = kluis.views.query("SELECT sleutel FROM huishouden_sleutels WHERE huishouden = %s", ("HH-bestand",))[0]["sleutel"]
        with rauw(settings) as sql:
            sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the key's page in the file itself, as after any checkpoint
        assert gewikkeld.encode() in settings.events_path.read_bytes()  # the control: the file holds it
        vergeten = kluis.vergeet("HH-bestand", REDEN, "veilig-thuis/anna")
        assert vergeten.opgeruimd
        # Not a piece of it either (an update writes the shorter row over part of the old one).
        assert not any(gewikkeld[i : i + 16].encode() in bestanden() for i in range(0, len(gewikkeld) - 16, 8))
        assert kluis.ontzegel("HH-buur-3", kluis.verzegel("HH-buur-3", "buren")) == "buren"


def test_the_reader_role_cannot_read_the_household_keys(postgres_settings: Settings) -> None:
    medewerker = als_rol(postgres_settings, "casus_medewerker")
    with kluis_van(medewerker, AESGCM.generate_key(bit_length=256)) as (_, kluis):
        kluis.verzegel("HH-lezer", GEHEIM)
        kluis.vergeet("HH-lezer", REDEN, "veilig-thuis/anna")
        kluis.verzegel("HH-lezer", "opnieuw")
    lezer = als_rol(postgres_settings, "casus_lezer")
    with rauw(lezer) as sql:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql("SELECT sleutel FROM huishouden_sleutels")
        # Which household was forgotten, when, by whom and why is the auditor's to read.
        assert sql("SELECT huishouden, generatie, vergeten_door FROM vernietigde_sleutels") == [("HH-lezer", 1, "veilig-thuis/anna")]
        for aanval in ("INSERT INTO vernietigde_sleutels VALUES ('HH-x', 1, 'nu', 'lezer', 'geen')", "DELETE FROM vernietigde_sleutels"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                sql(aanval)
    with rauw(medewerker) as sql:
        assert len(sql("SELECT sleutel FROM huishouden_sleutels WHERE huishouden = 'HH-lezer'")) == 2


def test_a_new_melding_after_erasure_is_sealed_under_a_new_generation_and_readable(sleutelhouder: Settings) -> None:
    meester = AESGCM.generate_key(bit_length=256)
    with kluis_van(sleutelhouder, meester) as (_, kluis):
        oud = kluis.verzegel("HH-nieuw", GEHEIM)
        assert oud.startswith("vz1:")
        eerste = kluis.vergeet("HH-nieuw", REDEN, "veilig-thuis/anna")
        assert (eerste.generatie, eerste.had_sleutel, eerste.nieuw) == (1, True, True)
        # The caseworkers' role may not VACUUM on PostgreSQL 15 (the owner may): said, not hidden.
        assert eerste.opgeruimd == (sleutelhouder.eventstore == "sqlite")
        # A retry of the same erasure finds it done, with the same generation (its record's key).
        assert (kluis.vergeet("HH-nieuw", REDEN, "veilig-thuis/anna").generatie, kluis.vergeet("HH-nieuw", REDEN, "x").nieuw) == (1, False)
        nieuw = kluis.verzegel("HH-nieuw", "een nieuwe melding")
        assert nieuw.startswith("vz2:")
    with kluis_van(sleutelhouder, meester) as (_, kluis):  # another process, the same store
        assert kluis.ontzegel("HH-nieuw", nieuw) == "een nieuwe melding"
        assert kluis.ontzegel("HH-nieuw", oud) == VERGETEN
        assert kluis.vergeet("HH-nieuw", REDEN, "veilig-thuis/anna").generatie == 2
        assert kluis.ontzegel("HH-nieuw", nieuw) == VERGETEN
        assert kluis.verzegel("HH-nieuw", "derde").startswith("vz3:")


def test_the_erasure_is_recorded_in_the_audit_of_each_casus_of_the_household(
    store: EventStore, store_settings: Settings, gelderland: Regelset
) -> None:
    views = open_views(store.infrastructure)
    kluis = Kluis(views, AESGCM.generate_key(bit_length=256))
    huishouden = f"HH-{uuid.uuid4().hex[:6]}"
    eigen = [Draaiboek(gelderland, f"2028-01-{d}T09:00:00+01:00", "ede", huishouden=huishouden,
                       inhoud=kluis.verzegel(huishouden, GEHEIM)) for d in (10, 11)]  # fmt: skip
    ander = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede")
    for d in (*eigen, ander):
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    runner = ProjectionRunner(store, views, alle())
    runner.catch_up()
    lijnen = {d.casus.casus_id: tijdlijn(views, d.casus.casus_id) for d in eigen}

    generatie = kluis.vergeet(huishouden, REDEN, "veilig-thuis/anna").generatie
    vastgelegd = vergeten.leg_vast(store, huishouden, generatie, REDEN, ANNA)
    assert sorted(vastgelegd.nieuw) == sorted(d.casus.casus_id for d in eigen) and not vastgelegd.mislukt
    for d in eigen:
        stroom = store.read_met_sleutels(d.casus.casus_id)
        laatste, sleutel = stroom[-1]
        assert isinstance(laatste, g.HuishoudenVergeten) and sleutel == f"vergeet:{huishouden}:1"
        assert (laatste.actor, laatste.reden, laatste.generatie, laatste.regel) == (ANNA, REDEN, 1, "Wmo 2015 art. 5.3.5")
        assert store.verify(d.casus.casus_id) == []
        casus = herbouw(e for e, _ in stroom)
        assert casus is not None and casus.versie == len(stroom)
        assert "HuishoudenVergeten" in pagina(casus, lijnen[d.casus.casus_id], [e for e, _ in stroom], datetime.now(casus.ontvangen.tzinfo))
    assert not any(isinstance(e, g.HuishoudenVergeten) for e in store.read(ander.casus.casus_id))
    # The read models follow it and the responsibility record is unchanged.
    runner.catch_up()
    assert {c: tijdlijn(views, c) for c in lijnen} == lijnen
    # A retry of the command (the key was destroyed, the append interrupted) records nothing twice.
    opnieuw = vergeten.leg_vast(store, huishouden, generatie, REDEN, ANNA)
    assert (opnieuw.nieuw, sorted(opnieuw.al)) == ([], sorted(vastgelegd.nieuw))


def test_a_decision_that_meets_the_erasure_in_its_place_catches_up_on_it(store: EventStore, gelderland: Regelset) -> None:
    """What the workflow relies on (workflows/casus.py `_besluit`): its next append, at the version
    and hash it last knew, is answered with the erasure to evolve through, and the next one lands."""
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede", huishouden="HH-loopt")
    bekend = store.append(d.casus.casus_id, 0, d.gebeurtenissen, sleutel="melding")
    vergeten.leg_vast(store, "HH-loopt", 1, REDEN, ANNA)
    casus = d.casus  # as the workflow holds it: the erasure not seen
    besluit = d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    inhalen = store.append(d.casus.casus_id, bekend.versie, besluit, vorige_hash=bekend.hash, sleutel="actie:1")
    assert not inhalen.eigen and inhalen.nieuw == 0 and inhalen.sleutels == ("vergeet:HH-loopt:1",)
    assert inhalen.gebeurtenissen is not None and isinstance(inhalen.gebeurtenissen[0], g.HuishoudenVergeten)
    for e in inhalen.gebeurtenissen:
        casus = evolve(casus, e)
    assert casus.versie == inhalen.versie == bekend.versie + 1
    daarna = store.append(d.casus.casus_id, casus.versie, besluit, vorige_hash=inhalen.hash, sleutel="actie:1")
    assert daarna.nieuw == len(besluit) and store.verify(d.casus.casus_id) == []


def test_keys_kept_before_generations_are_generation_one(store_settings: Settings) -> None:
    """A key table of the first version (one key per household, NULL once forgotten) is carried over."""
    meester = AESGCM.generate_key(bit_length=256)
    with rauw(store_settings) as sql:
        sql("CREATE TABLE huishouden_sleutels (huishouden TEXT PRIMARY KEY, sleutel TEXT, aangemaakt TEXT NOT NULL,"
            " vergeten_op TEXT, vergeten_door TEXT, reden TEXT)")  # fmt: skip
        sleutel = AESGCM.generate_key(bit_length=256)
        sql(f"INSERT INTO huishouden_sleutels VALUES ('HH-oud', '{_versleutel(meester, sleutel, 'HH-oud')}', 'toen', NULL, NULL, NULL)")
        sql("INSERT INTO huishouden_sleutels VALUES ('HH-weg', NULL, 'toen', 'later', 'veilig-thuis/bob', 'verzoek')")
    with kluis_van(store_settings, meester) as (_, kluis):
        assert kluis.ontzegel("HH-oud", VOORVOEGSEL + _versleutel(sleutel, GEHEIM.encode(), "HH-oud")) == GEHEIM
        assert kluis.verzegel("HH-oud", "meer").startswith("vz1:")
        assert kluis.verzegel("HH-weg", "nieuw").startswith("vz2:")
        assert kluis.views.query("SELECT generatie, vergeten_door FROM vernietigde_sleutels") == [
            {"generatie": 1, "vergeten_door": "veilig-thuis/bob"}
        ]
        with rauw(store_settings) as sql, pytest.raises(GEWEIGERD):
            sql("INSERT INTO huishouden_sleutels VALUES ('HH-weg', 1, 'terug', 'nu')")


class _Tekenaar:
    """Stands in for the worker's key (eventstore/ondertekening.py): what is signed, and by whom."""

    vingerafdruk = "f" * 64

    def teken(self, hash: str) -> str:
        return f"getekend:{hash}"


def test_the_erasure_is_signed_when_the_command_holds_the_worker_key(store: EventStore, gelderland: Regelset) -> None:
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "ede", huishouden="HH-getekend")
    store.append(d.casus.casus_id, 0, d.gebeurtenissen)
    vergeten.leg_vast(store, "HH-getekend", 1, REDEN, ANNA, ondertekenaar=_Tekenaar())
    envelop = uitpakken(store.recorder.select_events(stream_id(d.casus.casus_id), desc=True, limit=1)[0].state)
    assert envelop.ondertekening is not None and envelop.ondertekening.handtekening == f"getekend:{envelop.hash}"


@pytest.mark.parametrize(
    "statement", [f"{wat} {tabel}" for wat in ("TRUNCATE", "DELETE FROM") for tabel in ("huishouden_sleutels", "vernietigde_sleutels")]
)
def test_the_triggers_refuse_it_even_to_the_owner(postgres_settings: Settings, statement: str) -> None:
    migreer(postgres_settings, alle())
    with kluis_van(postgres_settings, AESGCM.generate_key(bit_length=256)) as (_, kluis):
        kluis.verzegel("HH-eigenaar", GEHEIM)
        kluis.vergeet("HH-eigenaar", REDEN, "veilig-thuis/anna")
    with rauw(postgres_settings) as sql, pytest.raises(psycopg.errors.InsufficientPrivilege, match="refused"):
        sql(statement)
