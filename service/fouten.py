"""Refusals and failures of a use case, typed from the decider to the caller: a rule id, the field
it concerns and what would be accepted, never a string to parse back."""

from __future__ import annotations

from typing import Literal

from domain.toegang import ToegangGeweigerd
from domain.weigering import Weigering

Soort = Literal["geweigerd", "verboden", "onbekend", "conflict", "onbereikbaar"]


class DienstFout(Exception):  # noqa: N818 - the answer of a use case, not only errors
    """`soort` says what kind of answer it is (the API maps it to a status, the CLI to an exit code);
    `regel` is the rule id that refuses (RULES.md) or an access reason, `veld` the field concerned."""

    soort: Soort = "geweigerd"

    def __init__(self, melding: str, regel: str | None = None, veld: str | None = None) -> None:
        super().__init__(melding)
        self.melding = melding
        self.regel = regel
        self.veld = veld

    @classmethod
    def uit_weigering(cls, w: Weigering) -> DienstFout:
        return cls(w.melding, regel=w.regel, veld=w.veld)


class Geweigerd(DienstFout):
    """The agreements or the input refuse the step; nothing of it is recorded."""

    soort = "geweigerd"

    @classmethod
    def uit(cls, w: Weigering) -> Geweigerd:
        return cls(w.melding, regel=w.regel, veld=w.veld)


class Verboden(DienstFout):
    """The person may not do this (their role, their party, no stated reason)."""

    soort = "verboden"

    @classmethod
    def uit(cls, t: ToegangGeweigerd) -> Verboden:
        return cls(t.melding, regel=t.reden, veld=t.veld)


class Onbekend(DienstFout):
    """No such casus or household."""

    soort = "onbekend"


class Conflict(DienstFout):
    """The request clashes with what is recorded (a key reused for another melding)."""

    soort = "conflict"


class Onbereikbaar(DienstFout):
    """Temporal, a worker or the event store does not answer; what is true of the request is said."""

    soort = "onbereikbaar"
