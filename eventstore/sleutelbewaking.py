"""The key store's tables and the triggers that keep an erased household key erased (issue 14).

`huishouden_sleutels` holds one wrapped key per household and generation. A key is only ever
destroyed, never changed: the one UPDATE allowed sets it to NULL, and only after its generation is
recorded in `vernietigde_sleutels` (who, when, why). That record is append-only, and no key may be
inserted under a generation at or below one destroyed, so a copied key cannot be put back. The
unsealer checks the record too (eventstore/kluis.py): bytes restored past the triggers (a table
owner, an old backup) are still refused. The same rules on SQLite and PostgreSQL."""

from __future__ import annotations

from eventstore.views import PostgresViewStore, SQLiteViewStore, ViewStore

SLEUTELS = "huishouden_sleutels"
VERNIETIGD = "vernietigde_sleutels"

TABELLEN = (
    f"CREATE TABLE IF NOT EXISTS {SLEUTELS} (huishouden TEXT NOT NULL, generatie INTEGER NOT NULL, sleutel TEXT,"
    " aangemaakt TEXT NOT NULL, PRIMARY KEY (huishouden, generatie))",
    f"CREATE TABLE IF NOT EXISTS {VERNIETIGD} (huishouden TEXT NOT NULL, generatie INTEGER NOT NULL, vergeten_op TEXT NOT NULL,"
    " vergeten_door TEXT NOT NULL, reden TEXT NOT NULL, PRIMARY KEY (huishouden, generatie))",
)

_TERUG = f"EXISTS (SELECT 1 FROM {VERNIETIGD} v WHERE v.huishouden = NEW.huishouden AND v.generatie >= NEW.generatie)"
_VASTGELEGD = f"EXISTS (SELECT 1 FROM {VERNIETIGD} v WHERE v.huishouden = OLD.huishouden AND v.generatie = OLD.generatie)"
_ALLEEN_WISSEN = f"NEW.sleutel IS NULL AND NEW.huishouden = OLD.huishouden AND NEW.generatie = OLD.generatie AND {_VASTGELEGD}"
MELDING_TERUG = "a destroyed key generation cannot come back"
MELDING_WIJZIGEN = "a household key is only destroyed, after its destruction is recorded"
MELDING_RECORD = "the record of destroyed keys is append-only"

SQLITE = (
    f"CREATE TRIGGER IF NOT EXISTS sleutel_niet_terug BEFORE INSERT ON {SLEUTELS} WHEN {_TERUG}"
    f" BEGIN SELECT RAISE(ABORT, '{MELDING_TERUG}'); END",
    f"CREATE TRIGGER IF NOT EXISTS sleutel_alleen_vernietigen BEFORE UPDATE ON {SLEUTELS} WHEN NOT ({_ALLEEN_WISSEN})"
    f" BEGIN SELECT RAISE(ABORT, '{MELDING_WIJZIGEN}'); END",
    f"CREATE TRIGGER IF NOT EXISTS sleutel_niet_verwijderen BEFORE DELETE ON {SLEUTELS}"
    f" BEGIN SELECT RAISE(ABORT, '{MELDING_WIJZIGEN}'); END",
    f"CREATE TRIGGER IF NOT EXISTS vernietigd_niet_wijzigen BEFORE UPDATE ON {VERNIETIGD}"
    f" BEGIN SELECT RAISE(ABORT, '{MELDING_RECORD}'); END",
    f"CREATE TRIGGER IF NOT EXISTS vernietigd_niet_verwijderen BEFORE DELETE ON {VERNIETIGD}"
    f" BEGIN SELECT RAISE(ABORT, '{MELDING_RECORD}'); END",
)

POSTGRES_FUNCTIES = f"""
CREATE OR REPLACE FUNCTION casus_sleutel_bewaakt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF {_TERUG} THEN
            RAISE EXCEPTION '{MELDING_TERUG}: household %, generation %', NEW.huishouden, NEW.generatie
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND {_ALLEEN_WISSEN} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MELDING_WIJZIGEN}: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION casus_vernietigd_blijft() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MELDING_RECORD}: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
"""

