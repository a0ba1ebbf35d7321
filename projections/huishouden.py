"""Read model `huishouden` (radar, IJM-1.2.1): every melding about a household, over any period,
whichever casus it started or joined."""

from __future__ import annotations

from collections.abc import Sequence

from domain import gebeurtenissen as g
from eventstore.store import Opgeslagen
from projections.views import Sql, tijdstip

NAME = "huishouden"


class Huishouden:
    name = NAME
    tables: tuple[str, ...] = ("huishouden_meldingen",)
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS huishouden_meldingen ("
        " casus_id TEXT NOT NULL, versie INTEGER NOT NULL, huishouden TEXT NOT NULL, aanleiding TEXT NOT NULL,"
        " ontvangen TEXT NOT NULL, beleid TEXT NOT NULL, gemeente TEXT NOT NULL, acuut INTEGER NOT NULL,"
        " melder_soort TEXT, melder_anoniem INTEGER, PRIMARY KEY (casus_id, versie))",
        "CREATE INDEX IF NOT EXISTS huishouden_meldingen_huishouden ON huishouden_meldingen (huishouden, ontvangen)",
    )

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        meldingen, cycli = [], []
        for item in items:
            e = item.gebeurtenis
            if isinstance(e, g.MeldingOntvangen):
                meldingen.append((item.casus_id, item.versie, e.huishouden, tijdstip(e.op), e.beleid, e.gemeente, int(e.acuut),
                                  e.melder.soort, int(e.melder.anoniem)))  # fmt: skip
            elif isinstance(e, g.BeoordelingGestart):
                m = e.melder
                cycli.append((item.versie, e.aanleiding, tijdstip(e.op), int(e.acuut), m.soort if m else None,
                              int(m.anoniem) if m else None, item.casus_id))  # fmt: skip
        sql.executemany(
            "INSERT INTO huishouden_meldingen (casus_id, versie, huishouden, aanleiding, ontvangen, beleid, gemeente, acuut,"
            " melder_soort, melder_anoniem) VALUES (%s, %s, %s, 'melding', %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (casus_id, versie) DO NOTHING",
            meldingen,
        )
        sql.executemany(
            "INSERT INTO huishouden_meldingen (casus_id, versie, huishouden, aanleiding, ontvangen, beleid, gemeente, acuut,"
            " melder_soort, melder_anoniem) SELECT casus_id, %s, huishouden, %s, %s, beleid, gemeente, %s, %s, %s"
            " FROM huishouden_meldingen WHERE casus_id = %s AND aanleiding = 'melding'"
            " ON CONFLICT (casus_id, versie) DO NOTHING",
            cycli,
        )
