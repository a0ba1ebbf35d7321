"""The access log (NEN 7513): every read of a person's record, with who read it, whose it was, when
and why, written before anything is shown, and listed for auditors (`casus inzage-log`).

It lives beside the read models (the API's database login may insert and select it, never update
or delete it: deploy/postgres/logins.sh). A read whose entry cannot be written is not served."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.tijd import lokaal
from domain.toegang import Gebruiker
from projections.views import tijdstip, uit_tijdstip
from service.modellen import Inzage
from service.samenstelling import Samenstelling

TABEL = "inzage_log"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABEL} (op TEXT NOT NULL, issuer TEXT NOT NULL, subject TEXT NOT NULL, naam TEXT NOT NULL,"
    " rol TEXT NOT NULL, partij TEXT, handeling TEXT NOT NULL, casus_id TEXT, huishouden TEXT, reden TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABEL}_casus ON {TABEL} (casus_id, op)",
)
_KOLOMMEN = "op, issuer, subject, naam, rol, partij, handeling, casus_id, huishouden, reden"


def leg_vast(
    s: Samenstelling, wie: Gebruiker, handeling: str, reden: str, *, casus_id: str | None = None, huishouden: str | None = None
) -> None:
    views = s.views
    views.create(DDL)
    nu = tijdstip(datetime.now(UTC))
    rij = (nu, wie.issuer, wie.subject, wie.weergavenaam, wie.rol, wie.partij, handeling, casus_id, huishouden, reden)

    def schrijf() -> None:
        with views.transaction() as sql:
            sql.execute(f"INSERT INTO {TABEL} ({_KOLOMMEN}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rij)

    s.lees(schrijf, "record the read in the access log")


def lijst(
    s: Samenstelling, *, casus_id: str | None = None, huishouden: str | None = None, offset: int = 0, limiet: int = 100
) -> list[Inzage]:
    views = s.views
    views.create(DDL)
    waar: list[str] = []
    params: list[Any] = []
    if casus_id is not None:
        waar.append("casus_id = %s")
        params.append(casus_id)
    if huishouden is not None:
        waar.append("huishouden = %s")
        params.append(huishouden)
    filter_ = f" WHERE {' AND '.join(waar)}" if waar else ""
    rijen = s.lees(
        lambda: views.query(f"SELECT {_KOLOMMEN} FROM {TABEL}{filter_} ORDER BY op, subject LIMIT %s OFFSET %s", (*params, limiet, offset)),
        "read the access log",
    )
    return [Inzage(**_leesbaar(dict(r))) for r in rijen]


def _leesbaar(rij: dict[str, Any]) -> dict[str, Any]:
    return rij | {"op": lokaal(uit_tijdstip(rij["op"]))}
