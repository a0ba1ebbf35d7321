"""The casus metrics, served for Prometheus by the SDK runtime beside its own (`temporal_*`) at
http://<CASUS_METRICS_HOST>:<CASUS_METRICS_PORT>/metrics.

Every name is defined here, so that the alert rules and the dashboard in deploy/ can be checked
against it (tests/unit/test_metriek_namen.py). Counters carry their `_total` in their name: the
runtime is configured without `counters_total_suffix`, so the SDK's own counters keep their
documented names (turning that option on would make these `_total_total`).

Each series is present from the start: the worker adds 0 to every counter for the label sets it
knows (`tellers_op_nul`), and the projection runner sets its gauges when it starts and every
`MEET_SECONDEN` after (`Rapporteur`). A gauge's label set that no longer occurs is set to 0, never
left at its last value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

from temporalio.common import MetricMeter
from temporalio.runtime import Runtime

from domain.opdrachten import OPDRACHTEN
from domain.toestand import Fase
from runtime.policies import policy_ids

MEET_SECONDEN = 15.0
"""How often the projection runner measures its gauges."""


@dataclass(frozen=True)
class Metriek:
    naam: str
    soort: Literal["counter", "gauge"]
    uitleg: str
    labels: tuple[str, ...] = ()
    bron: Literal["worker", "projecties"] = "worker"


# Counters of the worker (made in workflows/casus.py and activities/eventstore.py under these names).
ACTIES = Metriek("casus_acties_total", "counter", "actions recorded", ("actie", "beleid"))
WEIGERINGEN = Metriek("casus_weigeringen_total", "counter", "actions refused", ("actie", "regel"))
TOEGEVOEGD = Metriek("casus_gebeurtenissen_toegevoegd_total", "counter", "events newly stored in the event store")
# The projection runner's.
QUARANTAINE_TELLER = Metriek(
    "casus_quarantaine_total", "counter", "events the projection runner set aside since it started", ("soort",), "projecties"
)
ACHTERSTAND = Metriek(
    "casus_projectie_achterstand_gebeurtenissen", "gauge", "events in the log the slowest read model has not applied", (), "projecties"
)
ACHTERSTAND_SECONDEN = Metriek(
    "casus_projectie_achterstand_seconds", "gauge",
    "seconds since the oldest event not yet in every read model was recorded; 0 when caught up", (), "projecties",
)  # fmt: skip
GEMETEN = Metriek(
    "casus_projectie_gemeten_timestamp_seconds", "gauge",
    "when the projection runner last measured its gauges (Unix time); stale when it hangs or cannot read", (), "projecties",
)  # fmt: skip
OPEN_CASUSSEN = Metriek(
    "casus_open_casussen", "gauge", "open casussen per phase and holder (read model caseload)", ("fase", "houder"), "projecties"
)
VERSTRIJKEND = Metriek(
    "casus_termijnen_verstrijkend", "gauge",
    "open deadlines due within 24 h, or past due and not yet recorded as lapsed (read model termijnen)", (), "projecties",
)  # fmt: skip
VERSTREKEN = Metriek("casus_termijnen_verstreken", "gauge", "deadlines lapsed and not met (read model termijnen)", (), "projecties")
QUARANTAINE = Metriek(
    "casus_quarantaine_gebeurtenissen", "gauge", "events held in the read model quarantaine, per soort", ("soort",), "projecties"
)

METRIEKEN: tuple[Metriek, ...] = (
    ACTIES, WEIGERINGEN, TOEGEVOEGD, QUARANTAINE_TELLER, ACHTERSTAND, ACHTERSTAND_SECONDEN, GEMETEN, OPEN_CASUSSEN, VERSTRIJKEND,
    VERSTREKEN, QUARANTAINE,
)  # fmt: skip
NAMEN = frozenset(m.naam for m in METRIEKEN)

WORKFLOW_TYPE = "Casus"
"""The casus workflow's registered name: its meter adds it as `workflow_type` (with `namespace`, `task_queue`)."""
ACTIVITY_TYPE = "voeg_toe"
"""The event store activity's registered name: its meter adds it as `activity_type`."""
GEEN_HOUDER = "geen"
"""The `houder` label of a casus no party holds."""
OPEN_FASEN: tuple[str, ...] = tuple(f for f in get_args(Fase) if f != "afgesloten")
QUARANTAINE_SOORTEN = ("onleesbaar", "gewijzigd", "ontbreekt", "volgorde", "ongeldig", "misplaatst", "achtergehouden")
"""Why an event is set aside (projections/quarantaine.py)."""

