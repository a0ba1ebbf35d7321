"""`make bench` (or `python -m bench`): every figure of the performance issue, measured side by side
in one run, written to bench/results.json and docs/PERFORMANCE.md (with docs/performance.svg)."""

from __future__ import annotations

import json
import logging
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import api_meting, audit, opslag, simulatie_meting, temporal_meting
from bench.meten import HERHALINGEN, snel
from bench.verslag import schrijf
from runtime import logging as casus_logging
from runtime.temporal import install_runtime

ROOT = Path(__file__).resolve().parents[1]


def uitvoer() -> tuple[Path, Path]:
    """Where the run writes: bench/results.json and docs/, or BENCH_OUT_DIR (a smoke run in a test)."""
    anders = os.environ.get("BENCH_OUT_DIR")
    return (Path(anders), Path(anders)) if anders else (ROOT / "bench", ROOT / "docs")


def figuur(waarde: float, doel: float | None, eenheid: str, richting: str) -> dict[str, Any]:
    gehaald = None if doel is None else (waarde >= doel if richting == ">=" else waarde <= doel)
    return {"value": round(waarde, 4), "target": doel, "unit": eenheid, "richting": richting, "gehaald": gehaald}


def main() -> None:
    casus_logging.configure(level=logging.WARNING)
    install_runtime()
    start = time.monotonic()
    ruw: dict[str, Any] = {}
    for naam, module in (("opslag", opslag), ("audit", audit), ("temporal", temporal_meting), ("simulatie", simulatie_meting)):
        t = time.monotonic()
        ruw[naam] = module.meet()
        ruw[naam]["_seconden"] = round(time.monotonic() - t, 1)
        print(f"{naam}: {ruw[naam]['_seconden']} s", flush=True)
    ruw["cli"] = api_meting.cli_help_s()
    o, a, t_, s = ruw["opslag"], ruw["audit"], ruw["temporal"], ruw["simulatie"]
    groottes = sorted(a, key=lambda k: int(k) if k.isdigit() else 0)[-3:]
    labels = ["100k", "1m", "3m"]
    figuren = {
        **{f"append_ratio_b{b}": figuur(o[f"append_b{b}"]["ratio"], 0.7, "ratio", ">=") for b in (1, 10, 100)},
        "rebuild_ratio": figuur(o["rebuild"]["ratio"], 0.5, "ratio", ">="),
        "rebuild_events_per_s": figuur(o["rebuild"]["ons"], 50_000, "events/s", ">="),
        # Informative: the same casussen appended each whole, the population of earlier measurements.
        "rebuild_ratio_contiguous": figuur(o["rebuild_aaneengesloten"]["ratio"], None, "ratio", ">="),
        "rebuild_events_per_s_contiguous": figuur(o["rebuild_aaneengesloten"]["ons"], None, "events/s", ">="),
        **{f"audit_p99_ms_{label}": figuur(a[g]["p99_ms"], 5.0, "ms", "<=") for label, g in zip(labels, groottes, strict=True)},
        "action_ratio_p50": figuur(t_["actie"]["ons_p50_ms"] / t_["actie"]["kaal_p50_ms"], 2.0, "ratio", "<="),
        # The front door's cost: the action through the API over HTTP (token checked, text sealed)
        # against the same action sent as a bare Temporal update on the same server and worker.
        "api_action_ratio_p50": figuur(t_["actie"]["api_p50_ms"] / t_["actie"]["ons_p50_ms"], 2.0, "ratio", "<="),
        # Informative: the same, against the minimal workflow's update without an activity.
        "api_action_vs_minimal_p50": figuur(t_["actie"]["api_p50_ms"] / t_["actie"]["kaal_p50_ms"], None, "ratio", "<="),
        "cli_help_s": figuur(ruw["cli"]["beste_s"], 0.3, "s", "<="),
        "action_ratio_p99": figuur(t_["actie"]["ons_p99_ms"] / t_["actie"]["kaal_p99_ms"], 2.0, "ratio", "<="),
        "lifecycle_ratio": figuur(t_["levensloop"]["ratio"], 0.5, "ratio", ">="),
        "scenario_18m_s": figuur(s["scenario_18m_s"], 2.0, "s", "<="),
        "batch_1000_s": figuur(s["batch"]["seconden"] * 1000 / s["batch"]["scenarios"], 60.0, "s", "<="),
        "open_casus_kib": figuur(t_["geheugen"]["kib_per_casus"], None, "KiB per open casus (server + worker)", "<="),
    }
    resultaat = {
        "gemeten": datetime.now(UTC).isoformat(timespec="seconds"),
        "snel": snel(),
        "herhalingen": HERHALINGEN,
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "seconden": round(time.monotonic() - start, 1),
        **figuren,
        "metingen": ruw,
    }
    resultaten, docs = uitvoer()
    resultaten.mkdir(parents=True, exist_ok=True)
    (resultaten / "results.json").write_text(json.dumps(resultaat, indent=2) + "\n", encoding="utf-8")
    schrijf(resultaat, docs)
    print(f"bench: {resultaat['seconden']} s; wrote {resultaten / 'results.json'} and {docs / 'PERFORMANCE.md'}")


if __name__ == "__main__":
    main()
