"""A rebuild's switch on SQLite: the workplaces attached to a connection of the live database, their
tables copied in and switched in one writing transaction (the database's write lock is the switch's
lock)."""

from __future__ import annotations

import contextlib
import fcntl
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from eventstore.views import WISSEL, SQLiteViewStore
from projections import wissel
from projections.wissel import NIEUW, Doel, Gereed, HerbouwBezigError, HerbouwMisluktError


class SQLiteDoel(Doel):
    def __init__(self, views: SQLiteViewStore) -> None:
        self.views = views
        self.bestand = Path(views.datastore.pool.db_name)

    def klaarzetten(
        self, werkplaats: sqlite3.Connection, pad: Path, tabellen: Sequence[str], levend: Callable[[], None], gereed: Callable[[int], None]
    ) -> None:  # fmt: skip
        """Nothing but saying so: the switch attaches the workplace and copies inside SQLite."""
        gereed(len(tabellen))

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

    def wissel(self, klaar: Iterable[Gereed], tabellen: Sequence[str], namen: Sequence[str], tot: int) -> int:
        """The workplaces are attached to a connection of the live database; their tables are copied
        in and switched in one writing transaction (the database's write lock is the swap lock),
        begun only when every part has finished: the live runner writes until then."""
        paden = [gereed.pad for gereed in klaar if gereed.af]
        conn = sqlite3.connect(self.bestand, isolation_level=None, timeout=30)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            bronnen = [f"werkplaats{k}" for k in range(len(paden))]
            for bron, pad in zip(bronnen, paden, strict=True):
                conn.execute(f"ATTACH DATABASE ? AS {bron}", (str(pad),))
            conn.execute("BEGIN IMMEDIATE")
            try:
                indexen = {tabel: self._vul(conn, tabel, bronnen) for tabel in tabellen}
                wissel.punt("herbouw-gekopieerd")
                rijen = sum(self._vervang(conn, tabel, indexen[tabel]) for tabel in tabellen)
                tracking = getattr(self.views, "tracking_table_name", "tracking")
                for naam in namen:
                    conn.execute(f"DELETE FROM {tracking} WHERE application_name = ?", (naam,))
                    conn.execute(f"INSERT INTO {tracking} (application_name, notification_id) VALUES (?, ?)", (naam, tot))
                conn.execute(f"UPDATE {WISSEL} SET generatie = generatie + 1 WHERE slot = 1")
                wissel.punt("herbouw-gewisseld")
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
