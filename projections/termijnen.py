"""Read model `termijnen`: every deadline of every casus with its status, for overdue lists and
compliance per term and region."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain import gebeurtenissen as g
from domain.toestand import status_bij_afloop
from eventstore.store import Opgeslagen
from eventstore.views import Sql, tijdstip

NAME = "termijnen"
# When each deadline's being met was recorded: met in time but recorded after `uiterlijk` is
# `laat_vastgelegd` (T-5c). A table of its own, so that a store from before it needs no migration.
VASTGELEGD = "termijnen_vastgelegd"


class Termijnen:
    name = NAME
    tables: tuple[str, ...] = ("termijnen", "termijnen_casus", VASTGELEGD)
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS termijnen_casus (casus_id TEXT PRIMARY KEY, beleid TEXT NOT NULL, gemeente TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS termijnen ("
        " casus_id TEXT NOT NULL, termijn_id TEXT NOT NULL, soort TEXT NOT NULL, regel TEXT NOT NULL, beleid TEXT NOT NULL,"
        " gemeente TEXT NOT NULL, gesteld_op TEXT NOT NULL, uiterlijk TEXT NOT NULL, status TEXT NOT NULL, voldaan_op TEXT,"
        " PRIMARY KEY (casus_id, termijn_id))",
        "CREATE INDEX IF NOT EXISTS termijnen_status ON termijnen (status, uiterlijk)",
        "CREATE INDEX IF NOT EXISTS termijnen_beleid ON termijnen (beleid, soort)",
        f"CREATE TABLE IF NOT EXISTS {VASTGELEGD} (casus_id TEXT NOT NULL, termijn_id TEXT NOT NULL, vastgelegd TEXT NOT NULL,"
        " PRIMARY KEY (casus_id, termijn_id))",
    )

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        """Inserts first, then every change in log order through one statement: the same rows as one
        event at a time, in a few round trips."""
        casussen: list[tuple[Any, ...]] = []
        gesteld: list[tuple[Any, ...]] = []
        wijzigingen: list[tuple[Any, ...]] = []
        vastgelegd: list[tuple[Any, ...]] = []
        for item in items:
            # By type, not by class pattern: see domain/gebeurtenissen.py (most events are none of these).
            e, cid = item.gebeurtenis, item.casus_id
            if type(e) is g.TermijnGesteld:
                gesteld.append((e.termijn_id, e.soort, e.regel, tijdstip(e.op), tijdstip(e.uiterlijk), cid))
            elif type(e) is g.TermijnVoldaan:
                wijzigingen.append(("te-laat" if e.te_laat else "voldaan", tijdstip(e.op), None, cid, e.termijn_id))
                vastgelegd.append((cid, e.termijn_id, tijdstip(e.vastgelegd)))
            elif type(e) is g.TermijnVerstreken:
                # An informative term ends `afgelopen`, the sixth-day transfer `van-rechtswege` (rev. 2026-11-30).
                wijzigingen.append((status_bij_afloop(e.termijn_id), None, None, cid, e.termijn_id))
            elif type(e) is g.MeldingOntvangen:
                casussen.append((cid, e.beleid, e.gemeente))
            elif type(e) is g.OverdrachtVervangen:
                if e.termijn_id:
                    wijzigingen.append(("verstreken", None, None, cid, e.termijn_id))  # T-5a: judged again on the late fact
            elif type(e) is g.TermijnHerzien:
                wijzigingen.append((None, None, tijdstip(e.uiterlijk), cid, e.termijn_id))  # T-6
            elif type(e) is g.TermijnVervallen:
                wijzigingen.append(("vervallen", None, None, cid, e.termijn_id))
            elif type(e) is g.HuisverbodVerlengd:
                wijzigingen.append((None, None, tijdstip(e.uiterlijk), cid, e.termijn_id))
        sql.executemany(
            "INSERT INTO termijnen_casus (casus_id, beleid, gemeente) VALUES (%s, %s, %s) ON CONFLICT (casus_id) DO NOTHING", casussen
        )
        sql.executemany(
            "INSERT INTO termijnen (casus_id, termijn_id, soort, regel, beleid, gemeente, gesteld_op, uiterlijk, status)"
            " SELECT casus_id, %s, %s, %s, beleid, gemeente, %s, %s, 'open' FROM termijnen_casus WHERE casus_id = %s"
            " ON CONFLICT (casus_id, termijn_id) DO NOTHING",
            gesteld,
        )
        sql.executemany(
            "UPDATE termijnen SET status = COALESCE(%s, status), voldaan_op = COALESCE(%s, voldaan_op),"
            " uiterlijk = COALESCE(%s, uiterlijk) WHERE casus_id = %s AND termijn_id = %s",
            wijzigingen,
        )
        sql.executemany(
            f"INSERT INTO {VASTGELEGD} (casus_id, termijn_id, vastgelegd) VALUES (%s, %s, %s)"
            " ON CONFLICT (casus_id, termijn_id) DO UPDATE SET vastgelegd = excluded.vastgelegd",
            vastgelegd,
        )