K = TypeVar("K")


def tellers_op_nul(meter: MetricMeter, namespace: str, task_queue: str) -> None:
    """The worker's counters at 0 for every label set known before anything happens (every action
    of every policy; every action refused, without its rule, which is known only when it happens),
    with the attributes the workflow's and the activity's meters add, so the first action adds to
    a series that already exists (rate() and increase() then see it)."""
    plaats = {"namespace": namespace, "task_queue": task_queue}
    workflow = meter.with_additional_attributes(plaats | {"workflow_type": WORKFLOW_TYPE})
    acties = workflow.create_counter(ACTIES.naam, ACTIES.uitleg)
    weigeringen = workflow.create_counter(WEIGERINGEN.naam, WEIGERINGEN.uitleg)
    for actie in sorted(OPDRACHTEN):
        weigeringen.add(0, {"actie": actie})
        for beleid in policy_ids():
            acties.add(0, {"actie": actie, "beleid": beleid})
    activiteit = meter.with_additional_attributes(plaats | {"activity_type": ACTIVITY_TYPE})
    activiteit.create_counter(TOEGEVOEGD.naam, TOEGEVOEGD.uitleg).add(0)


@dataclass(frozen=True)
class Meting:
    """What the projection runner measured (projections/runner.py `meet`); None: not measured
    (a read model this runner does not keep, or an oldest event that does not decode)."""

    gemeten: float
    """When, as Unix time."""
    achterstand: int
    achterstand_seconden: float | None
    open_casussen: Mapping[tuple[str, str], int] | None
    verstrijkend: int | None
    verstreken: int | None
    quarantaine: Mapping[str, int]


class Rapporteur:
    """Sets the projection runner's gauges and counts what it sets aside, on one meter (by default
    the runtime's, which needs no workflow or activity context, so the runner's thread may use it)."""

    def __init__(self, meter: MetricMeter) -> None:
        self.achterstand = meter.create_gauge(ACHTERSTAND.naam, ACHTERSTAND.uitleg)
        self.achterstand_seconden = meter.create_gauge_float(ACHTERSTAND_SECONDEN.naam, ACHTERSTAND_SECONDEN.uitleg)
        self.gemeten = meter.create_gauge_float(GEMETEN.naam, GEMETEN.uitleg)
        self.open_casussen = meter.create_gauge(OPEN_CASUSSEN.naam, OPEN_CASUSSEN.uitleg)
        self.verstrijkend = meter.create_gauge(VERSTRIJKEND.naam, VERSTRIJKEND.uitleg)
        self.verstreken = meter.create_gauge(VERSTREKEN.naam, VERSTREKEN.uitleg)
        self.quarantaine = meter.create_gauge(QUARANTAINE.naam, QUARANTAINE.uitleg)
        self.teller = meter.create_counter(QUARANTAINE_TELLER.naam, QUARANTAINE_TELLER.uitleg)
        for soort in QUARANTAINE_SOORTEN:
            self.teller.add(0, {"soort": soort})
        self._open: set[tuple[str, str]] = {(fase, GEEN_HOUDER) for fase in OPEN_FASEN}
        self._soorten: set[str] = set(QUARANTAINE_SOORTEN)

    @classmethod
    def standaard(cls) -> Rapporteur:
        return cls(Runtime.default().metric_meter)

    def apart_gezet(self, soort: str) -> None:
        self.teller.add(1, {"soort": soort})

    def meld(self, m: Meting) -> None:
        self.gemeten.set(m.gemeten)
        self.achterstand.set(m.achterstand)
        if m.achterstand_seconden is not None:
            self.achterstand_seconden.set(m.achterstand_seconden)
        if m.open_casussen is not None:
            self._open = _zet(self._open, m.open_casussen, lambda k, n: self.open_casussen.set(n, {"fase": k[0], "houder": k[1]}))
        if m.verstrijkend is not None:
            self.verstrijkend.set(m.verstrijkend)
        if m.verstreken is not None:
            self.verstreken.set(m.verstreken)
        self._soorten = _zet(self._soorten, m.quarantaine, lambda soort, n: self.quarantaine.set(n, {"soort": soort}))


def _zet(eerder: set[K], nu: Mapping[K, int], zet: Callable[[K, int], None]) -> set[K]:
    """Sets every label set measured now, and 0 for each one set before and not measured now (the
    exporter cannot drop a series, and a stale count is worse than none); the label sets now set."""
    for sleutel in eerder - nu.keys():
        zet(sleutel, 0)
    for sleutel, n in nu.items():
        zet(sleutel, n)
    return set(nu)
