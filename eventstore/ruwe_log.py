"""The global log as stored rows, nothing decoded or converted: what the projection runner and a
rebuild check row by row themselves (projections/quarantaine.py), on PostgreSQL and SQLite."""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from eventstore.postgres_recorder import CasusPostgresRecorder

Rij = tuple[int, str, object, str, bytes]
"""A stored row: position, stream id, version, type, bytes."""


class RuweLog:
    recorder: ApplicationRecorder

    def log_ruw(self, na: int, limit: int = 500) -> list[Rij]:
        """The global log after `na` as stored rows (position, stream id, version, type, bytes),
        nothing decoded or converted: the projection runner checks each row itself, so that a row
        written past the application (that does not decode or verify) is set aside, not raised."""
        return self._log_ruw("notification_id > %s ORDER BY notification_id LIMIT %s", (na, limit))

    def log_ruw_deel(self, na: int, tot: int, deel: tuple[int, int] = (0, 1)) -> list[Rij]:
        """The stored rows with a position after `na` up to and including `tot`; with `deel` (k, n)
        only those of the streams of part k of n, every stream whole in one part (PostgreSQL; a
        rebuild reads the parts side by side). A range of positions rather than a number of rows:
        under a LIMIT the part's filter made the server gather and sort the whole rest of the log
        for every batch; a range is read from the position's index, each row once by each part."""
        k, n = deel
        if n == 1:
            return self._log_ruw("notification_id > %s AND notification_id <= %s ORDER BY notification_id", (na, tot))
        if not isinstance(self.recorder, CasusPostgresRecorder):
            raise ValueError("the log is read in parts on PostgreSQL only")
        return self._log_ruw(
            "notification_id > %s AND notification_id <= %s AND get_byte(uuid_send(originator_id), 15) %% %s = %s ORDER BY notification_id",
            (na, tot, n, k),
        )

    def _log_ruw(self, waar: str, params: tuple[int, ...]) -> list[Rij]:
        kolommen = "originator_id, originator_version, topic, state FROM {tabel}"
        if isinstance(self.recorder, CasusPostgresRecorder):
            tabel = Identifier(self.recorder.datastore.schema, self.recorder.events_table_name)
            # The stream id as text: the rows are checked as text, no UUID object made on the way.
            vraag = SQL("SELECT notification_id, originator_id::text, " + kolommen.split(", ", 1)[1] + " WHERE " + waar)
            # Binary results: the events' bytes as they are, not spelled out in hex by the server and
            # read back by the client (the larger part of a scan's cost on both sides).
            with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row, binary=True) as curs:
                curs.execute(vraag.format(tabel=tabel), params)
                return curs.fetchall()
        tabel_naam = getattr(self.recorder, "events_table_name", "stored_events")
        sqlite_waar = waar.replace("notification_id", "rowid").replace("%s", "?")
        with self.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(f"SELECT rowid, {kolommen.format(tabel=tabel_naam)} WHERE {sqlite_waar}", params)
            return [(r[0], str(r[1]), r[2], str(r[3]), r[4]) for r in c.fetchall()]
