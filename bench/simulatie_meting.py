"""(6) Simulation: one 18-month scenario in process, and `casus simuleer DIR` over many."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.meten import HERHALINGEN, mediaan, snel
from service.simulatie import Scenario, Simulator, omgeving

ROOT = Path(__file__).resolve().parents[1]
ACHTTIEN_MAANDEN = {
    "beleid": "gelderland-midden-2019",
    "melding": {"ontvangen": "2028-01-10T09:00:00+01:00", "gemeente": "renkum", "huishouden": "HH-bench",
                "melder": {"soort": "professional", "anoniem": False}, "acuut": False, "inhoud": "18 maanden"},
    "stappen": [
        {"op": "2028-01-12T10:00:00+01:00", "als": "veilig-thuis", "actie": "beoordeling-afronden", "besluit": "onderzoek"},
        {"op": "2028-03-01T10:00:00+01:00", "als": "veilig-thuis", "actie": "dienst-afronden", "team": "renkum",
         "conclusie": "vastgesteld"},
        {"op": "2028-03-10T10:00:00+01:00", "als": "lokaal-team:renkum", "actie": "contact-gelegd"},
        {"op": "2028-05-30T10:00:00+02:00", "als": "veilig-thuis", "actie": "monitoring-oordeel", "voorwaarden-voldaan": True,
         "directe-veiligheid": True, "stabiele-veiligheid": False, "herstel-aandacht": True},
        {"op": "2029-02-26T10:00:00+01:00", "als": "veilig-thuis", "actie": "monitoring-oordeel", "voorwaarden-voldaan": True,
         "directe-veiligheid": True, "stabiele-veiligheid": False, "herstel-aandacht": True},
        {"op": "2029-02-27T10:00:00+01:00", "als": "veilig-thuis", "actie": "monitoring-verlengen", "tot": "2029-06-30"},
    ],
    "tot": "2029-07-10T00:00:00+02:00",
}  # fmt: skip


async def _achttien(n: int) -> list[float]:
    scenario = Scenario.model_validate(ACHTTIEN_MAANDEN)
    async with omgeving() as env:
        simulator = Simulator(env)
        await simulator.run(scenario)  # warm up
        tijden = []
        for _ in range(n):
            start = time.perf_counter()
            uitkomst = await simulator.run(scenario)
            tijden.append(time.perf_counter() - start)
            assert uitkomst["houder"] == "lokaal-team:renkum"
    return tijden


def batch(aantal: int) -> float:
    bronnen = sorted(p for p in (ROOT / "tests" / "scenarios").glob("*.yaml") if p.name != "dekking.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(aantal):
            data = yaml.safe_load(bronnen[i % len(bronnen)].read_text(encoding="utf-8"))
            data["melding"]["huishouden"] = f"HH-batch-{i}"
            (Path(tmp) / f"s{i:05d}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
        start = time.perf_counter()
        r = subprocess.run([str(Path(sys.executable).parent / "casus"), "simuleer", tmp, "--json"], capture_output=True, check=True)
        duur = time.perf_counter() - start
        assert len(json.loads(r.stdout)["scenarios"]) == aantal
    return duur


def meet() -> dict[str, Any]:
    aantal = 20 if snel() else 1000
    return {"scenario_18m_s": mediaan(asyncio.run(_achttien(HERHALINGEN))), "batch": {"scenarios": aantal, "seconden": batch(aantal)}}
