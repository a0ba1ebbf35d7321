"""Read model `caseload`: one row per casus with its holder, phase and status, for `casus lijst`,
the caseload per party and the report. The row keeps the casus state folded by the domain's own
`evolve`, so phase and holder mean exactly what the decider means by them."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from domain import gebeurtenissen as g
from domain.evolueren import verder, verder_ter_plaatse
from domain.gebeurtenissen import Gebeurtenis
from domain.toestand import Casus
from eventstore.store import Opgeslagen
from eventstore.views import Sql, tijdstip
from projections import quarantaine

NAME = "caseload"


class Caseload:
    """With `geheugen` (a rebuild's workplace, which nothing else writes) the folded states of up to
    that many casussen stay in memory between batches and each row is written once, when its casus
    leaves memory or at `afronden`: a casus whose events are spread over the log is then neither read
    back nor written again for every batch it appears in."""

    name = NAME
    # The quarantine table travels with the casus list, so that `casus migreer` creates it and grants
    # it to the runner's role; the runner itself writes it, for every read model (quarantaine.py).
    tables: tuple[str, ...] = ("caseload", quarantaine.TABEL)
    ddl: tuple[str, ...] = (
        "CREATE TABLE IF NOT EXISTS caseload ("
        " casus_id TEXT PRIMARY KEY, beleid TEXT NOT NULL, gemeente TEXT NOT NULL, huishouden TEXT NOT NULL,"
        " ontvangen TEXT NOT NULL, houder TEXT, fase TEXT NOT NULL, status TEXT NOT NULL, afgesloten_op TEXT,"
        " eerste_besluit TEXT, volgende_termijn TEXT, monitoring_besluit_nodig INTEGER NOT NULL, versie INTEGER NOT NULL,"
        " toestand TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS caseload_houder ON caseload (status, houder)",
        "CREATE INDEX IF NOT EXISTS caseload_beleid ON caseload (beleid, ontvangen)",
        *quarantaine.DDL,
    )

    def __init__(self, geheugen: int = 0) -> None:
        self.geheugen = geheugen
        self._in_geheugen: OrderedDict[str, Casus] = OrderedDict()
        """casus id -> its folded state not yet written, the least recently changed first."""

    def apply(self, sql: Sql, items: Sequence[Opgeslagen]) -> None:
        per_casus: dict[str, list[Gebeurtenis]] = {}
        for item in items:  # the events of each casus in log order (the casussen don't touch each other)
            per_casus.setdefault(item.casus_id, []).append(item.gebeurtenis)
        onthouden = self._in_geheugen
        bekend = self._lees(sql, {c for c, r in per_casus.items() if type(r[0]) is not g.MeldingOntvangen and c not in onthouden})
        casussen: list[Casus] = []
        for casus_id, reeks in per_casus.items():
            vorige = onthouden.pop(casus_id, None)
            vorige = bekend.get(casus_id) if vorige is None else vorige
            if vorige is None and type(reeks[0]) is not g.MeldingOntvangen:
                raise LookupError(f"caseload holds no casus {casus_id}: the log is read out of order")
            # Read back or kept here: the state is this read model's own, folded without a copy.
            casussen.append(verder(None, reeks) if vorige is None else verder_ter_plaatse(vorige, reeks))
        for c in casussen:  # without room (the runner's) every state leaves memory at once: written now
            onthouden[c.casus_id] = c
        self._schrijf(sql, [onthouden.popitem(last=False)[1] for _ in range(max(len(onthouden) - self.geheugen, 0))])

    def met_geheugen(self, geheugen: int) -> Caseload:
        """The same read model, keeping up to `geheugen` casussen in memory (a rebuild's workplace)."""
        kopie = copy.copy(self)
        kopie.geheugen, kopie._in_geheugen = geheugen, OrderedDict()
        return kopie

    def afronden(self, sql: Sql) -> None:
        """Writes every state still held in memory."""
        self._schrijf(sql, self._in_geheugen.values())
        self._in_geheugen.clear()

    def _schrijf(self, sql: Sql, casussen: Iterable[Casus]) -> None:
        sql.executemany(SCHRIJF, [self._rij(c) for c in casussen])

    @staticmethod
    def _lees(sql: Sql, casus_ids: set[str]) -> dict[str, Casus]:
        if not casus_ids:
            return {}
        plekken = ", ".join(["%s"] * len(casus_ids))
        sql.execute(f"SELECT casus_id, toestand FROM caseload WHERE casus_id IN ({plekken})", sorted(casus_ids))
        return {r["casus_id"]: Casus.model_validate_json(r["toestand"]) for r in sql.fetchall()}

    @staticmethod
    def _rij(c: Casus) -> tuple[object, ...]:
        volgende = c.volgende_termijn()
        return (
            c.casus_id, c.beleid, c.gemeente, c.huishouden, tijdstip(c.ontvangen), c.houder, c.fase,
            "afgesloten" if c.fase == "afgesloten" else "open", tijdstip(c.afgesloten_op) if c.afgesloten_op else None,
            c.eerste_besluit, tijdstip(volgende) if volgende else None, int(c.monitoring_besluit_nodig), c.versie,
            c.model_dump_json(),
        )  # fmt: skip


SCHRIJF = (
    "INSERT INTO caseload (casus_id, beleid, gemeente, huishouden, ontvangen, houder, fase, status, afgesloten_op,"
    " eerste_besluit, volgende_termijn, monitoring_besluit_nodig, versie, toestand)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (casus_id) DO UPDATE SET houder = excluded.houder, fase = excluded.fase, status = excluded.status,"
    " afgesloten_op = excluded.afgesloten_op, eerste_besluit = excluded.eerste_besluit,"
    " volgende_termijn = excluded.volgende_termijn, monitoring_besluit_nodig = excluded.monitoring_besluit_nodig,"
    " versie = excluded.versie, toestand = excluded.toestand"
)
