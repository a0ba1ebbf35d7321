"""Tables on a terminal fit its width, the widest column cut first with "…"; piped, nothing is cut."""

from __future__ import annotations

from casus_cli.uitvoer import passend, tabel

RIJEN = [
    {
        "casus_id": "3f2b8c1e-0000-4000-8000-000000000001",
        "houder": "instelling:jeugdzorg-en-opvoedondersteuning-regio-kennemerland-zuid",
        "fase": "overgedragen",
    },
    {"casus_id": "3f2b8c1e-0000-4000-8000-000000000002", "houder": "veilig-thuis", "fase": "beoordeling", "extra": "x"},
]
KOLOMMEN = ["casus_id", "houder", "fase"]


def test_a_table_fits_the_width_cutting_the_widest_column_with_an_ellipsis() -> None:
    regels = tabel(RIJEN, KOLOMMEN, maximum=100).splitlines()
    assert max(len(r) for r in regels) <= 100
    assert "instelling:jeugdzorg-en-" in regels[2] and regels[2].split()[1].endswith("…")
    assert RIJEN[0]["casus_id"] in regels[2] and "overgedragen" in regels[2], "the narrower columns stay whole"


def test_every_column_gives_way_in_turn_but_none_below_its_floor() -> None:
    assert passend([40, 36, 12], KOLOMMEN, 50) == [17, 17, 12]
    smal = tabel(RIJEN, KOLOMMEN, maximum=10).splitlines()
    assert all(len(r) <= 8 + 2 + 6 + 2 + 10 for r in smal)


def test_piped_output_keeps_every_character() -> None:
    tekst = tabel(RIJEN, KOLOMMEN)  # pytest captures stdout: no terminal
    assert RIJEN[0]["houder"] in tekst and "…" not in tekst
    assert tabel([], KOLOMMEN) == "(geen)"
