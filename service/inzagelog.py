"""The access log (NEN 7513): every read of a person's record is written (eventstore/inzagelog.py)
before anything is shown, and listed for auditors (`casus inzage-log`). A read whose entry cannot be
written is not served."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.tijd import lokaal
from domain.toegang import Gebruiker
from eventstore import inzagelog
from eventstore.views import tijdstip, uit_tijdstip
from service.modellen import Inzage
from service.samenstelling import Samenstelling


def leg_vast(
    s: Samenstelling, wie: Gebruiker, handeling: str, reden: str, *, casus_id: str | None = None, huishouden: str | None = None
) -> None:
    views = s.views
    inzagelog.richt_in(views)
    nu = tijdstip(datetime.now(UTC))
    rij = (nu, wie.issuer, wie.subject, wie.weergavenaam, wie.rol, wie.partij, handeling, casus_id, huishouden, reden)
    s.lees(lambda: inzagelog.schrijf(views, rij), "record the read in the access log")


def lijst(
    s: Samenstelling, *, casus_id: str | None = None, huishouden: str | None = None, offset: int = 0, limiet: int = 100
) -> list[Inzage]:
    views = s.views
    inzagelog.richt_in(views)
    rijen = s.lees(
        lambda: inzagelog.lees(views, casus_id=casus_id, huishouden=huishouden, offset=offset, limiet=limiet), "read the access log"
    )
    return [Inzage(**(dict(r) | {"op": lokaal(uit_tijdstip(r["op"]))})) for r in rijen]


def tel(s: Samenstelling, *, casus_id: str | None = None, huishouden: str | None = None) -> int:
    views = s.views
    inzagelog.richt_in(views)
    return s.lees(lambda: inzagelog.tel(views, casus_id=casus_id, huishouden=huishouden), "count the access log")
