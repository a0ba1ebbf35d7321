"""A rebuild beside the running system (blue/green). The live read models keep serving and the
runner keeps following the log while a rebuild:

1. notes the log's head H (appends commit in order, so every event up to H is there);
2. follows the log from the first event up to H into a workplace of its own: a temporary SQLite
   file holding the same tables, where each read model applies its batches with its own SQL (the
   same statements it runs on the embedded store, so the rows are the rows the runner makes);
3. copies every table into a fresh table beside the live one (`<table>__nieuw`), with `COPY` on
   PostgreSQL and one `INSERT ... SELECT` from the attached workplace on SQLite, and only then
   builds the live table's indexes on it;
4. switches: under the swap lock, drops each live table, gives the fresh one its name (its indexes
   and, on PostgreSQL, its grants) and sets each read model's position to H, in one transaction.

The runner takes the same lock for each batch and checks inside it that its position is still the
one it read (projections/runner.py): a batch begun before a switch is abandoned and the runner
goes on from the new tables' position. On PostgreSQL the lock is a transaction-level advisory lock
(shared for the runner, exclusive for the switch) and steps 3 and 4 are one transaction, so a
rebuild that dies anywhere leaves the live tables as they were; on SQLite every writing
transaction already holds the database's write lock. One rebuild at a time: a session advisory
lock on PostgreSQL, a lock on a file beside the database on SQLite."""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import re
import shutil
import sqlite3
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg import sql as pgsql

from eventstore.store import EventStore
from eventstore.views import WISSEL, WISSEL_DDL, PostgresViewStore, SQLiteSql, SQLiteViewStore, ViewStore
from projections import quarantaine
from projections.basis import Projection, Voortgang, zonder_cyclusopruiming
from projections.quarantaine import Keuring
from runtime.storingspunt import Storingspunt

log = structlog.get_logger()

NIEUW = "__nieuw"
MAX_DELEN = 4
"""At most this many processes read and apply the log side by side (PostgreSQL; one per core)."""
WISSEL_WACHT_MS = 2000
"""How long the switch waits for the read models' locks in one try (PostgreSQL)."""
WISSEL_POGINGEN = 5
HERBOUWSLOT = 0x63617377
"""The advisory lock key a PostgreSQL rebuild holds for as long as it runs ("casw")."""


class HerbouwBezigError(RuntimeError):
    """Another rebuild of these read models is running."""


class HerbouwMisluktError(RuntimeError):
    """A part of the rebuild failed; the live tables are as they were."""


def _punt(naam: str) -> None:
    """A commit point of the rebuild where the fault tests kill it (runtime/storingspunt.py)."""
    storing = Storingspunt.uit_omgeving()
    if storing is not None:
        storing.bereikt(naam, None)


@dataclass(frozen=True)
class Uitkomst:
    positie: int
    """The log's head the new tables were built up to: the runner follows on from here."""
    tabellen: tuple[str, ...]
    rijen: int


def tabellen_van(projecties: Sequence[Projection]) -> tuple[str, ...]:
    """Every table the chosen read models write. The quarantine travels with `caseload` (its
    `tables`): a rebuild of only some other read model leaves it, and the verdicts the read models
    not rebuilt were kept by, as they are."""
    return tuple(dict.fromkeys(t for p in projecties for t in p.tables))


