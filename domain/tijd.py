"""Working days and terms (RULES.md T-1..T-4), in Europe/Amsterdam.

The zone is built once at import: the workflow sandbox rejects a ZoneInfo built inside workflow
code, and this module is imported through the sandbox's pass-through.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict

ZONE = ZoneInfo("Europe/Amsterdam")


# Temporal refuses timestamps whose offset has seconds (Amsterdam before 1940 was +00:19:32) and a
# casus runs years, not centuries: a moment outside this range is a typing error, refused before
# anything is stored (issue 11).
EERSTE_DAG = date(2000, 1, 1)
LAATSTE_DAG = date(2100, 12, 31)


def binnen_bereik(dag: date) -> date:
    """A date the record accepts: from EERSTE_DAG to LAATSTE_DAG."""
    if not EERSTE_DAG <= dag <= LAATSTE_DAG:
        raise ValueError(f"{dag.isoformat()} is outside the accepted range {EERSTE_DAG.isoformat()} to {LAATSTE_DAG.isoformat()}")
    return dag


def geldig_moment(moment: datetime) -> datetime:
    """An instant the record and Temporal accept: with an offset of whole minutes, within range."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a moment carries its offset, e.g. 2027-03-25T10:00:00+01:00")
    binnen_bereik(moment.date())  # the wall date first: converting year 9999 to UTC could overflow
    if offset % timedelta(minutes=1):
        raise ValueError(f"the UTC offset of {moment.isoformat()} has seconds; accepted: whole minutes, e.g. +01:00")
    return moment


Moment = Annotated[datetime, AfterValidator(geldig_moment)]
"""An instant with its offset; a local time without one is ambiguous around DST (T-4)."""

Datum = Annotated[date, AfterValidator(binnen_bereik)]
"""A calendar date given in a command, within the same range as a Moment."""


class Besluitdag(BaseModel):
    """A day a royal decree equates with the general holidays (Algemene termijnenwet art. 3 lid 3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    datum: date
    naam: str
    bron: str


class Feestdag(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    datum: date
    naam: str
    grond: str


class Kalender(BaseModel):
    """The versioned working-day calendar: the law's days are computed, decree days are data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    versie: str
    besluitdagen: tuple[Besluitdag, ...] = ()
    sluitingsdagen: tuple[date, ...] = ()
    # T-6: the last date for which the decree days of art. 3 lid 3 are known; None: no horizon stated.
    bekend_tot: date | None = None

    def met_sluitingsdagen(self, dagen: tuple[date, ...]) -> Kalender:
        """A region's own closing days on top of the national calendar (RULES.md T-1)."""
        return self.model_copy(update={"sluitingsdagen": self.sluitingsdagen + dagen})

    def feestdagen(self, jaar: int) -> tuple[Feestdag, ...]:
        return _feestdagen(self, jaar)

    def is_werkdag(self, dag: date) -> bool:
        """T-1: Monday to Friday, except the days of Algemene termijnenwet art. 3."""
        if dag.weekday() >= 5:
            return False
        return dag not in _vrije_dagen(self, dag.year)

    def voorbij_horizon(self, dag: date) -> bool:
        """T-6: a working day counted past `bekend_tot` may still become a decree day."""
        return self.bekend_tot is not None and dag > self.bekend_tot


