"""Read model `huishouden` (radar, IJM-1.2.1): every melding about a household, over any period,
whichever casus it started or joined."""

from __future__ import annotations

from collections.abc import Sequence

from domain import gebeurtenissen as g
from domain.huishouden import OpenCasus
from eventstore.store import Opgeslagen
from eventstore.views import Sql, ViewStore, tijdstip, uit_tijdstip
from projections import caseload

NAME = "huishouden"
# One lookup per melding (IJM-3.7c) over a national casus list: by household, not a scan.
OPEN_PER_HUISHOUDEN = "CREATE INDEX IF NOT EXISTS caseload_huishouden ON caseload (huishouden, status)"


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
            if type(e) is g.MeldingOntvangen:  # by type: see domain/gebeurtenissen.py
                meldingen.append((item.casus_id, item.versie, e.huishouden, tijdstip(e.op), e.beleid, e.gemeente, int(e.acuut),
                                  e.melder.soort, int(e.melder.anoniem)))  # fmt: skip
            elif type(e) is g.BeoordelingGestart:
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


def open_casussen(views: ViewStore, huishouden: str) -> list[OpenCasus]:
    """The household's casussen not closed, as the casus list knows them (IJM-3.7c). The key is the
    pseudonymous household key as given, the same one the radar and the key vault use. What the
    projection runner has not yet read (a melding of a moment ago) is not here: see the caller."""
    views.create((*caseload.Caseload.ddl, OPEN_PER_HUISHOUDEN))
    rijen = views.query(
        "SELECT casus_id, beleid, gemeente, ontvangen FROM caseload WHERE huishouden = %s AND status = 'open' ORDER BY ontvangen",
        (huishouden,),
    )
    return [
        OpenCasus(casus_id=r["casus_id"], beleid=r["beleid"], gemeente=r["gemeente"], ontvangen=uit_tijdstip(r["ontvangen"])) for r in rijen
    ]