class Herbouw:
    def __init__(
        self, store: EventStore, views: ViewStore, projecties: Sequence[Projection], batch: int = 5000, delen: int | None = None
    ) -> None:  # fmt: skip
        self.store = store
        self.views = views
        self.projecties = tuple(projecties)
        self.batch = batch
        if isinstance(views, PostgresViewStore):
            self.doel: _Doel = _PostgresDoel(views)
            self.delen = delen or min(os.cpu_count() or 1, MAX_DELEN)
        elif isinstance(views, SQLiteViewStore):
            self.doel = _SQLiteDoel(views)
            self.delen = 1
        else:
            raise TypeError(f"no rebuild beside the live tables for {type(views).__name__}")

    def run(self, voortgang: Voortgang | None = None) -> Uitkomst:
        with self.doel.alleen():
            for ddl in (WISSEL_DDL, quarantaine.DDL, *(p.ddl for p in self.projecties)):
                self.views.create(ddl)
            tabellen = tabellen_van(self.projecties)
            self.doel.mag(tabellen)  # before the log is followed, not after
            tot = self.store.head()
            map_ = self.doel.werkmap()
            # Under the rebuild's lock: what a killed rebuild left (a copy of the read models) goes first.
            shutil.rmtree(map_, ignore_errors=True)
            map_.mkdir(mode=0o700, parents=True)
            try:
                paden = [map_ / f"werkplaats-{k}.db" for k in range(self.delen)]
                if self.delen == 1:
                    _volg(self.store, paden[0], self.projecties, tot, self.batch, (0, 1), voortgang)
                else:
                    self._volg_naast_elkaar(paden, tot, voortgang)
                _punt("herbouw-gevolgd")
                rijen = self.doel.wissel(paden, tabellen, [p.name for p in self.projecties], tot)
            finally:
                shutil.rmtree(map_, ignore_errors=True)
        log.info("read models rebuilt beside the runner and switched", positie=tot, tabellen=tabellen, rijen=rijen, delen=self.delen)
        return Uitkomst(tot, tabellen, rijen)

    def _volg_naast_elkaar(self, paden: Sequence[Path], tot: int, voortgang: Voortgang | None) -> None:
        """Each part of the casussen in a process of its own (forked: nothing to import again), each
        with its own connection and workplace; the first failure stops the rest."""
        ctx = multiprocessing.get_context("fork")
        standen = [ctx.Value("q", 0, lock=False) for _ in paden]
        fouten = [pad.with_suffix(".fout") for pad in paden]
        kinderen = [
            ctx.Process(target=_deel, args=(self.store, pad, self.projecties, tot, self.batch, (k, len(paden)), stand, fout, os.getpid()),
                        name=f"casus-herbouw-{k}", daemon=True)
            for k, (pad, stand, fout) in enumerate(zip(paden, standen, fouten, strict=True))
        ]  # fmt: skip
        for kind in kinderen:
            kind.start()
        gestopt: set[int] = set()
        try:
            while any(kind.is_alive() for kind in kinderen):
                next(kind for kind in kinderen if kind.is_alive()).join(0.1)
                _punt("herbouw-wacht")
                if any(kind.exitcode not in (None, 0) for kind in kinderen):
                    break
                if voortgang is not None:
                    voortgang(min(int(stand.value) for stand in standen), tot)
        finally:
            for k, kind in enumerate(kinderen):
                if kind.is_alive():
                    gestopt.add(k)
                    kind.terminate()
                kind.join()
        mislukt = [k for k, kind in enumerate(kinderen) if kind.exitcode != 0 and k not in gestopt]
        if mislukt or gestopt:
            k = (mislukt or sorted(gestopt))[0]
            reden = fouten[k].read_text(encoding="utf-8") if fouten[k].exists() else f"exit code {kinderen[k].exitcode}"
            raise HerbouwMisluktError(f"part {k + 1} of {len(kinderen)} of the rebuild failed: {reden}")
        if voortgang is not None:
            voortgang(tot, tot)


def _deel(store: EventStore, pad: Path, projecties: Sequence[Projection], tot: int, batch: int, deel: tuple[int, int],
          stand: Any, fout: Path, ouder: int) -> None:  # fmt: skip
    """A forked part: the parent's connections are never touched here, the store opened anew."""
    try:
        eigen = store.opnieuw_geopend()
        try:
            _volg(eigen, pad, projecties, tot, batch, deel, lambda na, _tot: setattr(stand, "value", na), ouder)
        finally:
            eigen.close()
    except BaseException as e:
        fout.write_text(f"{type(e).__name__}: {e}", encoding="utf-8")
        raise