POSTGRES_TRIGGERS = f"""
CREATE OR REPLACE TRIGGER sleutel_bewaakt BEFORE INSERT OR UPDATE OR DELETE ON {SLEUTELS}
    FOR EACH ROW EXECUTE FUNCTION casus_sleutel_bewaakt();
CREATE OR REPLACE TRIGGER sleutels_niet_legen BEFORE TRUNCATE ON {SLEUTELS}
    FOR EACH STATEMENT EXECUTE FUNCTION casus_sleutel_bewaakt();
CREATE OR REPLACE TRIGGER vernietigd_blijft BEFORE UPDATE OR DELETE ON {VERNIETIGD}
    FOR EACH ROW EXECUTE FUNCTION casus_vernietigd_blijft();
CREATE OR REPLACE TRIGGER vernietigd_niet_legen BEFORE TRUNCATE ON {VERNIETIGD}
    FOR EACH STATEMENT EXECUTE FUNCTION casus_vernietigd_blijft();
"""

# Done once per database (a process that only seals need not replace functions other processes use).
_POSTGRES_EENMALIG = f"""
DO $do$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'vernietigd_niet_legen'
                   AND tgrelid = to_regclass('{VERNIETIGD}')) THEN
        EXECUTE $f${POSTGRES_FUNCTIES}$f$;
        EXECUTE $t${POSTGRES_TRIGGERS}$t$;
    END IF;
END $do$;
"""

# Before generations (one key per household, NULL once forgotten): kept as generation 1, whose
# wrapping and sealing are the same as before, so every text sealed then still opens.
_OUDE_NAAM = f"{SLEUTELS}_v1"
_OVERZETTEN = (
    f"ALTER TABLE {SLEUTELS} RENAME TO {_OUDE_NAAM}",
    *TABELLEN,
    f"INSERT INTO {VERNIETIGD} (huishouden, generatie, vergeten_op, vergeten_door, reden) SELECT huishouden, 1,"
    f" COALESCE(vergeten_op, aangemaakt), COALESCE(vergeten_door, ''), COALESCE(reden, '') FROM {_OUDE_NAAM} WHERE sleutel IS NULL",
    f"INSERT INTO {SLEUTELS} (huishouden, generatie, sleutel, aangemaakt) SELECT huishouden, 1, sleutel, aangemaakt"
    f" FROM {_OUDE_NAAM} WHERE sleutel IS NOT NULL",
    f"DROP TABLE {_OUDE_NAAM}",
)


def is_postgres(views: ViewStore) -> bool:
    return isinstance(views, PostgresViewStore)


def _kolommen(views: ViewStore) -> list[str]:
    if is_postgres(views):
        vraag = (
            "SELECT column_name AS naam FROM information_schema.columns"
            f" WHERE table_schema = current_schema() AND table_name = '{SLEUTELS}'"
        )
    else:
        vraag = f"SELECT name AS naam FROM pragma_table_info('{SLEUTELS}')"
    return [r["naam"] for r in views.query(vraag)]


def richt_in(views: ViewStore, vervang: bool = False) -> None:
    """Creates the tables and triggers that are missing; `vervang` (the migration) replaces the
    PostgreSQL functions and triggers with these."""
    if not views.creates_tables:
        return
    kolommen = _kolommen(views)
    if kolommen and "generatie" not in kolommen:
        views.create(_OVERZETTEN)
    if is_postgres(views):
        views.create((*TABELLEN, POSTGRES_FUNCTIES + POSTGRES_TRIGGERS if vervang else _POSTGRES_EENMALIG))
    else:
        views.create((*TABELLEN, *SQLITE))


def ruim_op(views: ViewStore) -> bool:
    """Clears what an erasure left in the database files; True when it could. SQLite zeroes freed
    bytes itself (`secure_delete`, eventstore/infrastructure.py), but the page before the erasure stays
    in the write-ahead log until a checkpoint: this one copies the log into the file and empties it
    (False when a reader kept it from finishing: the next checkpoint does). PostgreSQL keeps the old
    row version until VACUUM, which only the table's owner may run (before PostgreSQL 17), and never
    inside a transaction."""
    if isinstance(views, PostgresViewStore):
        with views.datastore.get_connection() as conn:
            eigenaar = conn.execute(
                "SELECT pg_has_role(current_user, relowner, 'USAGE') AS mag FROM pg_class WHERE oid = to_regclass(%s)", (SLEUTELS,)
            ).fetchone()
            if not eigenaar or not eigenaar["mag"]:
                return False
            conn.execute(f"VACUUM {SLEUTELS}")
            return True
    assert isinstance(views, SQLiteViewStore)
    with views.datastore.get_connection(commit=True) as verbinding:
        cursor = verbinding.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        bezet = cursor.fetchone()
    return bool(bezet) and not bezet[0]
