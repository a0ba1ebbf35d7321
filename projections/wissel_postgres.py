"""A rebuild's switch on PostgreSQL: each part leaves its tables in COPY's text form, the switch
streams them into fresh tables beside the live ones, builds the live tables' indexes on them and,
within a bounded wait for the tables' locks, gives them the live names and grants, all in one
transaction."""

from __future__ import annotations

import contextlib
import itertools
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

import psycopg
import structlog
from psycopg import sql as pgsql

from eventstore.views import WISSEL, PostgresViewStore
from projections import wissel
from projections.wissel import NIEUW, Doel, Gereed, HerbouwBezigError, HerbouwMisluktError, kolommen_van, lezen
from runtime.postgres import houder

log = structlog.get_logger()

WISSEL_WACHT_MS = 2000
"""How long the switch waits for the read models' locks in one try."""
WISSEL_POGINGEN = 5
HERBOUWSLOT = 0x63617377
"""The advisory lock key a rebuild holds for as long as it runs ("casw")."""


def kopiebestand(pad: Path, tabel: str) -> Path:
    """Where a part leaves a table's rows in COPY's text form, beside its workplace."""
    return pad.with_name(f"{pad.stem}.{tabel}.copy")


_ONTSNAPT = (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def _copywaarde(waarde: object) -> str:
    """One value in COPY's text form: NULL as \\N, bytes as bytea's hex, text with backslash,
    newline, carriage return and tab escaped, a number as Python writes it (PostgreSQL reads it)."""
    if isinstance(waarde, str):
        for teken, ontsnapt in _ONTSNAPT:
            waarde = waarde.replace(teken, ontsnapt)  # a text without the character is searched, not copied
        return waarde
    if waarde is None:
        return "\\N"
    if isinstance(waarde, bytes):
        return "\\\\x" + waarde.hex()
    return str(waarde)


def schrijf_copytekst(
    werkplaats: sqlite3.Connection, pad: Path, tabellen: Sequence[str], levend: Callable[[], None] = lambda: None,
    gereed: Callable[[int], None] = lambda _n: None,
) -> None:  # fmt: skip
    """Each table of a finished workplace as COPY's text form, one file a table, so that the switch
    streams bytes instead of handling every row; `gereed(n)` once the first n files are complete, so
    that the switch streams one while the next is written. Spelled out here rather than by SQLite:
    Python's text search skips a long JSON text at memory speed, SQLite's replace() walks it byte by
    byte."""
    for n, tabel in enumerate(tabellen, start=1):
        kolommen = ", ".join(f'"{k}"' for k in kolommen_van(werkplaats, tabel))
        with open(kopiebestand(pad, tabel), "w", encoding="utf-8", newline="") as uit:
            cursor = werkplaats.execute(f"SELECT {kolommen} FROM {tabel}")
            cursor.row_factory = None
            while rijen := cursor.fetchmany(2000):
                # A text without a character to escape (nearly every one) as it is, without a call.
                uit.write("".join("\t".join([
                    w if type(w) is str and "\\" not in w and "\t" not in w and "\n" not in w and "\r" not in w
                    else "\\N" if w is None else _copywaarde(w) for w in rij]) + "\n" for rij in rijen))  # fmt: skip
                levend()
        gereed(n)


def _snel_comprimeren(cur: psycopg.Cursor[tuple[Any, ...]]) -> None:
    """Long texts (a casus's folded state) compressed with LZ4 where the server has it: half the
    server's work in the COPY of pglz's, the same rows; read back whichever way they were stored."""
    cur.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
    rij = cur.fetchone()
    if rij and rij[0]:
        cur.execute("SET LOCAL default_toast_compression = 'lz4'")


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

    def klaarzetten(
        self, werkplaats: sqlite3.Connection, pad: Path, tabellen: Sequence[str], levend: Callable[[], None], gereed: Callable[[int], None]
    ) -> None:  # fmt: skip
        schrijf_copytekst(werkplaats, pad, tabellen, levend, gereed)

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
                wie = houder(conn, HERBOUWSLOT) or "a session that has let go of it just now"
                raise HerbouwBezigError(
                    f"another rebuild of the read models is running ({wie}); try again when it has finished."
                    " If that session is not a rebuild, end it (SELECT pg_terminate_backend(<pid>))"
                )
            yield  # closing the session releases the lock

    def wissel(self, klaar: Iterable[Gereed], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        try:
            return self._wissel(klaar, tabellen, namen, tot)
        except psycopg.Error as e:
            raise HerbouwMisluktError(f"the switch was not made ({type(e).__name__}: {e})".strip()) from e

    def _wissel(self, klaar: Iterable[Gereed], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        """The fresh tables are made once the first part has a table ready, and each part's tables
        streamed into them as soon as it has them: the server copies one part's rows while another
        still follows the log, and a table while the part writes the next. Not before: the fresh
        tables' `LIKE` holds a lock on the live ones until the commit, which must not queue a
        migration (and every reader behind it) for a whole rebuild. The indexes are built on the
        first finished part's rows, while the others still follow the log, and kept up as their rows
        come in: each index build ends by syncing its file to disk, and waiting for that after the
        last part would lengthen the rebuild by it."""
        rijen = 0
        delen = iter(klaar)
        eerste = next(delen, None)
        with self._verbind() as conn, conn.transaction(), conn.cursor() as cur:
            _snel_comprimeren(cur)
            for tabel in tabellen:
                nieuw = tabel + NIEUW
                cur.execute(pgsql.SQL("DROP TABLE IF EXISTS {}").format(pgsql.Identifier(self.schema, nieuw)))
                cur.execute(pgsql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").format(
                    pgsql.Identifier(self.schema, nieuw), pgsql.Identifier(self.schema, tabel)))  # fmt: skip
            kolommen: dict[str, list[str]] = {}
            indexen: dict[str, list[tuple[str, str, bool]]] = {}
            for gereed in itertools.chain(() if eerste is None else (eerste,), delen):
                if not kolommen:  # the workplace is complete from the first table written out
                    with lezen([gereed.pad]) as (werkplaats,):
                        kolommen = {tabel: kolommen_van(werkplaats, tabel) for tabel in tabellen}
                for tabel in gereed.tabellen:
                    rijen += self._kopieer(cur, kopiebestand(gereed.pad, tabel), tabel + NIEUW, kolommen[tabel])
                if gereed.af and not indexen:
                    indexen = {tabel: self._bouw_indexen(cur, tabel) for tabel in tabellen}
            if not indexen:  # no part at all: the fresh tables, empty, still get the live tables' indexes
                indexen = {tabel: self._bouw_indexen(cur, tabel) for tabel in tabellen}
            wissel.punt("herbouw-gekopieerd")
            self._vergrendel(conn, cur, tabellen)
            for tabel in tabellen:
                self._vervang(cur, tabel, indexen[tabel])
            self._volg_vanaf(cur, namen, tot)
            cur.execute(pgsql.SQL("UPDATE {} SET generatie = generatie + 1 WHERE slot = 1").format(pgsql.Identifier(self.schema, WISSEL)))
            wissel.punt("herbouw-gewisseld")
        return rijen

    def _kopieer(self, cur: psycopg.Cursor[tuple[Any, ...]], bestand: Path, nieuw: str, kolommen: Sequence[str]) -> int:
        doel = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(self.schema, nieuw), pgsql.SQL(", ").join(map(pgsql.Identifier, kolommen))
        )
        with cur.copy(doel) as copy, open(bestand, "rb") as bron:
            while stuk := bron.read(1 << 20):
                copy.write(stuk)
        return cur.rowcount

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
