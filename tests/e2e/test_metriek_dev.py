"""`casus dev` just started, nothing done yet: its metrics endpoint (CASUS_METRICS_PORT) serves
every casus metric at 0, and every name the alert rules and the dashboard use (the SDK's
`temporal_*` ones too), with counters named `_total` once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime import metriek
from tests.e2e.conftest import Stack, draaiende_stack
from tests.metriek_hulp import gebruikte_namen, haal, lees, soorten


@pytest.fixture(scope="module")
def verse_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: the session's `stack` has done things by the time this runs."""
    with draaiende_stack(Path(tmp_path_factory.mktemp("dev-metriek"))) as s:
        yield s


def test_every_metric_is_served_at_zero_from_the_start(verse_stack: Stack) -> None:
    nodig = metriek.NAMEN | gebruikte_namen() - {"up"}
    tekst = haal(int(verse_stack.env["CASUS_METRICS_PORT"]), nodig)
    reeksen, typen = lees(tekst), soorten(tekst)
    assert nodig <= reeksen.keys(), sorted(nodig - reeksen.keys())
    for m in metriek.METRIEKEN:
        assert typen[m.naam] == m.soort, m.naam
        waarden = [v for _, v in reeksen[m.naam]]
        if m is metriek.GEMETEN:
            assert all(v > 1_700_000_000 for v in waarden)  # measured just now (Unix time)
        else:
            assert waarden and all(v == 0 for v in waarden), (m.naam, reeksen[m.naam])
    assert not [n for n in reeksen if n.endswith("_total_total")]
    open_ = {(lab["fase"], lab["houder"]) for lab, _ in reeksen[metriek.OPEN_CASUSSEN.naam]}
    assert open_ == {(fase, metriek.GEEN_HOUDER) for fase in metriek.OPEN_FASEN}
