"""Read model `verantwoordelijkheid`: per casus the intervals of who held zicht op veiligheid.

Each interval keeps when it was recorded and when its end was recorded, so the audit can answer
both "who held it at T" and "what did the record say at T2 about T" (T-5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import gebeurtenissen as g
from eventstore.store import Opgeslagen
from projections.views import Sql, ViewStore, tijdstip, uit_tijdstip

NAME = "verantwoordelijkheid"


class Verantwoordelijkheid:
    name = NAME
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS verantwoordelijkheid ("
        " casus_id TEXT NOT NULL, versie INTEGER NOT NULL, partij TEXT NOT NULL, van TEXT NOT NULL, tot TEXT,"
        " grond TEXT NOT NULL, actor TEXT NOT NULL, vastgelegd TEXT NOT NULL, tot_vastgelegd TEXT,"
        " PRIMARY KEY (casus_id, versie))",
        "CREATE INDEX IF NOT EXISTS verantwoordelijkheid_casus_van ON verantwoordelijkheid (casus_id, van)",
    )

    tables: tuple[str, ...] = ("verantwoordelijkheid",)

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        """Intervals opened and closed within the batch are folded in memory; the database gets at
        most one closing UPDATE per casus (its interval open before the batch) and the new rows."""
        sluiten: dict[str, tuple[str, str]] = {}
        nieuw: dict[str, list[list[Any]]] = {}
        for item in items:
            e = item.gebeurtenis
            if not isinstance(e, g.VerantwoordelijkheidOvergedragen | g.CasusAfgesloten):
                continue
            einde = (tijdstip(e.op), tijdstip(e.vastgelegd))
            open_rij = next((r for r in reversed(nieuw.get(item.casus_id, [])) if r[4] is None), None)
            if open_rij is not None:
                open_rij[4], open_rij[8] = einde
            elif item.casus_id not in sluiten:
                sluiten[item.casus_id] = einde
            if isinstance(e, g.VerantwoordelijkheidOvergedragen):
                actor = e.actor.partij + (f"/{e.actor.medewerker}" if e.actor.medewerker else "")
                rij = [item.casus_id, item.versie, e.naar, tijdstip(e.op), None, e.regel, actor, tijdstip(e.vastgelegd), None]
                nieuw.setdefault(item.casus_id, []).append(rij)
        sql.executemany(
            "UPDATE verantwoordelijkheid SET tot = %s, tot_vastgelegd = %s WHERE casus_id = %s AND tot IS NULL",
            [(tot, vastgelegd, casus_id) for casus_id, (tot, vastgelegd) in sluiten.items()],
        )
        sql.executemany(
            "INSERT INTO verantwoordelijkheid (casus_id, versie, partij, van, tot, grond, actor, vastgelegd, tot_vastgelegd)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (casus_id, versie) DO NOTHING",
            [r for rijen in nieuw.values() for r in rijen],
        )


@dataclass(frozen=True)
class Interval:
    partij: str
    van: datetime
    tot: datetime | None
    grond: str
    actor: str
    vastgelegd: datetime


def tijdlijn(views: ViewStore, casus_id: str, volgens: datetime | None = None) -> list[Interval]:
    """The intervals in order; with `volgens`, as the record stood at that moment."""
    rows = views.query(
        "SELECT partij, van, tot, grond, actor, vastgelegd, tot_vastgelegd FROM verantwoordelijkheid WHERE casus_id = %s ORDER BY versie",
        (casus_id,),
    )
    grens = tijdstip(volgens) if volgens else None
    intervallen = []
    for r in rows:
        if grens is not None and r["vastgelegd"] > grens:
            continue
        tot_bekend = r["tot"] is not None and (grens is None or r["tot_vastgelegd"] <= grens)
        intervallen.append(
            Interval(
                partij=r["partij"],
                van=uit_tijdstip(r["van"]),
                tot=uit_tijdstip(r["tot"]) if tot_bekend else None,
                grond=r["grond"],
                actor=r["actor"],
                vastgelegd=uit_tijdstip(r["vastgelegd"]),
            )
        )
    return intervallen


def houder_op(intervallen: list[Interval], moment: datetime) -> Interval | None:
    return next((i for i in intervallen if i.van <= moment and (i.tot is None or moment < i.tot)), None)
