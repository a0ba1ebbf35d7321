"""Read model `verantwoordelijkheid`: per casus the intervals of who held zicht op veiligheid.

Each interval keeps when it was recorded and when its end was recorded, so the audit can answer
both "who held it at T" and "what did the record say at T2 about T" (T-5). A transfer superseded
later (T-5a, `OverdrachtVervangen`) keeps its row: a side table says when it and the interval before
it stopped holding, and a row recorded then carries that interval on in effective time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain import gebeurtenissen as g
from eventstore.store import Opgeslagen
from eventstore.views import Sql, ViewStore, tijdstip, uit_tijdstip

NAME = "verantwoordelijkheid"
VERVANGEN = "verantwoordelijkheid_vervangen"
_HOUDEND = f"versie NOT IN (SELECT versie FROM {VERVANGEN} WHERE casus_id = %s)"


class Verantwoordelijkheid:
    name = NAME
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS verantwoordelijkheid ("
        " casus_id TEXT NOT NULL, versie INTEGER NOT NULL, partij TEXT NOT NULL, van TEXT NOT NULL, tot TEXT,"
        " grond TEXT NOT NULL, actor TEXT NOT NULL, vastgelegd TEXT NOT NULL, tot_vastgelegd TEXT,"
        " PRIMARY KEY (casus_id, versie))",
        "CREATE INDEX IF NOT EXISTS verantwoordelijkheid_casus_van ON verantwoordelijkheid (casus_id, van)",
        f"CREATE TABLE IF NOT EXISTS {VERVANGEN} ("
        " casus_id TEXT NOT NULL, versie INTEGER NOT NULL, vervangen_vastgelegd TEXT NOT NULL, door INTEGER NOT NULL,"
        " PRIMARY KEY (casus_id, versie))",
    )

    tables: tuple[str, ...] = ("verantwoordelijkheid", VERVANGEN)

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        """A supersession (rare) reads the rows it touches: what comes before it is written first."""
        segment: list[Opgeslagen] = []
        for item in items:
            if type(item.gebeurtenis) is g.OverdrachtVervangen:  # by type: see domain/gebeurtenissen.py
                _intervallen(sql, segment)
                segment = []
                _vervang(sql, item.casus_id, item.versie, item.gebeurtenis)
            else:
                segment.append(item)
        _intervallen(sql, segment)


def _intervallen(sql: Sql, items: Sequence[Opgeslagen]) -> None:
    """Intervals opened and closed within the batch are folded in memory; the database gets at
    most one closing UPDATE per casus (its interval open before the batch) and the new rows."""
    sluiten: dict[str, tuple[str, str]] = {}
    nieuw: dict[str, list[list[Any]]] = {}
    for item in items:
        e = item.gebeurtenis
        if not (type(e) is g.VerantwoordelijkheidOvergedragen or type(e) is g.CasusAfgesloten):
            continue
        einde = (tijdstip(e.op), tijdstip(e.vastgelegd))
        open_rij = next((r for r in reversed(nieuw.get(item.casus_id, [])) if r[4] is None), None)
        if open_rij is not None:
            open_rij[4], open_rij[8] = einde
        elif item.casus_id not in sluiten:
            sluiten[item.casus_id] = einde
        if type(e) is g.VerantwoordelijkheidOvergedragen:
            rij = [item.casus_id, item.versie, e.naar, tijdstip(e.op), None, e.regel, _actor(e), tijdstip(e.vastgelegd), None]
            nieuw.setdefault(item.casus_id, []).append(rij)
    sql.executemany(
        f"UPDATE verantwoordelijkheid SET tot = %s, tot_vastgelegd = %s WHERE casus_id = %s AND tot IS NULL AND {_HOUDEND}",
        [(tot, vastgelegd, casus_id, casus_id) for casus_id, (tot, vastgelegd) in sluiten.items()],
    )
    sql.executemany(_INSERT, [r for rijen in nieuw.values() for r in rijen])


_INSERT = (
    "INSERT INTO verantwoordelijkheid (casus_id, versie, partij, van, tot, grond, actor, vastgelegd, tot_vastgelegd)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (casus_id, versie) DO NOTHING"
)


def _actor(e: g.VerantwoordelijkheidOvergedragen) -> str:
    return e.actor.partij + (f"/{e.actor.medewerker}" if e.actor.medewerker else "")


def _vervang(sql: Sql, casus_id: str, versie: int, e: g.OverdrachtVervangen) -> None:
    """T-5a: the superseded interval and the one before it stop holding at the moment this is
    recorded; a new row (keyed by this event's version) carries the one before on to where the
    superseded one ended. The old rows stay, for the record as it stood before."""
    sql.execute(
        "SELECT versie, partij, van, tot, grond, actor, tot_vastgelegd FROM verantwoordelijkheid"
        f" WHERE casus_id = %s AND {_HOUDEND} ORDER BY van, versie",
        (casus_id, casus_id),
    )
    rijen = sql.fetchall()
    plek = next((k for k, r in enumerate(rijen) if r["versie"] == e.vervangt), None)
    if plek is None:
        return  # superseded already: this event was applied before
    weg, vorige = rijen[plek], (rijen[plek - 1] if plek > 0 else None)
    moment = tijdstip(e.vastgelegd)
    sql.executemany(
        f"INSERT INTO {VERVANGEN} (casus_id, versie, vervangen_vastgelegd, door) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (casus_id, versie) DO NOTHING",
        [(casus_id, r["versie"], moment, versie) for r in (weg, vorige) if r is not None],
    )
    if vorige is not None:
        tot_vastgelegd = moment if weg["tot"] is not None else None
        rij = (casus_id, versie, vorige["partij"], vorige["van"], weg["tot"], vorige["grond"], vorige["actor"], moment, tot_vastgelegd)
        sql.executemany(_INSERT, [rij])


@dataclass(frozen=True)
class Interval:
    partij: str
    van: datetime
    tot: datetime | None
    grond: str
    actor: str
    vastgelegd: datetime


def tijdlijn(views: ViewStore, casus_id: str, volgens: datetime | None = None) -> list[Interval]:
    """The intervals in effective order; with `volgens`, as the record stood at that moment
    (a superseded interval shows until its supersession was recorded, T-5a)."""
    rows = views.query(
        "SELECT v.partij, v.van, v.tot, v.grond, v.actor, v.vastgelegd, v.tot_vastgelegd, x.vervangen_vastgelegd"
        f" FROM verantwoordelijkheid v LEFT JOIN {VERVANGEN} x ON x.casus_id = v.casus_id AND x.versie = v.versie"
        " WHERE v.casus_id = %s ORDER BY v.van, v.versie",
        (casus_id,),
    )
    grens = tijdstip(volgens) if volgens else None
    intervallen = []
    for r in rows:
        vervangen = r["vervangen_vastgelegd"] is not None and (grens is None or r["vervangen_vastgelegd"] <= grens)
        if vervangen or (grens is not None and r["vastgelegd"] > grens):
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
