"""The access log's table (NEN 7513): every read of a person's record, who read it, whose it was, when
and why. Append-only like the events: in PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE
whoever asks (service/migratie.py), and the API's login may only insert and select."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventstore.views import Row, ViewStore

TABEL = "inzage_log"
KOLOMMEN = ("op", "issuer", "subject", "naam", "rol", "partij", "handeling", "casus_id", "huishouden", "reden")
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABEL} (op TEXT NOT NULL, issuer TEXT NOT NULL, subject TEXT NOT NULL, naam TEXT NOT NULL,"
    " rol TEXT NOT NULL, partij TEXT, handeling TEXT NOT NULL, casus_id TEXT, huishouden TEXT, reden TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABEL}_casus ON {TABEL} (casus_id, op)",
    f"CREATE INDEX IF NOT EXISTS {TABEL}_huishouden ON {TABEL} (huishouden, op)",
)
GUARD = f"""
DROP TRIGGER IF EXISTS {TABEL}_alleen_toevoegen ON {TABEL};
CREATE TRIGGER {TABEL}_alleen_toevoegen BEFORE UPDATE OR DELETE ON {TABEL}
    FOR EACH ROW EXECUTE FUNCTION casus_alleen_toevoegen();
DROP TRIGGER IF EXISTS {TABEL}_niet_legen ON {TABEL};
CREATE TRIGGER {TABEL}_niet_legen BEFORE TRUNCATE ON {TABEL}
    FOR EACH STATEMENT EXECUTE FUNCTION casus_alleen_toevoegen();
"""
"""After service/migratie.py's GUARD, which defines `casus_alleen_toevoegen()`."""


def richt_in(views: ViewStore) -> None:
    views.create(DDL)


def schrijf(views: ViewStore, rij: Sequence[Any]) -> None:
    with views.transaction() as sql:
        sql.execute(f"INSERT INTO {TABEL} ({', '.join(KOLOMMEN)}) VALUES ({', '.join(['%s'] * len(KOLOMMEN))})", tuple(rij))


def _filter(casus_id: str | None, huishouden: str | None) -> tuple[str, list[Any]]:
    waar: list[str] = []
    params: list[Any] = []
    for kolom, waarde in (("casus_id", casus_id), ("huishouden", huishouden)):
        if waarde is not None:
            waar.append(f"{kolom} = %s")
            params.append(waarde)
    return (f" WHERE {' AND '.join(waar)}" if waar else ""), params


def lees(views: ViewStore, *, casus_id: str | None, huishouden: str | None, offset: int, limiet: int) -> list[Row]:
    filter_, params = _filter(casus_id, huishouden)
    return views.query(
        f"SELECT {', '.join(KOLOMMEN)} FROM {TABEL}{filter_} ORDER BY op, subject LIMIT %s OFFSET %s", (*params, limiet, offset)
    )


def tel(views: ViewStore, *, casus_id: str | None, huishouden: str | None) -> int:
    filter_, params = _filter(casus_id, huishouden)
    return int(views.query(f"SELECT COUNT(*) AS n FROM {TABEL}{filter_}", params)[0]["n"])