def _volg(
    store: EventStore, pad: Path, projecties: Sequence[Projection], tot: int, batch: int, deel: tuple[int, int],
    voortgang: Voortgang | None, ouder: int | None = None,
) -> None:  # fmt: skip
    """The log (or a part of its casussen) from the first event up to `tot`, checked as the runner
    checks it, into a workplace."""
    werkplaats = _maak_werkplaats(pad, projecties)
    try:
        keuring = Keuring(store)
        na = 0
        while na < tot:
            if ouder is not None and os.getppid() != ouder:
                raise SystemExit("the rebuild that started this part is gone")
            with zonder_cyclusopruiming():
                rijen = [r for r in store.log_ruw(na, batch, deel) if r[0] <= tot]
                if not rijen:
                    break
                items, verdacht = keuring.keur(rijen)
                sql = SQLiteSql(werkplaats.cursor())
                for p in projecties:
                    if items:
                        p.apply(sql, items)
                quarantaine.noteer(sql, verdacht)
            na = rijen[-1][0]
            _punt("herbouw-deel")
            if voortgang is not None:
                voortgang(na, tot)
        werkplaats.execute("COMMIT")
        if voortgang is not None:
            voortgang(tot, tot)
    finally:
        werkplaats.close()


def _maak_werkplaats(pad: Path, projecties: Sequence[Projection]) -> sqlite3.Connection:
    """A SQLite file of the rebuild's own: no journal and no syncing (it is thrown away whole if the
    rebuild stops), one transaction for the whole run."""
    c = sqlite3.connect(pad, isolation_level=None, check_same_thread=False)
    c.row_factory = sqlite3.Row
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = MEMORY", "cache_size = -262144"):
        c.execute(f"PRAGMA {pragma}")
    c.execute("BEGIN")
    for statement in (*quarantaine.DDL, *(s for p in projecties for s in p.ddl)):
        c.execute(statement)
    return c


def _kolommen(werkplaats: sqlite3.Connection, tabel: str) -> list[str]:
    return [str(r[1]) for r in werkplaats.execute(f"PRAGMA table_info({tabel})")]


@contextlib.contextmanager
def _lezen(paden: Sequence[Path]) -> Iterator[list[sqlite3.Connection]]:
    verbindingen = [sqlite3.connect(f"{pad.as_uri()}?mode=ro", uri=True) for pad in paden]
    try:
        yield verbindingen
    finally:
        for c in verbindingen:
            c.close()


