"""Drives the pure decider the way the workflow does: decide, then evolve; the clock by hand. Used by
the tests and the benchmarks to build casussen without servers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from domain.beslissen import decide, decide_op_tijd, verstrijk
from domain.evolueren import evolve
from domain.gebeurtenissen import Gebeurtenis, Melder
from domain.opdrachten import OPDRACHTEN, Melden, Verzoek
from domain.partijen import Actor
from domain.stap import Regelset
from domain.tijd import lokaal
from domain.toestand import Casus


def t(tekst: str) -> datetime:
    return datetime.fromisoformat(tekst)


def verzoek(actie: str, als: str, op: datetime | None = None, **velden: Any) -> Verzoek:
    opdracht = OPDRACHTEN[actie].model_validate({"actie": actie, **velden})
    return Verzoek.model_validate({"opdracht": opdracht, "actor": Actor(partij=als, medewerker="test"), "op": op})


class Draaiboek:
    def __init__(
        self, regelset: Regelset, ontvangen: str, gemeente: str, *, acuut: bool = False, anoniem: bool = False,
        huishouden: str | None = None, inhoud: str = "test",
    ) -> None:  # fmt: skip
        self.regelset = regelset
        self.gebeurtenissen: list[Gebeurtenis] = []
        self._casus: Casus | None = None
        melding = Melden(
            casus_id=str(uuid.uuid4()),
            gemeente=gemeente,
            huishouden=huishouden or f"HH-{uuid.uuid4().hex[:6]}",
            acuut=acuut,
            melder=Melder(anoniem=anoniem),
            ontvangen=t(ontvangen),
            inhoud=inhoud,
            actor=Actor(partij="veilig-thuis", medewerker="test"),
        )
        self._pas_toe(decide(None, melding, regelset, t(ontvangen)))

    @property
    def casus(self) -> Casus:
        assert self._casus is not None
        return self._casus

    def tik(self, nu: str) -> list[Gebeurtenis]:
        return self._pas_toe(verstrijk(self.casus, self.regelset, t(nu)))

    def doe(self, nu: str, actie: str, als: str, op: str | None = None, **velden: Any) -> list[Gebeurtenis]:
        v = verzoek(actie, als, t(op) if op else t(nu), **velden)
        return self._pas_toe(decide_op_tijd(self.casus, v, self.regelset, t(nu)))

    def houders(self) -> list[tuple[str, str]]:
        return [(i.partij, i.grond) for i in self.casus.verantwoordelijkheid]

    def termijn(self, soort: str) -> tuple[str, str]:
        termijn = self.casus.termijn(soort)
        assert termijn is not None, f"no deadline {soort}"
        return termijn.status, lokaal(termijn.uiterlijk)

    def _pas_toe(self, gebeurtenissen: list[Gebeurtenis]) -> list[Gebeurtenis]:
        for e in gebeurtenissen:
            self._casus = evolve(self._casus, e)
        self.gebeurtenissen += gebeurtenissen
        return gebeurtenissen
