"""Read model `termijnen`: every deadline of every casus with its status, for overdue lists and
compliance per term and region."""

from __future__ import annotations

from collections.abc import Sequence

from domain import gebeurtenissen as g
from eventstore.store import Opgeslagen
from projections.views import Sql, tijdstip

NAME = "termijnen"


class Termijnen:
    name = NAME
    tables: tuple[str, ...] = ("termijnen", "termijnen_casus")
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS termijnen_casus (casus_id TEXT PRIMARY KEY, beleid TEXT NOT NULL, gemeente TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS termijnen ("
        " casus_id TEXT NOT NULL, termijn_id TEXT NOT NULL, soort TEXT NOT NULL, regel TEXT NOT NULL, beleid TEXT NOT NULL,"
        " gemeente TEXT NOT NULL, gesteld_op TEXT NOT NULL, uiterlijk TEXT NOT NULL, status TEXT NOT NULL, voldaan_op TEXT,"
        " PRIMARY KEY (casus_id, termijn_id))",
        "CREATE INDEX IF NOT EXISTS termijnen_status ON termijnen (status, uiterlijk)",
        "CREATE INDEX IF NOT EXISTS termijnen_beleid ON termijnen (beleid, soort)",
    )

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        for item in items:
            self._apply(sql, item.casus_id, item.gebeurtenis)

    @staticmethod
    def _apply(sql: Sql, casus_id: str, e: g.Gebeurtenis) -> None:
        match e:
            case g.MeldingOntvangen():
                sql.execute(
                    "INSERT INTO termijnen_casus (casus_id, beleid, gemeente) VALUES (%s, %s, %s) ON CONFLICT (casus_id) DO NOTHING",
                    (casus_id, e.beleid, e.gemeente),
                )
            case g.TermijnGesteld():
                sql.execute(
                    "INSERT INTO termijnen (casus_id, termijn_id, soort, regel, beleid, gemeente, gesteld_op, uiterlijk, status)"
                    " SELECT casus_id, %s, %s, %s, beleid, gemeente, %s, %s, 'open' FROM termijnen_casus WHERE casus_id = %s"
                    " ON CONFLICT (casus_id, termijn_id) DO NOTHING",
                    (e.termijn_id, e.soort, e.regel, tijdstip(e.op), tijdstip(e.uiterlijk), casus_id),
                )
            case g.TermijnVoldaan():
                status = "te-laat" if e.te_laat else "voldaan"
                sql.execute(
                    "UPDATE termijnen SET status = %s, voldaan_op = %s WHERE casus_id = %s AND termijn_id = %s",
                    (status, tijdstip(e.op), casus_id, e.termijn_id),
                )
            case g.TermijnVerstreken() | g.TermijnVervallen():
                status = "verstreken" if isinstance(e, g.TermijnVerstreken) else "vervallen"
                sql.execute("UPDATE termijnen SET status = %s WHERE casus_id = %s AND termijn_id = %s", (status, casus_id, e.termijn_id))
            case g.HuisverbodVerlengd():
                sql.execute(
                    "UPDATE termijnen SET uiterlijk = %s WHERE casus_id = %s AND termijn_id = %s",
                    (tijdstip(e.uiterlijk), casus_id, e.termijn_id),
                )
            case _:
                pass