class _Doel(ABC):
    """The database of the live read models."""

    @abstractmethod
    def alleen(self) -> contextlib.AbstractContextManager[None]:
        """Held for the whole rebuild; raises HerbouwBezigError when another rebuild holds it."""

    @abstractmethod
    def wissel(self, paden: Sequence[Path], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        """Copies the workplaces' tables beside the live ones and switches; the rows copied."""

    @abstractmethod
    def werkmap(self) -> Path:
        """The workplaces' folder, one per database, so that the next rebuild clears what a killed one left."""

    @abstractmethod
    def mag(self, tabellen: Sequence[str]) -> None:
        """Raises HerbouwMisluktError when the switch could not be made: a view over a table (it
        would have to go with it), or a role that may not replace the tables."""


class _PostgresDoel(_Doel):
    def __init__(self, views: PostgresViewStore) -> None:
        self.views = views
        kwargs = views.datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        self.verbinding: dict[str, Any] = {k: v for k, v in kwargs.items() if k != "row_factory"}
        self.schema = views.datastore.schema

    def _verbind(self) -> psycopg.Connection[tuple[Any, ...]]:
        conn = psycopg.connect(**self.verbinding, autocommit=True, application_name="casus-herbouw")
        # A rebuild killed while its switch waits for a lock: the server notices within a second and
        # lets go of what it held, instead of when the lock comes.
        conn.execute("SET client_connection_check_interval = '1s'")
        return conn

    def werkmap(self) -> Path:
        waar = f"{self.verbinding.get('host')}:{self.verbinding.get('port')}/{self.verbinding.get('dbname')}/{self.schema}"
        return Path(tempfile.gettempdir()) / f"casus-herbouw-{sha256(waar.encode()).hexdigest()[:16]}"

    def mag(self, tabellen: Sequence[str]) -> None:
        with self._verbind() as conn:
            for tabel in tabellen:
                naam = f'"{self.schema}"."{tabel}"'
                rij = conn.execute(
                    "SELECT pg_has_role(current_user, c.relowner, 'USAGE'), has_schema_privilege(current_user, %s, 'CREATE')"
                    " FROM pg_class c WHERE c.oid = %s::regclass",
                    (self.schema, naam),
                ).fetchone()
                if not (rij and rij[0] and rij[1]):
                    raise HerbouwMisluktError(
                        f"the role {conn.info.user} may not replace {tabel}: a rebuild runs as the role that owns the read models"
                        " (the migration's), with CREATE on the schema"
                    )
                afhankelijk = [str(r[0]) for r in conn.execute(
                    "SELECT DISTINCT v.relname FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_class v ON v.oid = w.ev_class"
                    " WHERE d.refobjid = %s::regclass AND v.oid <> d.refobjid ORDER BY 1", (naam,))]  # fmt: skip
                if afhankelijk:
                    raise HerbouwMisluktError(
                        f"the view(s) {', '.join(afhankelijk)} read {tabel}, which a rebuild replaces: drop them for the rebuild"
                        " and make them again after it"
                    )

    @contextlib.contextmanager
    def alleen(self) -> Iterator[None]:
        with self._verbind() as conn:
            rij = conn.execute("SELECT pg_try_advisory_lock(%s)", (HERBOUWSLOT,)).fetchone()
            if not (rij and rij[0]):
                raise HerbouwBezigError("another rebuild of the read models is running; try again when it has finished")
            yield  # closing the session releases the lock

    def wissel(self, paden: Sequence[Path], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        try:
            return self._wissel(paden, tabellen, namen, tot)
        except psycopg.Error as e:
            raise HerbouwMisluktError(f"the switch was not made ({type(e).__name__}: {e})".strip()) from e

    def _wissel(self, paden: Sequence[Path], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        rijen = 0
        with _lezen(paden) as werkplaatsen, self._verbind() as conn, conn.transaction(), conn.cursor() as cur:
            indexen: dict[str, list[tuple[str, str, bool]]] = {}
            for tabel in tabellen:
                nieuw = tabel + NIEUW
                cur.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(self.schema, nieuw)))
                cur.execute(pgsql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(
                    pgsql.Identifier(self.schema, nieuw), pgsql.Identifier(self.schema, tabel)))  # fmt: skip
                kolommen = _kolommen(werkplaatsen[0], tabel)
                doel = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
                    pgsql.Identifier(self.schema, nieuw), pgsql.SQL(", ").join(map(pgsql.Identifier, kolommen))
                )
                with cur.copy(doel) as copy:
                    for werkplaats in werkplaatsen:
                        for rij in werkplaats.execute(f"SELECT {', '.join(kolommen)} FROM {tabel}"):
                            copy.write_row(rij)
                            rijen += 1
                indexen[tabel] = self._bouw_indexen(cur, tabel)
            _punt("herbouw-gekopieerd")
            self._vergrendel(conn, cur, tabellen)
            for tabel in tabellen:
                self._vervang(cur, tabel, indexen[tabel])
            self._volg_vanaf(cur, namen, tot)
            cur.execute(pgsql.SQL("UPDATE {} SET generatie = generatie + 1 WHERE slot = 1").format(pgsql.Identifier(self.schema, WISSEL)))
            _punt("herbouw-gewisseld")
        return rijen

    def _vergrendel(self, conn: psycopg.Connection[tuple[Any, ...]], cur: psycopg.Cursor[tuple[Any, ...]], tabellen: Sequence[str]) -> None:
        """The switch's row (the runner's batches hold it FOR SHARE) and every live table at once,
        each wait bounded: a reader holding one table open (a long report) must not leave the tables
        already taken locked while the switch waits for it. Tried again after a pause; after the last
        try the rebuild gives up with the live tables as they were."""
        for poging in range(1, WISSEL_POGINGEN + 1):
            try:
                with conn.transaction():  # a savepoint: a lock not had is let go whole
                    cur.execute(f"SET LOCAL lock_timeout = '{WISSEL_WACHT_MS}ms'")
                    cur.execute(
                        pgsql.SQL("SELECT generatie FROM {} WHERE slot = 1 FOR UPDATE").format(pgsql.Identifier(self.schema, WISSEL))
                    )
                    cur.execute(pgsql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                        pgsql.SQL(", ").join(pgsql.Identifier(self.schema, t) for t in tabellen)))  # fmt: skip
                    cur.execute("SET LOCAL lock_timeout = 0")
                return
            except psycopg.errors.LockNotAvailable:
                log.warning("the switch waits for a reader of the read models", poging=poging, van=WISSEL_POGINGEN)
                time.sleep(min(0.2 * 2**poging, 5))
        raise HerbouwMisluktError(
            f"the tables stayed in use by another session through {WISSEL_POGINGEN} tries; the live read models are as they were"
        )

    def _bouw_indexen(self, cur: psycopg.Cursor[tuple[Any, ...]], tabel: str) -> list[tuple[str, str, bool]]:
        """The live table's indexes built on the filled fresh table under a fresh name (the primary
        key as its constraint again); the names they are to get and whether each is the key."""
        cur.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass ORDER BY i.relname",
            (f'"{self.schema}"."{tabel}"',),
        )
        gebouwd = []
        for naam, definitie, primair in cur.fetchall():
            vorm = re.fullmatch(r"(CREATE (?:UNIQUE )?INDEX )(\S+)( ON (?:ONLY )?)(\S+)( USING .*)", str(definitie), re.DOTALL)
            if vorm is None:
                raise RuntimeError(f"the index {naam} of {tabel} has a form the rebuild cannot copy: {definitie}")
            nieuw_naam = pgsql.Identifier(str(naam) + NIEUW).as_string(cur)
            nieuwe_tabel = pgsql.Identifier(self.schema, tabel + NIEUW).as_string(cur)
            cur.execute(vorm.group(1) + nieuw_naam + vorm.group(3) + nieuwe_tabel + vorm.group(5))
            if primair:
                cur.execute(pgsql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {}").format(
                    pgsql.Identifier(self.schema, tabel + NIEUW), pgsql.Identifier(str(naam) + NIEUW),
                    pgsql.Identifier(str(naam) + NIEUW)))  # fmt: skip
            gebouwd.append((str(naam), str(naam) + NIEUW, bool(primair)))
        return gebouwd

    def _vervang(self, cur: psycopg.Cursor[tuple[Any, ...]], tabel: str, indexen: Sequence[tuple[str, str, bool]]) -> None:
        cur.execute(
            "SELECT COALESCE(r.rolname, 'PUBLIC'), a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
            " LEFT JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = %s::regclass AND a.grantee <> c.relowner",
            (f'"{self.schema}"."{tabel}"',),
        )
        rechten = cur.fetchall()
        cur.execute(pgsql.SQL("DROP TABLE {}").format(pgsql.Identifier(self.schema, tabel)))
        cur.execute(pgsql.SQL("ALTER TABLE {} RENAME TO {}").format(pgsql.Identifier(self.schema, tabel + NIEUW), pgsql.Identifier(tabel)))
        for naam, tijdelijk, _primair in indexen:
            cur.execute(pgsql.SQL("ALTER INDEX {} RENAME TO {}").format(pgsql.Identifier(self.schema, tijdelijk), pgsql.Identifier(naam)))
        for rol, recht in rechten:
            ontvanger = pgsql.SQL("PUBLIC") if rol == "PUBLIC" else pgsql.Identifier(str(rol))
            cur.execute(pgsql.SQL("GRANT {} ON {} TO {}").format(pgsql.SQL(str(recht)), pgsql.Identifier(self.schema, tabel), ontvanger))

    def _volg_vanaf(self, cur: psycopg.Cursor[tuple[Any, ...]], namen: Sequence[str], tot: int) -> None:
        tabel = pgsql.Identifier(self.schema, self.views.tracking_table_name)
        for naam in namen:
            cur.execute(pgsql.SQL("DELETE FROM {} WHERE application_name = %s").format(tabel), (naam,))
            cur.execute(pgsql.SQL("INSERT INTO {} (application_name, notification_id) VALUES (%s, %s)").format(tabel), (naam, tot))