def paaszondag(jaar: int) -> date:
    """Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm)."""
    a = jaar % 19
    b, c = divmod(jaar, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    maand, dag = divmod(h + ll - 7 * m + 114, 31)
    return date(jaar, maand, dag + 1)


def _koningsdag(jaar: int) -> date:
    dag = date(jaar, 4, 27)
    return dag - timedelta(days=1) if dag.weekday() == 6 else dag


@cache
def _feestdagen(kalender: Kalender, jaar: int) -> tuple[Feestdag, ...]:
    pasen = paaszondag(jaar)
    lid1 = "Algemene termijnenwet art. 3 lid 1"
    dagen = [
        Feestdag(datum=date(jaar, 1, 1), naam="Nieuwjaarsdag", grond=lid1),
        Feestdag(datum=pasen - timedelta(days=2), naam="Goede Vrijdag", grond="Algemene termijnenwet art. 3 lid 2"),
        Feestdag(datum=pasen + timedelta(days=1), naam="tweede Paasdag", grond=lid1),
        Feestdag(datum=_koningsdag(jaar), naam="Koningsdag", grond=lid1),
        Feestdag(datum=date(jaar, 5, 5), naam="Bevrijdingsdag", grond=lid1),
        Feestdag(datum=pasen + timedelta(days=39), naam="Hemelvaartsdag", grond=lid1),
        Feestdag(datum=pasen + timedelta(days=50), naam="tweede Pinksterdag", grond=lid1),
        Feestdag(datum=date(jaar, 12, 25), naam="eerste Kerstdag", grond=lid1),
        Feestdag(datum=date(jaar, 12, 26), naam="tweede Kerstdag", grond=lid1),
    ]
    dagen += [
        Feestdag(datum=b.datum, naam=b.naam, grond=f"Algemene termijnenwet art. 3 lid 3; {b.bron}")
        for b in kalender.besluitdagen
        if b.datum.year == jaar
    ]
    return tuple(sorted(dagen, key=lambda f: f.datum))


@cache
def _vrije_dagen(kalender: Kalender, jaar: int) -> frozenset[date]:
    eigen = {d for d in kalender.sluitingsdagen if d.year == jaar}
    return frozenset({f.datum for f in _feestdagen(kalender, jaar)} | eigen)


def lokale_datum(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def begin_van(dag: date) -> datetime:
    """00:00 local time of a day, as an aware instant (T-4: local dates, not added hours)."""
    return datetime.combine(dag, time(0), tzinfo=ZONE)


def werkdag(kalender: Kalender, ontvangen: datetime, n: int) -> date:
    """T-2: working day N after receipt; the day of receipt is day 0, whatever its hour."""
    if n < 1:
        raise ValueError("a working day count starts at 1")
    dag = lokale_datum(ontvangen)
    geteld = 0
    while geteld < n:
        dag += timedelta(days=1)
        if kalender.is_werkdag(dag):
            geteld += 1
    return dag


def einde_werkdag(kalender: Kalender, ontvangen: datetime, n: int) -> datetime:
    """T-2: "binnen N werkdagen": the end (24:00) of working day N, i.e. 00:00 the next day."""
    return begin_van(werkdag(kalender, ontvangen, n) + timedelta(days=1))


def begin_werkdag(kalender: Kalender, ontvangen: datetime, n: int) -> datetime:
    """T-2: "op de Nde werkdag": the start (00:00) of working day N."""
    return begin_van(werkdag(kalender, ontvangen, n))


class Werkdagtelling(BaseModel):
    """How a working-day deadline was counted (T-2), kept with it so that a later calendar version
    can count it again (T-6): `einde` is "binnen N werkdagen", `begin` is "op de Nde werkdag"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vanaf: datetime
    werkdagen: int
    wijze: Literal["einde", "begin"]

    def dag(self, kalender: Kalender) -> date:
        return werkdag(kalender, self.vanaf, self.werkdagen)

    def uiterlijk(self, kalender: Kalender) -> datetime:
        dag = self.dag(kalender)
        return begin_van(dag + timedelta(days=1) if self.wijze == "einde" else dag)

    def voorlopig(self, kalender: Kalender) -> bool:
        """T-6: computed with the decree days known; a later decree may move it."""
        return kalender.voorbij_horizon(self.dag(kalender))


def einde_kalenderdag(moment: datetime, n: int) -> datetime:
    """T-3: "binnen N dagen": day 0 is the day of the moment; the end of calendar day N."""
    return begin_van(lokale_datum(moment) + timedelta(days=n + 1))


def maanden_later(dag: date, maanden: int) -> date:
    """T-3: the same day of the month, clamped to the month's last day."""
    index = dag.month - 1 + maanden
    jaar, maand = dag.year + index // 12, index % 12 + 1
    laatste = _calendar.monthrange(jaar, maand)[1]
    return date(jaar, maand, min(dag.day, laatste))


def einde_na_maanden(moment: datetime, maanden: int) -> datetime:
    """T-3: "na N maanden": the end of the same day N months later."""
    return begin_van(maanden_later(lokale_datum(moment), maanden) + timedelta(days=1))


def na_uren(moment: datetime, uren: int) -> datetime:
    """An absolute term in hours (IJM-3.1b: 72 hours), independent of the local clock."""
    return moment + timedelta(hours=uren)


def lokaal(moment: datetime) -> str:
    """An instant as ISO 8601 with its local offset (CONTRACT.md outcome format)."""
    return moment.astimezone(ZONE).isoformat()
