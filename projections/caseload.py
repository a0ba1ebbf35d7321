"""Read model `caseload`: one row per casus with its holder, phase and status, for `casus lijst`,
the caseload per party and the report. The row keeps the casus state folded by the domain's own
`evolve`, so phase and holder mean exactly what the decider means by them."""

from __future__ import annotations

from collections.abc import Sequence

from domain import gebeurtenissen as g
from domain.evolueren import evolve
from domain.toestand import Casus
from eventstore.store import Opgeslagen
from projections.views import Sql, tijdstip

NAME = "caseload"


class Caseload:
    name = NAME
    tables: tuple[str, ...] = ("caseload",)
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS caseload ("
        " casus_id TEXT PRIMARY KEY, beleid TEXT NOT NULL, gemeente TEXT NOT NULL, huishouden TEXT NOT NULL,"
        " ontvangen TEXT NOT NULL, houder TEXT, fase TEXT NOT NULL, status TEXT NOT NULL, afgesloten_op TEXT,"
        " eerste_besluit TEXT, volgende_termijn TEXT, monitoring_besluit_nodig INTEGER NOT NULL, versie INTEGER NOT NULL,"
        " toestand TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS caseload_houder ON caseload (status, houder)",
        "CREATE INDEX IF NOT EXISTS caseload_beleid ON caseload (beleid, ontvangen)",
    )

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        casussen: dict[str, Casus | None] = {}
        for item in items:
            if item.casus_id not in casussen:
                casussen[item.casus_id] = None if isinstance(item.gebeurtenis, g.MeldingOntvangen) else self._lees(sql, item.casus_id)
            casussen[item.casus_id] = evolve(casussen[item.casus_id], item.gebeurtenis)
        for casus in casussen.values():
            if casus is not None:
                self._schrijf(sql, casus)

    @staticmethod
    def _lees(sql: Sql, casus_id: str) -> Casus:
        sql.execute("SELECT toestand FROM caseload WHERE casus_id = %s", (casus_id,))
        rijen = sql.fetchall()
        if not rijen:
            raise LookupError(f"caseload holds no casus {casus_id}: the log is read out of order")
        return Casus.model_validate_json(rijen[0]["toestand"])

    @staticmethod
    def _schrijf(sql: Sql, c: Casus) -> None:
        volgende = c.volgende_termijn()
        waarden = (
            c.casus_id, c.beleid, c.gemeente, c.huishouden, tijdstip(c.ontvangen), c.houder, c.fase,
            "afgesloten" if c.fase == "afgesloten" else "open", tijdstip(c.afgesloten_op) if c.afgesloten_op else None,
            c.eerste_besluit, tijdstip(volgende) if volgende else None, int(c.monitoring_besluit_nodig), c.versie,
            c.model_dump_json(),
        )  # fmt: skip
        sql.execute(
            "INSERT INTO caseload (casus_id, beleid, gemeente, huishouden, ontvangen, houder, fase, status, afgesloten_op,"
            " eerste_besluit, volgende_termijn, monitoring_besluit_nodig, versie, toestand)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (casus_id) DO UPDATE SET houder = excluded.houder, fase = excluded.fase, status = excluded.status,"
            " afgesloten_op = excluded.afgesloten_op, eerste_besluit = excluded.eerste_besluit,"
            " volgende_termijn = excluded.volgende_termijn, monitoring_besluit_nodig = excluded.monitoring_besluit_nodig,"
            " versie = excluded.versie, toestand = excluded.toestand",
            waarden,
        )