class _SQLiteDoel(_Doel):
    def __init__(self, views: SQLiteViewStore) -> None:
        self.views = views
        self.bestand = Path(views.datastore.pool.db_name)

    def werkmap(self) -> Path:
        return self.bestand.with_name(self.bestand.name + ".herbouw.d")

    def mag(self, tabellen: Sequence[str]) -> None:
        rijen = self.views.query("SELECT name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') AND sql IS NOT NULL")
        for tabel in tabellen:
            afhankelijk = [r["name"] for r in rijen if re.search(rf"\b{re.escape(tabel)}\b", str(r["sql"]))]
            if afhankelijk:
                raise HerbouwMisluktError(
                    f"the view(s) or trigger(s) {', '.join(afhankelijk)} read {tabel}, which a rebuild replaces: drop them for"
                    " the rebuild and make them again after it"
                )

    @contextlib.contextmanager
    def alleen(self) -> Iterator[None]:
        with open(str(self.bestand) + ".herbouw", "a+b") as slot:
            try:
                fcntl.flock(slot.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise HerbouwBezigError("another rebuild of the read models is running; try again when it has finished") from None
            yield  # the lock goes with the file's closing, or with the process

    def wissel(self, paden: Sequence[Path], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        """The workplaces are attached to a connection of the live database; their tables are copied
        in and switched in one writing transaction (the database's write lock is the swap lock)."""
        conn = sqlite3.connect(self.bestand, isolation_level=None, timeout=30)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            bronnen = [f"werkplaats{k}" for k in range(len(paden))]
            for bron, pad in zip(bronnen, paden, strict=True):
                conn.execute(f"ATTACH DATABASE ? AS {bron}", (str(pad),))
            conn.execute("BEGIN IMMEDIATE")
            try:
                indexen = {tabel: self._vul(conn, tabel, bronnen) for tabel in tabellen}
                _punt("herbouw-gekopieerd")
                rijen = sum(self._vervang(conn, tabel, indexen[tabel]) for tabel in tabellen)
                tracking = getattr(self.views, "tracking_table_name", "tracking")
                for naam in namen:
                    conn.execute(f"DELETE FROM {tracking} WHERE application_name = ?", (naam,))
                    conn.execute(f"INSERT INTO {tracking} (application_name, notification_id) VALUES (?, ?)", (naam, tot))
                conn.execute(f"UPDATE {WISSEL} SET generatie = generatie + 1 WHERE slot = 1")
                _punt("herbouw-gewisseld")
                conn.execute("COMMIT")
            except BaseException as e:
                if conn.in_transaction:  # SQLite may have rolled back itself (a full disk): its error is the one to see
                    conn.execute("ROLLBACK")
                if isinstance(e, sqlite3.Error):
                    raise HerbouwMisluktError(f"the switch was not made ({e}); the live read models are as they were") from e
                raise
        finally:
            conn.close()
        return rijen

    @staticmethod
    def _vul(conn: sqlite3.Connection, tabel: str, bronnen: Sequence[str]) -> list[str]:
        """The fresh table, shaped as the live one and filled from the workplaces; the live table's
        indexes, to be built on it once it has its name."""
        (definitie,) = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?", (tabel,)).fetchone()
        vraag = "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name"
        indexen = [str(r[0]) for r in conn.execute(vraag, (tabel,))]
        nieuw = tabel + NIEUW
        vorm = re.match(r'CREATE TABLE (?:IF NOT EXISTS )?"?' + re.escape(tabel) + r'"?\s*\(', str(definitie))
        if vorm is None:
            raise RuntimeError(f"the table {tabel} has a form the rebuild cannot copy: {definitie}")
        conn.execute(f"DROP TABLE IF EXISTS main.{nieuw}")
        conn.execute(f"CREATE TABLE main.{nieuw} (" + str(definitie)[vorm.end() :])
        kolommen = ", ".join(str(r[1]) for r in conn.execute(f"PRAGMA {bronnen[0]}.table_info({tabel})"))
        for bron in bronnen:
            conn.execute(f"INSERT INTO main.{nieuw} ({kolommen}) SELECT {kolommen} FROM {bron}.{tabel}")
        return indexen

    @staticmethod
    def _vervang(conn: sqlite3.Connection, tabel: str, indexen: Sequence[str]) -> int:
        nieuw = tabel + NIEUW
        (rijen,) = conn.execute(f"SELECT COUNT(*) FROM main.{nieuw}").fetchone()
        conn.execute(f"DROP TABLE main.{tabel}")
        conn.execute(f"ALTER TABLE main.{nieuw} RENAME TO {tabel}")
        for index in indexen:  # dropped with the old table: built again, under their own names, on the filled one
            conn.execute(index)
        return int(rijen)


__all__ = ["HERBOUWSLOT", "NIEUW", "Herbouw", "HerbouwBezigError", "HerbouwMisluktError", "Uitkomst", "tabellen_van"]
