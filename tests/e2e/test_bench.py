"""`make bench` in its quick mode (BENCH_QUICK=1), as CI's smoke run: every figure of the
performance issue lands in results.json with value, target and unit, and the report is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIGUREN = [
    "append_ratio_b1", "append_ratio_b10", "append_ratio_b100", "rebuild_ratio", "rebuild_events_per_s", "audit_p99_ms_100k",
    "audit_p99_ms_1m", "audit_p99_ms_3m", "action_ratio_p50", "action_ratio_p99", "lifecycle_ratio", "scenario_18m_s",
    "batch_1000_s", "open_casus_kib",
]  # fmt: skip


def test_the_quick_benchmark_writes_every_figure_and_the_report(tmp_path: Path) -> None:
    env = os.environ | {"BENCH_QUICK": "1", "BENCH_OUT_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "bench"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert r.returncode == 0, r.stderr[-3000:]
    resultaat = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for naam in FIGUREN:
        assert {"value", "target", "unit"} <= resultaat[naam].keys(), naam
        assert resultaat[naam]["value"] > 0, naam
    rapport = (tmp_path / "PERFORMANCE.md").read_text(encoding="utf-8")
    assert "What limits it" in rapport and (tmp_path / "performance.svg").read_text(encoding="utf-8").startswith("<svg")
