"""(3) "Who held the responsibility at T" for one casus, as the event store grows (50k+ casussen)."""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.meten import percentiel, postgres, snel, verbind
from eventstore.views import tijdstip
from projections.verantwoordelijkheid import Verantwoordelijkheid, houder_op, tijdlijn
from service.samenstelling import Samenstelling

PER_CASUS = 20  # events of a typical casus; three of them transfers


def groei(settings: Any, casussen: list[str], tot_gebeurtenissen: int, al: int) -> int:
    """Bulk-loads events and their responsibility intervals with COPY, up to a total."""
    nieuw = (tot_gebeurtenissen - al) // PER_CASUS
    begin = datetime(2027, 1, 1, tzinfo=UTC)
    with verbind(settings) as db, db.cursor() as c:
        with c.copy("COPY casus_events (originator_id, originator_version, topic, state) FROM STDIN") as copy:
            ids = [str(uuid.uuid4()) for _ in range(nieuw)]
            for cid in ids:
                for v in range(1, PER_CASUS + 1):
                    copy.write_row((cid, v, "TermijnGesteld", b'{"vorige":"","hash":"","gebeurtenis":"{}"}'))
        with c.copy("COPY verantwoordelijkheid (casus_id, versie, partij, van, tot, grond, actor, vastgelegd) FROM STDIN") as copy:
            for n, cid in enumerate(ids):
                t0 = begin + timedelta(minutes=n)
                grenzen = [t0, t0 + timedelta(days=3), t0 + timedelta(days=4)]
                partijen = [("melder", "melding"), ("veilig-thuis", "IJM-3.1c"), ("lokaal-team:socius-md", "IJM-3.3.1b")]
                for i, ((partij, grond), van) in enumerate(zip(partijen, grenzen, strict=True)):
                    tot = tijdstip(grenzen[i + 1]) if i + 1 < len(grenzen) else None
                    copy.write_row((cid, i + 2, partij, tijdstip(van), tot, grond, "veilig-thuis", tijdstip(van)))
        db.commit()
        c.execute("ANALYZE casus_events")
        c.execute("ANALYZE verantwoordelijkheid")
    casussen += ids
    return al + nieuw * PER_CASUS


def meet() -> dict[str, Any]:
    groottes = [5_000, 20_000, 50_000] if snel() else [100_000, 1_000_000, 3_000_000]
    vragen = 200 if snel() else 2000
    uitkomst: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, postgres(Path(tmp)) as settings:
        s = Samenstelling(settings)
        views = s.views
        views.create(Verantwoordelijkheid.ddl)
        casussen: list[str] = []
        al = 0
        for grootte in groottes:
            al = groei(settings, casussen, grootte, al)
            keuze = random.Random(grootte).choices(casussen, k=vragen)
            duur = []
            for cid in keuze:
                start = time.perf_counter()
                intervallen = tijdlijn(views, cid)
                houder = houder_op(intervallen, datetime(2027, 6, 1, tzinfo=UTC))
                duur.append((time.perf_counter() - start) * 1000)
                assert intervallen and (houder is None or houder.partij)
            uitkomst[str(grootte)] = {"p50_ms": percentiel(duur, 50), "p99_ms": percentiel(duur, 99), "casussen": len(casussen)}
        s.sluit()
    return uitkomst
