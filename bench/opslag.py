"""Appends (1) and projection rebuilds (2) on PostgreSQL, against raw psycopg on the same rows."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any, cast

from bench.meten import HERHALINGEN, mediaan, postgres, snel, tijd, verbind
from domain.draaiboek import Draaiboek
from domain.gebeurtenissen import Gebeurtenis
from eventstore.keten import BEGIN, verpak
from eventstore.store import EventStore, encode, lees
from runtime.policies import load_rules
from service.samenstelling import Samenstelling

RAUW = (
    "CREATE TABLE rauw (originator_id uuid, originator_version int, topic text, state bytea,"
    " PRIMARY KEY (originator_id, originator_version))"
)


def gebeurtenissen(n: int) -> list[Gebeurtenis]:
    """n realistic events of one casus: a Gelderland-Midden casus with its plan revised."""
    d = Draaiboek(load_rules("gelderland-midden-2019"), "2028-01-10T09:00:00+01:00", "ede")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="ede")
    while len(d.gebeurtenissen) < n:
        d.doe("2028-01-20T10:00:00+01:00", "plan-vastleggen", "lokaal-team:ede", plan="plan " * 20)
    return d.gebeurtenissen[:n]


def _rijen(casus_id: str, reeks: list[Gebeurtenis]) -> list[tuple[Any, ...]]:
    vorige, rijen = BEGIN, []
    for versie, e in enumerate(reeks, start=1):
        topic, data = encode(e)
        state, vorige = verpak(vorige, casus_id, versie, topic, data.decode())
        rijen.append((uuid.UUID(casus_id), versie, topic, state))
    return rijen


def append_ratio(batch: int, totaal: int) -> dict[str, float]:
    reeks = gebeurtenissen(totaal)
    with tempfile.TemporaryDirectory() as tmp, postgres(Path(tmp)) as settings:
        s = Samenstelling(settings)
        store = s.store
        ruw = verbind(settings)
        ruw.execute(RAUW)
        ruw.commit()
        ons, kaal = [], []
        for _ in range(HERHALINGEN):
            casus_id = str(uuid.uuid4())

            def project(casus_id: str = casus_id) -> None:
                vorige: str | None = None  # as the workflow does: the hash the last append returned
                for start in range(0, totaal, batch):
                    vorige = store.append(casus_id, start, reeks[start : start + batch], vorige).hash

            rijen = _rijen(str(uuid.uuid4()), reeks)

            def rauw(rijen: list[tuple[Any, ...]] = rijen) -> None:
                with ruw.cursor() as c:
                    for start in range(0, totaal, batch):
                        c.executemany("INSERT INTO rauw VALUES (%s, %s, %s, %s)", rijen[start : start + batch])
                        ruw.commit()

            ons.append(totaal / tijd(project))
            kaal.append(totaal / tijd(rauw))
        s.sluit()
        ruw.close()
    return {"ons": mediaan(ons), "rauw": mediaan(kaal), "ratio": mediaan(ons) / mediaan(kaal)}


def vul(store: EventStore, totaal: int, stuk: int) -> None:
    """A population of casussen along several paths. With `stuk`, appended as a live system's
    workers interleave them: `stuk` events of a casus at a time, the casussen in turn, so that each
    casus's events are spread over the whole log; with 0, each casus whole, one after another."""
    ijm, gm = load_rules("ijmond-2024"), load_rules("gelderland-midden-2019")
    aantal, casussen = 0, []
    while aantal < totaal:
        d = Draaiboek(gm, "2028-01-10T09:00:00+01:00", "ede") if aantal % 2 else Draaiboek(ijm, "2027-03-25T10:00:00+01:00", "velsen")
        team = ("ede", "lokaal-team:ede") if aantal % 2 else ("socius-md", "lokaal-team:socius-md")
        d.doe("2028-01-12T10:00:00+01:00" if aantal % 2 else "2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis",
              besluit="direct-overdracht", team=team[0])  # fmt: skip
        if not aantal % 2:
            d.doe("2027-04-01T11:00:00+02:00", "overdracht-accepteren", team[1])
        casussen.append(d)
        aantal += len(d.gebeurtenissen)
    langste = max(len(d.gebeurtenissen) for d in casussen)
    for begin in range(0, langste, stuk or langste):
        for d in casussen:
            if deel := d.gebeurtenissen[begin : begin + (stuk or langste)]:
                store.append(d.casus.casus_id, begin, deel)


def rebuild(totaal: int, stuk: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, postgres(Path(tmp)) as settings:
        s = Samenstelling(settings)
        store = s.store
        vul(store, totaal, stuk)
        runner = s.projectie_runner()
        runner.catch_up()
        aantal = store.head()
        ons = [aantal / tijd(runner.rebuild) for _ in range(HERHALINGEN)]
        ruw = verbind(settings)

        def rauw() -> None:
            with ruw.cursor() as c:
                c.execute("SELECT state FROM casus_events ORDER BY notification_id")
                for (state,) in c:
                    lees(bytes(cast(bytes, state)))  # bytea comes back as bytes

        kaal = [aantal / tijd(rauw) for _ in range(HERHALINGEN)]
        ruw.close()
        s.sluit()
    return {"ons": mediaan(ons), "rauw": mediaan(kaal), "ratio": mediaan(ons) / mediaan(kaal), "gebeurtenissen": aantal}


def meet() -> dict[str, Any]:
    totaal = 100 if snel() else 1000
    uitkomst: dict[str, Any] = {f"append_b{b}": append_ratio(b, totaal) for b in (1, 10, 100)}
    # A live system's log (each casus's events spread over it), and, to compare with earlier
    # measurements, the same casussen appended each whole.
    uitkomst["rebuild"] = rebuild(2_000 if snel() else 50_000, stuk=2)
    uitkomst["rebuild_aaneengesloten"] = rebuild(2_000 if snel() else 50_000, stuk=0)
    return uitkomst
