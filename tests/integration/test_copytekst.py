"""A rebuild's parts write their tables in COPY's text form and the switch streams those bytes into
PostgreSQL (projections/wissel_postgres.py): every value must arrive as the workplace held it, including the
characters COPY's text form gives a meaning (backslash, tab, newline, carriage return, `\\.`, `\\N`),
NULL beside the empty text, whole and floating-point numbers, and bytes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from projections.wissel_postgres import kopiebestand, schrijf_copytekst
from runtime.settings import Settings

WAARDEN: list[tuple[object, ...]] = [
    ("gewoon", 1, None, 0.1),
    ("", 0, b"", None),
    (None, None, b"\x00\xff\\", -2.5e-300),
    ("a\\b\\\\c", -7, None, 1e20),
    ("regel\neen\r\ntwee\tdrie", 2**40, None, float("inf")),
    ("\\.", 3, None, 0.0),
    ("\\N", 4, None, 1 / 3),
    ('{"tekst":"aanhalingsteken \\" en \\\\ in JSON","é":"€ 😀"}', 5, None, None),
    ("\t\n\r\\", 6, b"\n\t", -0.0),
    # Each character on its own in a text: a text without any of them is written as it is.
    ("alleen\neen regel erbij", 7, None, None),
    ("alleen\teen tab", 8, None, None),
    ("alleen\reen terugloop", 9, None, None),
    ("alleen\\een backslash", 10, None, None),
]


def test_the_copy_text_a_part_writes_arrives_in_postgresql_value_for_value(postgres_settings: Settings, tmp_path: Path) -> None:
    pad = tmp_path / "werkplaats-0.db"
    werkplaats = sqlite3.connect(pad)
    werkplaats.execute("CREATE TABLE proef (tekst TEXT, getal BIGINT, ruw BLOB, deel REAL)")
    werkplaats.executemany("INSERT INTO proef VALUES (?, ?, ?, ?)", WAARDEN)
    werkplaats.commit()
    schrijf_copytekst(werkplaats, pad, ["proef"])
    werkplaats.close()
    s = postgres_settings
    with psycopg.connect(host=s.postgres_host, port=s.postgres_port, user=s.postgres_user, dbname=s.postgres_dbname) as conn:
        conn.execute("CREATE TABLE proef (volgorde SERIAL, tekst TEXT, getal BIGINT, ruw BYTEA, deel DOUBLE PRECISION)")
        with conn.cursor() as cur, cur.copy("COPY proef (tekst, getal, ruw, deel) FROM STDIN") as copy:
            copy.write(kopiebestand(pad, "proef").read_bytes())
        terug = conn.execute("SELECT tekst, getal, ruw, deel FROM proef ORDER BY volgorde").fetchall()
    assert terug == WAARDEN
