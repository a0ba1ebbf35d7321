"""Where a rebuild (projections/herbouw.py) puts its work: the workplaces' tables copied into fresh
tables beside the live ones and switched in one transaction, on PostgreSQL (COPY, the live table's
indexes and grants, a bounded wait for the tables' locks) or SQLite (the workplaces attached, the
database's write lock as the switch's lock); its commit points, where the fault tests kill it."""

from __future__ import annotations

import contextlib
import fcntl
import re
import sqlite3
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg import sql as pgsql

from eventstore.views import WISSEL, PostgresViewStore, SQLiteViewStore
from runtime.storingspunt import Storingspunt

log = structlog.get_logger()

NIEUW = "__nieuw"
WISSEL_WACHT_MS = 2000
"""How long the switch waits for the read models' locks in one try (PostgreSQL)."""
WISSEL_POGINGEN = 5
HERBOUWSLOT = 0x63617377
"""The advisory lock key a PostgreSQL rebuild holds for as long as it runs ("casw")."""


class HerbouwBezigError(RuntimeError):
    """Another rebuild of these read models is running."""


class HerbouwMisluktError(RuntimeError):
    """A part of the rebuild failed; the live tables are as they were."""


def punt(naam: str) -> None:
    """A commit point of the rebuild where the fault tests kill it (runtime/storingspunt.py)."""
    storing = Storingspunt.uit_omgeving()
    if storing is not None:
        storing.bereikt(naam, None)


def kolommen_van(werkplaats: sqlite3.Connection, tabel: str) -> list[str]:
    return [str(r[1]) for r in werkplaats.execute(f"PRAGMA table_info({tabel})")]


@contextlib.contextmanager
def lezen(paden: Sequence[Path]) -> Iterator[list[sqlite3.Connection]]:
    verbindingen = [sqlite3.connect(f"{pad.as_uri()}?mode=ro", uri=True) for pad in paden]
    try:
        yield verbindingen
    finally:
        for c in verbindingen:
            c.close()


class Doel(ABC):
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


class PostgresDoel(Doel):
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
        with lezen(paden) as werkplaatsen, self._verbind() as conn, conn.transaction(), conn.cursor() as cur:
            indexen: dict[str, list[tuple[str, str, bool]]] = {}
            for tabel in tabellen:
                nieuw = tabel + NIEUW
                cur.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(self.schema, nieuw)))
                cur.execute(pgsql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(
                    pgsql.Identifier(self.schema, nieuw), pgsql.Identifier(self.schema, tabel)))  # fmt: skip
                kolommen = kolommen_van(werkplaatsen[0], tabel)
                doel = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
                    pgsql.Identifier(self.schema, nieuw), pgsql.SQL(", ").join(map(pgsql.Identifier, kolommen))
                )
                with cur.copy(doel) as copy:
                    for werkplaats in werkplaatsen:
                        for rij in werkplaats.execute(f"SELECT {', '.join(kolommen)} FROM {tabel}"):
                            copy.write_row(rij)
                            rijen += 1
                indexen[tabel] = self._bouw_indexen(cur, tabel)
            punt("herbouw-gekopieerd")
            self._vergrendel(conn, cur, tabellen)
            for tabel in tabellen:
                self._vervang(cur, tabel, indexen[tabel])
            self._volg_vanaf(cur, namen, tot)
            cur.execute(pgsql.SQL("UPDATE {} SET generatie = generatie + 1 WHERE slot = 1").format(pgsql.Identifier(self.schema, WISSEL)))
            punt("herbouw-gewisseld")
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


class SQLiteDoel(Doel):
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
                punt("herbouw-gekopieerd")
                rijen = sum(self._vervang(conn, tabel, indexen[tabel]) for tabel in tabellen)
                tracking = getattr(self.views, "tracking_table_name", "tracking")
                for naam in namen:
                    conn.execute(f"DELETE FROM {tracking} WHERE application_name = ?", (naam,))
                    conn.execute(f"INSERT INTO {tracking} (application_name, notification_id) VALUES (?, ?)", (naam, tot))
                conn.execute(f"UPDATE {WISSEL} SET generatie = generatie + 1 WHERE slot = 1")
                punt("herbouw-gewisseld")
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
