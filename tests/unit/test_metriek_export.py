"""The casus metrics as Prometheus reads them, through an SDK runtime of their own with the same
exporter settings as `install_runtime` (runtime/temporal.py): the counters under their names with
`_total` once, at 0 for every known label set before anything happens; the gauges set, and a label
set that is no longer measured set back to 0."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from bench.poorten import vrije_poort
from domain.opdrachten import OPDRACHTEN
from runtime import metriek
from runtime.metriek import Meting, Rapporteur, tellers_op_nul
from runtime.policies import policy_ids
from tests.metriek_hulp import Reeks, haal, lees, soorten


@pytest.fixture(scope="module")
def runtime() -> Iterator[tuple[Runtime, int]]:
    poort = vrije_poort()
    yield Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"127.0.0.1:{poort}"))), poort


def _waarde(reeksen: list[Reeks], **labels: str) -> float:
    gevonden = [v for lab, v in reeksen if labels.items() <= lab.items()]
    assert len(gevonden) == 1, (labels, reeksen)
    return gevonden[0]


def test_every_counter_is_there_at_zero_from_the_start(runtime: tuple[Runtime, int]) -> None:
    rt, poort = runtime
    tellers_op_nul(rt.metric_meter, "default", "casus")
    Rapporteur(rt.metric_meter)
    tekst = haal(poort, {m.naam for m in metriek.METRIEKEN if m.soort == "counter"})
    reeksen, typen = lees(tekst), soorten(tekst)
    for m in metriek.METRIEKEN:
        if m.soort == "counter":
            assert typen.get(m.naam) == "counter", m.naam
            assert reeksen[m.naam] and all(v == 0 for _, v in reeksen[m.naam]), m.naam
    assert not [n for n in reeksen if n.endswith("_total_total")]
    acties = reeksen[metriek.ACTIES.naam]
    assert {(lab["actie"], lab["beleid"]) for lab, _ in acties} == {(a, b) for a in OPDRACHTEN for b in policy_ids()}
    assert all(lab["workflow_type"] == "Casus" and lab["namespace"] == "default" and lab["task_queue"] == "casus" for lab, _ in acties)
    assert {lab["actie"] for lab, _ in reeksen[metriek.WEIGERINGEN.naam]} == set(OPDRACHTEN)
    assert _waarde(reeksen[metriek.TOEGEVOEGD.naam], activity_type="voeg_toe", task_queue="casus") == 0
    assert {lab["soort"] for lab, _ in reeksen[metriek.QUARANTAINE_TELLER.naam]} == set(metriek.QUARANTAINE_SOORTEN)


def test_the_gauges_follow_the_measurements(runtime: tuple[Runtime, int]) -> None:
    rt, poort = runtime
    rapporteur = Rapporteur(rt.metric_meter)
    rapporteur.meld(
        Meting(gemeten=1_800_000_000.0, achterstand=7, achterstand_seconden=12.5, verstrijkend=3, verstreken=1,
               open_casussen={("dienst", "lokaal-team:ede"): 2, ("beoordeling", "veilig-thuis"): 4},
               quarantaine={"gewijzigd": 1, "achtergehouden": 2})
    )  # fmt: skip
    rapporteur.apart_gezet("gewijzigd")
    reeksen = lees(haal(poort, {m.naam for m in metriek.METRIEKEN}))
    assert _waarde(reeksen[metriek.ACHTERSTAND.naam]) == 7
    assert _waarde(reeksen[metriek.ACHTERSTAND_SECONDEN.naam]) == 12.5
    assert _waarde(reeksen[metriek.GEMETEN.naam]) == 1_800_000_000.0
    assert _waarde(reeksen[metriek.VERSTRIJKEND.naam]) == 3
    assert _waarde(reeksen[metriek.VERSTREKEN.naam]) == 1
    open_ = reeksen[metriek.OPEN_CASUSSEN.naam]
    assert _waarde(open_, fase="dienst", houder="lokaal-team:ede") == 2
    assert _waarde(open_, fase="beoordeling", houder="veilig-thuis") == 4
    assert _waarde(open_, fase="overgedragen", houder="geen") == 0  # there from the start, at 0
    assert _waarde(reeksen[metriek.QUARANTAINE.naam], soort="achtergehouden") == 2
    assert _waarde(reeksen[metriek.QUARANTAINE.naam], soort="volgorde") == 0
    assert _waarde(reeksen[metriek.QUARANTAINE_TELLER.naam], soort="gewijzigd") == 1

    # The casus in dienst moved on; the seconds behind were not known this time (kept as they were).
    rapporteur.meld(
        Meting(gemeten=1_800_000_015.0, achterstand=0, achterstand_seconden=None, verstrijkend=None, verstreken=None,
               open_casussen={("overgedragen", "lokaal-team:ede"): 2, ("beoordeling", "veilig-thuis"): 4}, quarantaine={})
    )  # fmt: skip
    reeksen = lees(haal(poort, set()))
    open_ = reeksen[metriek.OPEN_CASUSSEN.naam]
    assert _waarde(open_, fase="dienst", houder="lokaal-team:ede") == 0
    assert _waarde(open_, fase="overgedragen", houder="lokaal-team:ede") == 2
    assert _waarde(reeksen[metriek.ACHTERSTAND.naam]) == 0
    assert _waarde(reeksen[metriek.ACHTERSTAND_SECONDEN.naam]) == 12.5
    assert _waarde(reeksen[metriek.VERSTRIJKEND.naam]) == 3
    assert _waarde(reeksen[metriek.QUARANTAINE.naam], soort="gewijzigd") == 0
    assert _waarde(reeksen[metriek.QUARANTAINE.naam], soort="achtergehouden") == 0
