"""A leaner insert for PostgreSQL: eventsourcing's recorder locks the table, notifies and inserts in
several statements; this recorder does the same in one call of a function of its own. It keeps the
exclusive table lock, so notification ids still commit in order and no reader passes a gap."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier


class CasusPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_statements.append(self._functie_sql())
        # Binary parameters (%b): the arrays of event bytes travel as they are, not escaped as text.
        self._aanroep = SQL("SELECT {schema}.{functie}(%b, %b, %b, %b)").format(
            schema=Identifier(self.datastore.schema), functie=Identifier(self._functie)
        )
        self._log = SQL(
            "SELECT notification_id, originator_id, originator_version, state FROM {schema}.{tabel}"
            " WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(schema=Identifier(self.datastore.schema), tabel=Identifier(self.events_table_name))

    def _functie_sql(self) -> Composed:
        return SQL(
            "CREATE OR REPLACE FUNCTION {functie}(ids uuid[], versies integer[], topics text[], states bytea[])"
            " RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN"
            " LOCK TABLE {schema}.{tabel} IN EXCLUSIVE MODE;"
            # An append continues its stream: after a restore to an earlier point a workflow that is
            # ahead of its record is refused (restored from the record by `casus herstel`), never
            # allowed to leave a gap.
            " IF versies[1] > 1 AND NOT EXISTS (SELECT 1 FROM {schema}.{tabel}"
            "  WHERE originator_id = ids[1] AND originator_version = versies[1] - 1) THEN"
            "  RAISE EXCEPTION 'casus %: there is no event % to append after', ids[1], versies[1] - 1"
            "  USING ERRCODE = 'integrity_constraint_violation';"
            " END IF;"
            " NOTIFY {kanaal};"
            " RETURN QUERY INSERT INTO {schema}.{tabel} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(ids, versies, topics, states) RETURNING notification_id;"
            " END $$"
        ).format(
            functie=Identifier(self._functie),
            schema=Identifier(self.datastore.schema),
            tabel=Identifier(self.events_table_name),
            kanaal=Identifier(self.channel_name),
        )

    @property
    def _functie(self) -> str:
        return f"{self.events_table_name}_voeg_toe"

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        kolommen = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        # The connection is in autocommit: the one statement is its own transaction (lock, insert and
        # notify commit or roll back together), in one round trip instead of BEGIN, call, COMMIT.
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._aanroep, kolommen, prepare=True)
            return [next(iter(r.values())) for r in curs.fetchall()]

    def log_rijen(self, na: int, limit: int) -> list[tuple[int, UUID, int, bytes]]:
        """The log after `na` as plain rows (position, stream, version, stored bytes): what the
        projections read, without a notification object and a dict per event."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._log, (na, limit), prepare=True)
            return curs.fetchall()
